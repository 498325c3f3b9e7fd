"""The kinds of item the tests run with: Liaison's own (commands/kinds/)."""

from __future__ import annotations

from commands.kinds import standard

SPECS = standard()
KINDS = SPECS.kinds
SCOPES = KINDS.names  # what a partner's agreement may cover
