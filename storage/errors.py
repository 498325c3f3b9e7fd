"""Exceptions the domain raises; the Slack side maps each to what the person sees."""

from __future__ import annotations


class LiaisonError(Exception):
    """Base class: `message` is written for the person who acted, not for a developer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseUnavailable(LiaisonError):
    def __init__(self, where: str) -> None:
        super().__init__("Liaison can't reach its database right now; nothing was saved. Please try again.")
        self.where = where  # the database URL without its password, for operators


class DatabaseBusy(LiaisonError):
    def __init__(self) -> None:
        super().__init__(
            "Liaison is very busy right now and nothing was saved. Please try again in a minute."
        )


class ChangedMeanwhile(DatabaseBusy):
    """PostgreSQL rolled the transaction back because another one changed the same rows at the same
    moment (a deadlock, or a serialization failure): nothing of it was saved, and trying again will do.
    A DatabaseBusy, so whatever waits out a busy database (the journal, a replayed event) waits this out."""

    def __init__(self) -> None:
        LiaisonError.__init__(
            self,
            "Someone changed the same records at the same moment, so nothing was saved. Please try again.",
        )


class NotFound(LiaisonError):
    """Something named does not exist, or the person may not know it exists (same answer, so IDs and
    handles do not leak across organizations)."""


class InvalidInput(LiaisonError):
    """A value a person gave is not usable; `field` names the key it came with, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(LiaisonError):
    """A rule refused the action. `refusal` is the audit row to keep even though the work is rolled back
    (Database.session writes it in a transaction of its own)."""

    def __init__(self, message: str, refusal: object | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal


class Conflict(LiaisonError):
    """Someone else changed the thing first (a double click, two people at once); nothing was changed."""
