"""The report's charts, drawn with matplotlib's Agg canvas (no screen, no pyplot's global state, so two
threads may draw at once) as PNG bytes. Each comes with alt text that states its numbers, for anyone who
cannot see it and for the guard, which reads what a picture says before it is uploaded."""

from __future__ import annotations

import io
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import TYPE_CHECKING

from storage.measures import OUTCOMES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colours a reader with the common colour-vision deficiencies can tell apart (Okabe and Ito's palette).
COLOURS = dict(zip(OUTCOMES, ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#999999"), strict=True))
BLUE = "#0072B2"
TWELVE_WEEKS = "Referrals, the last twelve weeks"
BUSIEST = 8  # partners in the time-to-first-response chart


@dataclass(frozen=True)
class Chart:
    name: str  # its file name, without .png
    title: str
    png: bytes
    alt_text: str


def weekly_flow(weeks: Sequence[tuple[date, Counter[str]]]) -> Chart:
    from matplotlib.collections import PolyCollection

    figure, axes = _figure()
    bottom = [0] * len(weeks)
    for outcome in OUTCOMES:
        heights = [counted[outcome] for _week, counted in weeks]
        if any(heights):  # one collection of rectangles per outcome: a year's 300 bars draw as 6 shapes
            boxes = [
                _box(x, low, high) for x, (low, high) in enumerate(zip(bottom, heights, strict=True)) if high
            ]
            axes.add_collection(PolyCollection(boxes, label=outcome, facecolor=COLOURS[outcome]))
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_xlim(-0.6, len(weeks) - 0.4)
    axes.set_ylim(0, max(bottom, default=0) * 1.05 or 1)
    every = max(1, len(weeks) // 12)  # at most a dozen dates under the bars
    axes.set_xticks(range(0, len(weeks), every), [f"{w:%b} {w.day}" for w, _c in weeks][::every])
    _whole_numbers(axes)
    axes.set_ylabel("referrals sent")
    axes.set_xlabel("week beginning")
    if any(bottom):
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    said = "; ".join(f"week of {week:%B} {week.day}: {_outcomes(counted)}" for week, counted in weeks)
    title = "Referrals sent each week, by where they stand now"
    return Chart("referral-flow", title, _png(figure, axes, title), f"{title}. {said or 'None sent.'}")


def first_response(hours: dict[str, list[float]]) -> Chart:
    figure, axes = _figure()
    names = sorted(hours, key=lambda name: -len(hours[name]))[:BUSIEST]  # more would not be read
    if names:
        with warnings.catch_warnings():  # matplotlib 3.11 warns about its own rcParam boxplot.vertical
            warnings.simplefilter("ignore", DeprecationWarning)
            axes.boxplot(
                [hours[n] for n in names], orientation="horizontal", tick_labels=[_short(n) for n in names]
            )
        axes.invert_yaxis()
    axes.grid(axis="x", alpha=0.3)
    axes.set_xlabel("hours from sending to the partner's first answer")
    said = "; ".join(
        f"{name}: median {median(hours[name]):.1f} hours over {len(hours[name])} referrals" for name in names
    )
    title = "Time to first response, by partner"
    if len(hours) > len(names):  # the reader is told who is left out, not left to think it is everyone
        title = f"Time to first response, the {len(names)} busiest of {len(hours)} partners"
    return Chart("first-response", title, _png(figure, axes, title), f"{title}. {said or 'No answers yet.'}")


def open_ages(ages: Sequence[tuple[str, int]]) -> Chart:
    figure, axes = _figure()
    axes.bar(range(len(ages)), [n for _name, n in ages], color=BLUE)
    axes.set_xticks(range(len(ages)), [name for name, _n in ages])
    _whole_numbers(axes)
    axes.set_ylabel("open items")
    axes.set_xlabel("time since created")
    said = ", ".join(f"{name}: {n}" for name, n in ages)
    title = "Open items by age"
    return Chart("open-ages", title, _png(figure, axes, title), f"{title}. {said}.")


def twelve_weeks(weeks: Sequence[tuple[date, int, int]]) -> Chart:
    """The Home tab's small chart: referrals sent and closed each of the last twelve weeks."""
    figure, axes = _figure(width=6.0, height=2.4)
    places = range(len(weeks))
    axes.plot(places, [sent for _w, sent, _c in weeks], marker="o", color=BLUE, label="sent")
    axes.plot(places, [closed for _w, _s, closed in weeks], marker="s", color="#009E73", label="closed")
    axes.set_xticks(places, [f"{week:%b} {week.day}" for week, _sent, _closed in weeks])
    _whole_numbers(axes)
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.legend(frameon=False, fontsize=8)
    said = "; ".join(
        f"week of {week:%B} {week.day}: {sent} sent, {closed} closed" for week, sent, closed in weeks
    )
    title = TWELVE_WEEKS
    return Chart("twelve-weeks", title, _png(figure, axes, title), f"{title}. {said}.")


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure  # imported on the first chart: a third of a second

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    return figure, axes


def _png(figure: Figure, axes: Axes, title: str) -> bytes:
    axes.set_title(title, loc="left", fontsize=11)
    out = io.BytesIO()
    # PNG through the Agg renderer, whatever backend is configured; no version stamp in the file.
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _outcomes(counted: Counter[str]) -> str:
    if not counted:
        return "none sent"
    return (
        f"{sum(counted.values())} sent ("
        + ", ".join(f"{counted[o]} {o}" for o in OUTCOMES if counted[o])
        + ")"
    )


def _box(x: int, bottom: int, height: int) -> list[tuple[float, float]]:
    return [(x - 0.4, bottom), (x - 0.4, bottom + height), (x + 0.4, bottom + height), (x + 0.4, bottom)]


def _whole_numbers(axes: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no "1.25 referrals"


def _short(name: str) -> str:
    return name if len(name) <= 24 else name[:23] + "…"
