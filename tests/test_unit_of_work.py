"""What one command costs the database: a new item is checked and stored in one transaction and its card
recorded in a second, and nothing is read twice (issue 19's "one unit of work per command")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.sandbox import Sandbox
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import DEFENDER, OFFICE_CHANNEL, SHARED_CHANNEL, add_legal_aid, command, office


@dataclass
class Transactions:
    """The statements the bot ran, grouped by the transaction they were committed in."""

    done: list[list[str]] = field(default_factory=list)
    open: list[str] = field(default_factory=list)

    def statement(self, sql: str, parameters: Any) -> None:
        self.open.append(f"{' '.join(sql.split())} {parameters!r}")

    def commit(self) -> None:
        self.done.append(self.open)
        self.open = []

    @property
    def work(self) -> list[list[str]]:
        """Leaving out the delivery key the front writes for every request (a replay is found by it), and
        on PostgreSQL the shared rate budget's count of each Slack call (storage/rate_budget.py)."""
        return [t for t in self.done if not any("INTO delivery" in s or "INTO slack_call" in s for s in t)]


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sandbox, InProcessBot]]:
    with office() as slack, in_process_bot(slack, tmp_path, request.param) as running:
        add_legal_aid(slack, running)
        yield slack, running


@pytest.fixture
def transactions(bot: tuple[Sandbox, InProcessBot]) -> Iterator[Transactions]:
    seen = Transactions()
    engine = bot[1].db.engine

    def statement(_conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.statement(sql, parameters)

    def commit(_conn: Any) -> None:
        seen.commit()

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    yield seen
    event.remove(engine, "before_cursor_execute", statement)
    event.remove(engine, "commit", commit)


NEW_ITEMS = [
    ("/referral", "to:legal-aid need:housing Client needs help with an eviction notice", SHARED_CHANNEL),
    ("/consult", "to:legal-aid Any experience with sealed-record motions in this county?", SHARED_CHANNEL),
    ("/advocacy", "Draft comments on the bail reform bill due:friday", OFFICE_CHANNEL),
]


@pytest.mark.parametrize(("name", "text", "channel"), NEW_ITEMS, ids=[n for n, _, _ in NEW_ITEMS])
def test_a_new_item_is_stored_in_one_transaction_and_its_card_recorded_in_another(
    bot: tuple[Sandbox, InProcessBot], transactions: Transactions, name: str, text: str, channel: str
) -> None:
    slack, running = bot
    answer = command(slack, running, DEFENDER, channel, name, text)
    assert answer.startswith(("Sent *", "Posted *")), answer
    assert len(transactions.work) == 2, "\n\n".join("\n".join(t) for t in transactions.work)
    store, card = transactions.work
    assert any(s.startswith("INSERT INTO") and "audit_log" not in s for s in store), store
    assert [s.split()[0] for s in card] == ["UPDATE"], card
    reads = [s for t in transactions.work for s in t if s.startswith("SELECT")]
    assert len(reads) == len(set(reads)), f"read twice: {sorted(reads)}"
