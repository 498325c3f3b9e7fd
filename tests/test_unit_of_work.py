"""What one command costs the database: a new item is checked and stored in one transaction and its card
recorded in a second, and nothing is read twice (issue 19's "one unit of work per command")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.sandbox import Sandbox, visible_text
from storage import audit
from tests.databases import BACKENDS
from tests.inprocess import InProcessBot, in_process_bot
from tests.office import (
    ADMIN,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    add_legal_aid,
    command,
    office,
)


@dataclass
class Transactions:
    """The statements the bot ran, grouped by the transaction they were committed in (each connection has
    its own: the rate budget's run beside a command's). On PostgreSQL a statement that stands alone runs
    in autocommit (storage/db.py `statements`): it is a transaction of its own."""

    done: list[list[str]] = field(default_factory=list)
    open: dict[int, list[str]] = field(default_factory=dict)

    def statement(self, connection: object, sql: str, parameters: Any, *, alone: bool = False) -> None:
        shown = f"{' '.join(sql.split())} {parameters!r}"
        if alone:
            self.done.append([shown])
        else:
            self.open.setdefault(id(connection), []).append(shown)

    def commit(self, connection: object) -> None:
        self.done.append(self.open.pop(id(connection), []))

    @property
    def work(self) -> list[list[str]]:
        """Leaving out the hand-off (the front keeps the command with its delivery key, by which a replay
        is found; a worker takes it and, once it is done, deletes it; the tests look at the queue to know
        when the bot is idle: storage/work.py), and on PostgreSQL the shared rate budget's count of each
        Slack call (storage/rate_budget.py)."""
        return [t for t in self.done if not (_hand_off(t) or any("INTO slack_call" in s for s in t))]


def _hand_off(transaction: list[str]) -> bool:
    touches_work = re.compile(r"\b(FROM|UPDATE|INTO) work\b")
    return "INTO delivery" in " ".join(transaction) or all(touches_work.search(s) for s in transaction)


@pytest.fixture(params=BACKENDS)
def bot(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Sandbox, InProcessBot]]:
    with office() as slack, in_process_bot(slack, tmp_path, request.param) as running:
        add_legal_aid(slack, running)
        yield slack, running


@pytest.fixture
def transactions(bot: tuple[Sandbox, InProcessBot]) -> Iterator[Transactions]:
    seen = Transactions()
    engine = bot[1].db.engine

    def statement(conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool) -> None:
        alone = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        seen.statement(conn.connection.dbapi_connection, sql, parameters, alone=alone)

    def commit(conn: Any) -> None:
        seen.commit(conn.connection.dbapi_connection)

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


def test_a_role_and_the_closures_are_read_again_only_once_they_changed(
    bot: tuple[Sandbox, InProcessBot], transactions: Transactions
) -> None:
    """A worker remembers them between commands while the database's count of their changes stands
    (storage/lookups.py)."""
    slack, running = bot
    name, text, channel = NEW_ITEMS[0]

    def lookups_read() -> list[str]:
        transactions.done.clear()
        assert command(slack, running, DEFENDER, channel, name, text).startswith("Sent *")
        reads = [s for t in transactions.work for s in t if s.startswith("SELECT")]
        return [s for s in reads if "FROM staff_role" in s or "FROM office_closure" in s]

    lookups_read()
    assert lookups_read() == []
    said = command(slack, running, ADMIN, OFFICE_CHANNEL, "/liaison", f"role <@{DEFENDER}> coordinator")
    assert "is now a *coordinator*" in said, said
    assert len(lookups_read()) == 2


def test_the_partner_directory_is_read_again_only_once_it_changed(
    bot: tuple[Sandbox, InProcessBot], transactions: Transactions
) -> None:
    """The partner, the channel's partners and the partner's Slack team: remembered as roles are."""
    slack, running = bot
    name, text, channel = NEW_ITEMS[0]
    directory = re.compile(r"\bFROM (partner|partner_team|channel_link)\b")

    def directory_read() -> list[str]:
        transactions.done.clear()
        assert command(slack, running, DEFENDER, channel, name, text).startswith("Sent *")
        return [s for t in transactions.work for s in t if s.startswith("SELECT") and directory.search(s)]

    directory_read()
    assert directory_read() == []
    said = command(slack, running, ADMIN, OFFICE_CHANNEL, "/liaison", "partner edit legal-aid mou:MOU-7")
    assert "MOU-7" in said, said
    assert directory_read() != []


def test_someone_who_may_not_send_is_refused_before_slack_is_asked_anything(
    bot: tuple[Sandbox, InProcessBot],
) -> None:
    """Partner staff may not send items: the refusal is theirs, and audited, even while Slack would fail
    the channel lookup a send starts with (it is never made for them)."""
    slack, running = bot
    slack.fail("conversations.info", status=503, times=None)
    asked = len(slack.calls("conversations.info"))
    try:
        answer = command(slack, running, PARTNER_USER, SHARED_CHANNEL, "/referral", "need:housing A try.")
    finally:
        slack.clear_faults()
    assert answer.endswith("only the office can create an item."), answer
    assert len(slack.calls("conversations.info")) == asked
    with running.db.session() as session:
        refused = audit.search(session, person=PARTNER_USER, page=1, size=5).entries
    assert [(e.action, e.decision) for e in refused] == [("create_item", "denied")], refused


def test_a_mistyped_partner_names_no_partners_to_partner_staff(bot: tuple[Sandbox, InProcessBot]) -> None:
    slack, running = bot
    theirs = command(slack, running, PARTNER_USER, SHARED_CHANNEL, "/referral", "list partner:legal-aidd")
    assert theirs.startswith("There is no partner `legal-aidd`."), theirs
    assert "legal-aid`" not in theirs and "Known partners" not in theirs
    ours = command(slack, running, DEFENDER, SHARED_CHANNEL, "/referral", "list partner:legal-aidd")
    assert "Did you mean `legal-aid`?" in ours, ours


@pytest.mark.e2e  # a fault test, seconds long: with the slow layer
def test_commands_behind_a_slow_slack_are_told_they_are_queued_then_answered(
    bot: tuple[Sandbox, InProcessBot],
) -> None:
    """Admission: each command is kept and acknowledged at once; once the workers' pace is known, one
    that would wait over two seconds is told so in its acknowledgement, and every one is answered."""
    slack, running = bot
    slack.slow("chat.postMessage", 0.5, times=None)  # each card takes Slack half a second
    try:
        for n in range(4):  # the workers' pace, as the front sees the queue move
            slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing Pace {n}.")
        running.settle(timeout=30)
        with ThreadPoolExecutor(max_workers=24) as pool:
            texts = [f"need:housing Burst {n}." for n in range(24)]
            sent = list(
                pool.map(lambda t: slack.slash_command(DEFENDER, SHARED_CHANNEL, "/referral", t), texts)
            )
        assert all(d.acked and not d.timed_out for d in sent), sent
        running.settle(timeout=60)
    finally:
        slack.clear_faults()
    said = [visible_text(e) for e in slack.ephemerals(DEFENDER, SHARED_CHANNEL)]
    queued = [s for s in said if s.startswith("Liaison is busy: your `/referral` is queued")]
    assert queued, "the last of the burst were told they wait"
    assert sum(s.startswith("Sent *R-") for s in said) == 28, said
