"""Evaluating the partnership (`/liaison report`, the monthly report, feedback prompts and the quarterly
survey, the coordinators' chart): a Feature beside the item kinds. Its one command lives under
`/liaison` (commands/liaison/__init__.py), beside `stats` and `export`."""

from __future__ import annotations

from datetime import datetime

from commands.evaluation import asking, reports
from commands.feature import Feature
from commands.invocation import Deps
from commands.kinds.spec import CardAction, FormSpec


def _tick(deps: Deps, now: datetime) -> list[str]:
    return [*asking.prompts(deps, now), *asking.surveys(deps, now), *reports.monthly(deps, now)]


FEATURE = Feature(
    name="evaluation",
    command=None,
    forms=(
        FormSpec(asking.FEEDBACK_FORM, asking.feedback_submitted),
        FormSpec(asking.SURVEY_FORM, asking.survey_submitted),
    ),
    actions=(
        CardAction(asking.FEEDBACK_ACTION, asking.feedback_form),
        CardAction(asking.SURVEY_ACTION, asking.survey_form),
    ),
    tick=_tick,
    home_images=reports.home_chart,
)
