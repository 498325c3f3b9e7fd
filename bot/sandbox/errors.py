"""The two kinds of refusal the stand-in gives: Slack's own error answers, and "Slack would not let a person
do that" for a test that asks the driver for something impossible."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Web API error answer: HTTP `status` with {"ok": false, "error": error, ...}.

    tests/test_sandbox.py reads every `ApiError("...")` in the stand-in's source and checks that Slack's
    reference documents the code for each method that can raise it.
    """

    def __init__(
        self,
        error: str,
        *,
        messages: list[str] | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.status = status
        self.headers = headers or {}
        self.extra = extra or {}  # further fields Slack puts in the body, e.g. missing_scope's needed

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


class NotServed(Exception):
    """A real Slack method, or a shape of call, the stand-in does not imitate: answered loudly with 501."""


class NotPossibleInSlack(AssertionError):
    """The test asked a person to do something Slack's client would not let them do (click a button that is
    not on the message, submit a modal with a required input empty, type in a channel they are not in)."""
