"""The kinds of item Liaison runs with. Adding a kind: its domain half (an `ItemKind` in its own storage
module, with its table), its Slack half (a `KindSpec` in its own module here), and one line below. The
README's architecture section walks through referrals as the example."""

from __future__ import annotations

from typing import Any

from commands.kinds.spec import KindSpec, Specs


def standard(*more: KindSpec[Any]) -> Specs:
    """Referrals, consults and action items, then any `more` (a test's own kind); the library, training and
    evaluation."""
    from commands import evaluation, library, training
    from commands.kinds import advocacy, consult, referral

    features = (library.FEATURE, training.FEATURE, evaluation.FEATURE)
    return Specs((referral.SPEC, consult.SPEC, advocacy.SPEC, *more), features)
