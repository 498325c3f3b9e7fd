"""Property-based bad input against the real bot, through the stand-in, the bot in this process on SQLite
and PostgreSQL: arbitrary text, unicode, huge inputs and malformed `key:value`s at every command.
Whatever is typed: no exception escapes (the bot's log shows no traceback and nobody gets the "did not
expect" apology), every command gets a readable private answer or a form, and rejected input stores
nothing. Arbitrary JSON in what else Slack sends: tests/test_bad_requests.py; malformed requests and
replays through the bot as a process: tests/test_e2e_malformed.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, inspect, text

from bot.sandbox import Sandbox, visible_text
from commands import catalog
from commands.kinds import standard
from tests.inprocess import InProcessBot
from tests.office import (
    DEFENDER,
    OFFICE_CHANNEL,
    SHARED_CHANNEL,
    Bot,
    add_legal_aid,
)
from tests.office import command as typed

CATALOG = catalog(standard())

UNEXPECTED = "did not expect"
# The answers that mean something was stored (a new item, a digest setting, a consent).
SUCCESS = (
    "Sent *",
    "Saved *",
    "Posted *",
    "Your digest comes at",
    "No more digests",
    "Recorded:",
    "Revoked.",
)
RUNS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def set_up(slack: Sandbox, bot: Bot) -> None:
    add_legal_aid(slack, bot)
    typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing A card to click on.")


@pytest.fixture(scope="module")
def bot(slack: Sandbox, in_process: InProcessBot) -> InProcessBot:
    set_up(slack, in_process)
    return in_process


class Watch:
    """What the bot stored and logged before a request, to compare with after."""

    def __init__(self, bot: InProcessBot) -> None:
        self.bot = bot
        self.log_at = len(bot.process.output)
        self.rows = stored_rows(bot.db.engine)

    def new_log(self) -> str:
        return self.bot.process.output[self.log_at :]

    def assert_nothing_escaped(self) -> None:
        log = self.new_log()
        assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]

    def assert_nothing_stored(self) -> None:
        assert stored_rows(self.bot.db.engine) == self.rows


# Not what anyone said: the audit log (refusals are audited), the migration, the keys of requests already
# acted on (every request leaves one, so that a replay of it does nothing) and the rate budget's calls.
BOOKKEEPING = ("audit_log", "alembic_version", "delivery", "slack_call")


def stored_rows(database: str | Engine) -> dict[str, int]:
    """Rows per table, but the bookkeeping, in the database at this URL or of this engine: one query."""
    engine = create_engine(database) if isinstance(database, str) else database
    try:
        with engine.connect() as conn:
            tables = _tables(engine, conn)
            counts = ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
            return dict(zip(tables, conn.execute(text(f"SELECT {counts}")).one(), strict=True))
    finally:
        if engine is not database:
            engine.dispose()


_TABLES: dict[str, list[str]] = {}  # by database URL: the schema does not change while a test runs


def _tables(engine: Engine, conn: Connection) -> list[str]:
    key = engine.url.render_as_string(hide_password=False)
    if key not in _TABLES:
        _TABLES[key] = [t for t in inspect(conn).get_table_names() if t not in BOOKKEEPING]
    return _TABLES[key]


# ---- commands -------------------------------------------------------------------------------------------

ODD = [
    "<@U0DEF>",
    "<@U0NOBODY|who>",
    "<#C0LEGAL|legal>",
    "<#C0|>",
    "<!here>",
    "R-1",
    "C-99999999999999999999",
    "A-0",
    "due:yesterday",
    "due:2026-02-30",
    "page:-1",
    'to:"unclosed',
    "case:24-CR-0113",
    "‮reversed",
    "\u0000",
    "🙂",
]


def _words(name: str) -> st.SearchStrategy[str]:
    command = next(c for c in CATALOG if c.name == name)
    keys = sorted({k for sub in command.subcommands for k in sub.keys} | {"to", "due", "case", "need"})
    return st.one_of(
        st.sampled_from(command.subcommand_names + ODD),
        st.text(max_size=24),
        st.builds(lambda k, v: f"{k}:{v}", st.sampled_from(keys), st.text(max_size=24)),
        st.builds(lambda k, v: f'{k}:"{v}', st.sampled_from(keys), st.text(max_size=12)),
    )


def _texts(name: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=200),
        st.lists(_words(name), max_size=8).map(" ".join),
        st.builds(lambda w, n: f"{w} " + "x" * n, _words(name), st.integers(3_000, 40_000)),
    )


@pytest.mark.parametrize("name", [c.name for c in CATALOG])
def test_any_text_gets_a_readable_private_answer_and_stores_nothing_unless_it_says_so(
    slack: Sandbox, bot: Bot, name: str
) -> None:
    @RUNS
    @given(st.data())
    def check(data: st.DataObject) -> None:
        user, channel = DEFENDER, data.draw(st.sampled_from([SHARED_CHANNEL, OFFICE_CHANNEL]))
        said = data.draw(_texts(name))
        bot.settle()  # the last example's work is done: what is counted and answered now is this one's
        watch = Watch(bot)
        answered, forms = len(slack.ephemerals(user, channel)), len(slack.open_views(user))
        delivery = slack.slash_command(user, channel, name, said)
        assert delivery.acked and not delivery.timed_out and delivery.problems == [], delivery
        slack.wait_for(
            lambda: len(slack.ephemerals(user, channel)) > answered or len(slack.open_views(user)) > forms,
            timeout=10,
            message=f"an answer to {name} {said[:80]!r}",
        )
        answers = [visible_text(a) for a in slack.ephemerals(user, channel)[answered:]]
        assert all(a.strip() and UNEXPECTED not in a for a in answers), answers
        bot.settle()  # and its kept command is done
        watch.assert_nothing_escaped()
        if not any(a.startswith(SUCCESS) for a in answers):
            watch.assert_nothing_stored()
        for view in slack.open_views(user)[forms:]:
            slack.close_view(user, view.id)

    check()


def test_a_nul_character_typed_is_dropped_where_postgresql_would_refuse_it(slack: Sandbox, bot: Bot) -> None:
    """Found by the property test above: `/advocacy` with a NUL in its title failed to be saved on
    PostgreSQL (its text columns refuse NUL) and the person got the "did not expect" apology."""
    answer = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", "Draft\x00 comments on the bail bill")
    assert answer.startswith("Posted *A-"), answer
    ref = answer.split("*")[1]
    shown = typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/advocacy", f"show {ref}")
    assert "Draft comments on the bail bill" in shown, shown
