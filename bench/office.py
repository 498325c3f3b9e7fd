"""A statewide office for the benchmark: 200 partners, each in its own Slack Connect channel, 500
coordinators and 100,000 items, in the stand-in and in the database alike.

Items are written straight into the tables (through SQLAlchemy, so client text is encrypted as the bot
would): making 100,000 through commands would take longer than the benchmark may run. Most are closed;
the open ones are due weeks ahead, but for a few hundred near or past their due time, whose cards are
real messages in the stand-in so their reminders can go into the cards' threads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bot.sandbox import Sandbox
from commands.kinds import standard
from storage import partners
from storage.audit import SYSTEM
from storage.crypto import Keyring
from storage.db import Database
from storage.models import PartnerKind, Role, StaffRole
from tests.office import ADMIN, DATA_KEY, DEFENDER

PARTNERS = 200
COORDINATORS = 500
DEFENDERS = 300  # who asked for the items (one of them is the defender who types the commands)
ITEMS = 100_000
NEAR_DUE = 300  # open items due within the reminder horizon or overdue: what one tick acts on
SHARE = {"R": 0.6, "C": 0.3, "A": 0.1}  # referrals, consults, action items
OPEN_SHARE = 0.15
BATCH = 5_000


def partner_team(n: int) -> str:
    return f"T0P{n:03d}"


def partner_user(n: int) -> str:
    return f"U0P{n:03d}"


def partner_channel(n: int) -> str:
    return f"C0P{n:03d}"


def coordinator(n: int) -> str:
    return f"U0K{n:04d}"


def defender(n: int) -> str:
    return DEFENDER if n == 0 else f"U0D{n:03d}"


def populate(slack: Sandbox) -> None:
    """The people and channels, in the stand-in."""
    slack.add_user(DEFENDER, "dana", real_name="Dana Defender", tz="America/New_York")
    slack.add_user(ADMIN, "ari", real_name="Ari Admin", tz="America/New_York")
    for n in range(1, DEFENDERS):
        slack.add_user(defender(n), f"defender{n}", tz="America/New_York")
    for n in range(COORDINATORS):
        slack.add_user(coordinator(n), f"coord{n}", tz="America/New_York")
    for n in range(PARTNERS):
        slack.add_team(partner_team(n), f"Partner {n}")
        slack.add_user(partner_user(n), f"partner{n}", team_id=partner_team(n), tz="America/Chicago")
        slack.add_channel(partner_channel(n), f"partner-{n}", members=[DEFENDER, ADMIN, partner_user(n)])


@dataclass(frozen=True)
class Seeded:
    items: int
    open_items: int
    near_due: int
    seconds: float


def settle(db: Database) -> None:
    """What a database at rest has had done after a bulk load: statistics gathered and the loaded pages
    written out (PostgreSQL's autovacuum and checkpointer do both within minutes), so that nothing is
    timed while they run."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def seed(slack: Sandbox, url: str, now: datetime) -> Seeded:
    """The partners, coordinators and items, in the database at `url` (migrated first)."""
    started = datetime.now()
    db = Database(url, Keyring([DATA_KEY]))
    db.upgrade()
    rng = random.Random(2026)
    partner_ids: list[int] = []
    with db.session() as session:
        for n in range(PARTNERS):
            values: dict[str, Any] = {
                "name": f"Partner {n}",
                "kind": list(PartnerKind)[n % len(PartnerKind)],
                "teams": [partner_team(n)],
                "contacts": [partner_user(n)],
                "scope": ["referral", "consult", "advocacy"],
                "mou_expires": (now + timedelta(days=20 + n * 3)).date(),
            }
            partner = partners.add(session, SYSTEM, f"partner-{n}", values)
            partners.link_channel(session, SYSTEM, partner_channel(n), [partner])
            assert partner.id is not None
            partner_ids.append(partner.id)
        for n in range(COORDINATORS):
            session.add(StaffRole(user_id=coordinator(n), role=Role.coordinator, updated_by=ADMIN))
    counts = {prefix: int(ITEMS * share) for prefix, share in SHARE.items()}
    near = {prefix: int(NEAR_DUE * share) for prefix, share in SHARE.items()}
    open_total = 0
    with db.engine.begin() as conn:
        for index, kind in enumerate(standard().kinds):
            prefix = kind.prefix
            rows = []
            for i in range(counts[prefix]):
                p = rng.randrange(PARTNERS)
                is_near, is_open = i < near[prefix], i < near[prefix] or rng.random() < OPEN_SHARE
                open_total += is_open
                if is_near:  # from two days overdue to three days ahead
                    due = now + timedelta(hours=rng.uniform(-48, 72))
                elif is_open:
                    due = now + timedelta(days=rng.uniform(6, 90))
                else:
                    due = now - timedelta(days=rng.uniform(1, 365))
                status = kind.open_statuses[0] if is_open else kind.closed_statuses[0]
                ts = _card(slack, p, prefix) if is_near else f"{1600000000 + index}.{i:06d}"
                common = {
                    "due_at": due,
                    "requester_id": defender(rng.randrange(DEFENDERS)),
                    "channel_id": partner_channel(p),
                    "card_ts": ts,
                    "created_at": min(now, due) - timedelta(days=5),
                    "updated_at": now,
                    "status": status,
                }
                rows.append(_row(prefix, common, partner_ids[p], partner_user(p)))
                if len(rows) == BATCH:
                    conn.execute(insert(kind.model), rows)
                    rows = []
            if rows:
                conn.execute(insert(kind.model), rows)
    settle(db)
    db.dispose()
    return Seeded(ITEMS, open_total, NEAR_DUE, (datetime.now() - started).total_seconds())


def _card(slack: Sandbox, partner: int, prefix: str) -> str:
    """A real card message in the partner's channel, for an item whose reminder goes in its thread."""
    return slack.workspace.post_as_bot(partner_channel(partner), f"{prefix} · a card", None).ts


def _row(prefix: str, common: dict[str, Any], partner_id: int, partner_user: str) -> dict[str, Any]:
    """The columns of one kind on top of those every item has."""
    if prefix == "R":
        return {
            **common,
            "partner_id": partner_id,
            "need": "housing",
            "details": "Eviction notice; needs counsel.",
        }
    if prefix == "C":
        return {**common, "partner_id": partner_id, "question": "Any advice on a suppression motion?"}
    return {**common, "title": "Comment on the bail reform bill", "owners": [partner_user]}
