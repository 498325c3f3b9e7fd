"""`liaison demo`: a scripted walk-through, offline, against the Slack stand-in, printed as what each person
sees. A newcomer's first look at Liaison, and a smoke test of the whole loop in CI.

The real bot runs in this process over Socket Mode against bot/sandbox, on a throw-away SQLite database.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.config import Settings
from bot.sandbox import Ephemeral, Message, Sandbox
from bot.sandbox.reading import PLAIN, TERMINAL, Reader
from storage.crypto import Keyring, new_key
from storage.db import Database

ADMIN, DEFENDER, PARTNER = "U0ADM", "U0DEF", "U0LAS"
PARTNER_TEAM, CHANNEL = "T0LEGAL", "C0LEGAL"
NAMES = {ADMIN: "Ari (office admin)", DEFENDER: "Dana (defender)", PARTNER: "Lee (Legal Aid Society)"}
T = TypeVar("T")


def run(out: TextIO) -> None:
    with tempfile.TemporaryDirectory() as folder, Sandbox() as slack:
        _set_up_workspace(slack)
        db = Database(f"sqlite:///{Path(folder) / 'demo.db'}", Keyring([new_key()]))  # thrown away after
        db.upgrade()
        settings = Settings(
            bot_token=slack.bot_token,
            app_token=slack.app_token,
            api_url=slack.api_url,
            database_url=db.url,
            admins=frozenset({ADMIN}),
        )
        liaison = create_app(settings, db, socket_mode=True)
        liaison.start()
        handler = SocketModeHandler(liaison.app, app_token=slack.app_token)
        handler.connect()
        try:
            slack.wait_for_socket(timeout=15)
            Script(slack, out).play()
        finally:
            handler.close()
            liaison.close()
            db.dispose()


def _set_up_workspace(slack: Sandbox) -> None:
    slack.add_user(ADMIN, "ari", real_name="Ari Okafor")
    slack.add_user(DEFENDER, "dana", real_name="Dana Reyes")
    slack.add_team(PARTNER_TEAM, "Legal Aid Society")
    slack.add_user(PARTNER, "lee", team_id=PARTNER_TEAM, real_name="Lee Chen", tz="America/Chicago")
    slack.add_channel(CHANNEL, "legal-aid-shared", members=[ADMIN, DEFENDER, PARTNER])


class Script:
    def __init__(self, slack: Sandbox, out: TextIO) -> None:
        self.slack = slack
        self.out = out
        self.style = TERMINAL if out.isatty() else PLAIN

    def play(self) -> None:
        self.say(
            "Liaison demo: an office refers a client's need to a partner organization, which accepts it,\n"
            "answers in the thread and completes it. Offline: Slack here is Liaison's built-in stand-in.\n"
            "#legal-aid-shared is a Slack Connect channel shared by the office and Legal Aid Society.\n"
            "Times show in each reader's own time zone: New York for Ari and Dana, Chicago for Lee."
        )
        self.command(
            ADMIN,
            '/liaison partner add legal-aid name:"Legal Aid Society" kind:legal_aid team:T0LEGAL '
            "services:housing,benefits scope:referral,consult mou_expires:2099-06-30",
        )
        self.command(
            ADMIN,
            "/liaison channel link #legal-aid-shared legal-aid",
            sent=f"/liaison channel link <#{CHANNEL}|legal-aid-shared> legal-aid",
        )
        self.command(
            DEFENDER,
            "/referral need:housing due:friday priority:urgent case:24-CR-0113 "
            "Client faces eviction; hearing next month. Needs representation.",
        )
        card = self.slack.messages(CHANNEL)[-1]
        self.show_card(
            "Everyone in the channel, in both workspaces, sees the card; as Dana sees it:", card, DEFENDER
        )
        self.click(PARTNER, card, "Accept", "accepted")
        self.reply(PARTNER, card, "We have an attorney for this. Calling the client today.")
        self.click(
            PARTNER,
            card,
            "Complete…",
            "completed",
            form={"note": {"value": "Represented at the hearing; the eviction was dismissed."}},
        )
        self.show_card("The same card, edited in place; as Lee sees it, in Chicago:", card, PARTNER)
        self.say("The card's thread:")
        for message in self.slack.messages(CHANNEL, thread_ts=card.ts):
            self.quote(f"{self.name(message.user)}: ", self.read(PARTNER).text(message.text))
        self.command(DEFENDER, "/referral show R-1")
        self.say(
            "The case number 24-CR-0113 went to Dana's private answers only, never to the shared channel."
        )

    def read(self, user: str) -> Reader:
        """What `user`'s Slack client shows: their time zone, names for IDs, formatting for marks."""
        return Reader(self.slack.workspace, self.slack.workspace.users[user], self.style)

    def command(self, user: str, typed: str, sent: str | None = None) -> None:
        self.say(f"{self.name(user)} types: {typed}")
        before = len(self.slack.ephemerals(user, CHANNEL))
        name, _, text = (sent or typed).partition(" ")
        self.slack.slash_command(user, CHANNEL, name, text, via="socket")
        answer = self.wait(lambda: self.slack.ephemerals(user, CHANNEL)[before:])[-1]
        self.private(user, answer)

    def private(self, user: str, answer: Ephemeral) -> None:
        shown = (
            self.read(user).blocks(answer.blocks) if answer.blocks else [self.read(user).text(answer.text)]
        )
        self.quote(f"only {self.name(user).split(' ')[0]} sees: ", "\n".join(shown))

    def click(
        self, user: str, card: Message, label: str, target: str, form: dict[str, dict[str, str]] | None = None
    ) -> None:
        self.say(f"{self.name(user)} clicks [{label}] on the card")
        seen = {view.id for view in self.slack.open_views(user)}
        lines = len(self.slack.messages(CHANNEL, thread_ts=card.ts))
        told = len(self.slack.ephemerals(user, CHANNEL))
        self.slack.click(user, CHANNEL, card.ts, f"referral.move.{target}", via="socket")
        if form is not None:
            view = self.wait(lambda: [v for v in self.slack.open_views(user) if v.id not in seen])[-1]
            self.say(
                f"  a form asks: {', '.join(_labels(view.blocks))}; Lee writes: {form['note']['value']}",
                indent=False,
            )
            self.slack.submit_view(user, view.id, form, via="socket")
        self.wait(lambda: _status(card) == target)
        self.wait(
            lambda: len(self.slack.messages(CHANNEL, thread_ts=card.ts)) > lines
        )  # Liaison's thread line
        if form is not None:  # a form has no card to answer on: its sender is answered privately
            self.wait(lambda: self.slack.ephemerals(user, CHANNEL)[told:])
        for answer in self.slack.ephemerals(user, CHANNEL)[told:]:
            self.private(user, answer)

    def reply(self, user: str, card: Message, text: str) -> None:
        self.say(f"{self.name(user)} replies in the card's thread: {text}")
        self.slack.post_as_user(user, CHANNEL, text, thread_ts=card.ts, via="socket")

    def show_card(self, title: str, card: Message, reader: str) -> None:
        self.say(title)
        for line in self.read(reader).blocks(card.blocks or []):
            self.say(f"  | {line}", indent=False)

    def wait(self, predicate: Callable[[], T]) -> T:
        return self.slack.wait_for(predicate, timeout=10)

    def name(self, user_id: str | None) -> str:
        return NAMES.get(user_id or "", "Liaison")

    def quote(self, lead: str, text: str) -> None:
        """Someone's words, with continuation lines indented under the first."""
        first, *rest = text.splitlines() or [""]
        self.say(f"  {lead}{first}", indent=False)
        for line in rest:
            self.say(f"      {line}", indent=False)

    def say(self, text: str, indent: bool = True) -> None:
        print(("\n" if indent else "") + text, file=self.out)


def _status(card: Message) -> str:
    fields = next(b["fields"] for b in card.blocks or [] if b["type"] == "section" and "fields" in b)
    return next(f["text"].split("\n")[1] for f in fields if f["text"].startswith("*Status*"))


def _labels(blocks: list[dict[str, Any]]) -> list[str]:
    return [str(b["label"]["text"]) for b in blocks if b.get("type") == "input"]
