"""Confidentiality settings: encryption at rest (what Liaison stores about clients' matters is not readable
in the database file, key rotation keeps everything readable, Liaison will not start without a key unless
told to) and the office's own identifying-details rules (its case-number shape, its do-not-post names).
The bot in this process, but `liaison run` itself starting or refusing to (marked e2e)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.sandbox import Sandbox
from storage import crypto, keys
from storage.clock import REAL
from storage.crypto import Keyring
from storage.db import Database
from storage.models import ThreadReply
from tests.botproc import run_cli
from tests.inprocess import cli_in_process, in_process_bot
from tests.office import (
    ADMIN,
    DATA_KEY,
    DEFENDER,
    OFFICE_CHANNEL,
    PARTNER_USER,
    SHARED_CHANNEL,
    bot_settings,
    running_bot,
)
from tests.office import command as typed

SENTENCE = "Client sleeps at the Eastside shelter and needs a lawyer before the eviction hearing"
REPLY = "We can take this one; our attorney calls Thursday"


def test_what_was_posted_is_not_in_the_sqlite_file_and_rotation_keeps_it_readable(
    slack: Sandbox, tmp_path: Path
) -> None:
    with in_process_bot(slack, tmp_path, "sqlite") as bot:
        for text in (
            'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL scope:referral',
            f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        ):
            assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)
        answer = typed(slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", f"need:housing {SENTENCE}")
        ref = answer.split("*")[1]
        card = [m for m in slack.messages(SHARED_CHANNEL) if m.text.startswith(f"{ref} ·")][-1]
        slack.post_as_user(PARTNER_USER, SHARED_CHANNEL, REPLY, thread_ts=card.ts)
        slack.wait_for(
            lambda: REPLY in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/referral", f"show {ref}")
        )
        url = bot.db_url
    stored = Path(url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in stored.parent.glob(stored.name + "*"))  # with its WAL
    assert SENTENCE.encode() not in raw and REPLY.encode() not in raw
    assert b"Eastside" not in raw

    new = crypto.new_key()
    rotated = cli_in_process(
        ["keys", "rotate"], tmp_path, **{**bot_settings(slack, url), "LIAISON_DATA_KEY": f"{new},{DATA_KEY}"}
    )
    assert rotated.returncode == 0 and "re-encrypted" in rotated.stdout, rotated.stderr
    only_new = Database(url, Keyring([new]))
    try:
        with only_new.session() as session:
            assert REPLY in [r.text for r in session.exec(select(ThreadReply)).all()]
    finally:
        only_new.dispose()
    old_only = Database(url, Keyring([DATA_KEY]))
    try:
        with (
            pytest.raises(crypto.UnreadableText, match="not in LIAISON_DATA_KEY"),
            old_only.session() as session,
        ):
            session.exec(select(ThreadReply)).all()
    finally:
        old_only.dispose()


def test_text_stored_before_a_key_is_encrypted_by_rotation(db_url: str) -> None:
    plain = Database(db_url)
    plain.upgrade()
    with plain.session() as session:
        session.add(
            ThreadReply(item="R-1", channel_id="C1", thread_ts="1.0", ts="1.1", text=REPLY, at=REAL())
        )
    plain.dispose()
    keyring = Keyring([DATA_KEY])
    keyed = Database(db_url, keyring)
    try:
        assert keys.rotate(keyed) == 1
        with keyed.engine.connect() as conn:
            (stored,) = conn.exec_driver_sql("SELECT text FROM thread_reply").one()
        assert stored.startswith(crypto.MARK) and REPLY not in stored
        with keyed.session() as session:
            assert session.exec(select(ThreadReply)).one().text == REPLY
    finally:
        keyed.dispose()


@pytest.mark.e2e
def test_liaison_will_not_run_without_a_key_unless_told(slack: Sandbox, tmp_path: Path) -> None:
    settings = {**bot_settings(slack, f"sqlite:///{tmp_path / 'l.db'}"), "LIAISON_DATA_KEY": ""}
    refused = run_cli(["run", "--http", "--port", "0"], tmp_path, **settings)
    assert refused.returncode == 2
    assert "LIAISON_DATA_KEY is not set: client details would be stored unencrypted." in refused.stderr
    assert "Traceback" not in refused.stderr
    bad = run_cli(["run", "--http"], tmp_path, **{**settings, "LIAISON_DATA_KEY": "not-a-key"})
    assert "LIAISON_DATA_KEY: key 1 is not a Fernet key" in bad.stderr and bad.returncode == 2


@pytest.mark.e2e
def test_plain_text_when_explicitly_allowed(slack: Sandbox, tmp_path: Path) -> None:
    with running_bot(
        slack, tmp_path, "sqlite", "http", LIAISON_DATA_KEY="", LIAISON_ALLOW_PLAINTEXT="1"
    ) as bot:
        assert "with the role" in typed(slack, bot, DEFENDER, OFFICE_CHANNEL, "/liaison", "whoami")


def test_the_offices_own_case_numbers_and_do_not_post_names_are_never_posted(
    slack: Sandbox, tmp_path: Path
) -> None:
    rules = {"LIAISON_CASE_NUMBER_PATTERN": r"\bDOC-\d{5}\b", "LIAISON_DO_NOT_POST": "Maria Ortiz, J. Doe"}
    with in_process_bot(slack, tmp_path, "sqlite", **rules) as bot:
        for text in (
            'partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL scope:referral',
            f"channel link <#{SHARED_CHANNEL}|legal> legal-aid",
        ):
            assert "Sorry" not in typed(slack, bot, ADMIN, OFFICE_CHANNEL, "/liaison", text)
        docket = typed(
            slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing See DOC-12345 for history."
        )
        assert "(a case number)" in docket and "DOC-12345" not in docket
        named = typed(
            slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client maria  ORTIZ needs help."
        )
        assert "(a name on the do-not-post list)" in named and "ORTIZ" not in named
        fine = typed(
            slack, bot, DEFENDER, SHARED_CHANNEL, "/referral", "need:housing Client needs help with rent."
        )
        assert fine.startswith("Sent *R-")
