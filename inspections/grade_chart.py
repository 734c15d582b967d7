"""The authority page's chart of grades over time: server-rendered SVG, no JavaScript.

One row per judgement area; in each row the grade sits on a four-rung scale (DOMAIN.md's
ordinal, outstanding 1 … inadequate 4). The third rung is two different grades on two
scales: adequate before 2013, requires improvement from 2013. The chart says so rather than
merging them: the left axis is labelled with the old scale's words, the right axis with the
new scale's, a dashed line marks where the scale changed, and adequate and requires
improvement have their own marker shapes. Every grade has a distinct shape, so the chart
reads without colour; the grades table beside it is its text alternative.

`grade_chart()` does the geometry as plain data (testable without rendering);
`inspections/_grade_chart.html` draws it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.dateformat import format as format_date

from . import vocabulary
from .vocabulary import GRADE_ORDINALS, GRADES, SCALE_CHANGED

OLD_SCALE_WORDS = [GRADES[code] for code in vocabulary.OLD_SCALE]
NEW_SCALE_WORDS = [GRADES[code] for code in vocabulary.NEW_SCALE]

# Shapes and colours per grade. The shape carries the meaning; colour only repeats it
# (each colour has at least 3:1 contrast with the white background, WCAG 1.4.11).
MARKERS = {
    "outstanding": ("circle", "#00703c"),
    "good": ("square", "#1d70b8"),
    "adequate": ("diamond", "#4c2c92"),
    "requires_improvement": ("triangle", "#a34400"),
    "inadequate": ("cross", "#d4351c"),
}

WIDTH = 760
LEFT = 110  # room for the old scale's words
RIGHT = WIDTH - 160  # room for the new scale's words, the longest being "Requires improvement"
INSET = 24  # keeps the first and last points clear of the axes
TOP = 34  # room for the axis titles
ROW_HEIGHT = 100
RUNG = 17
ROW_LABEL = 18  # the area's name, above its rungs
AXIS = 30  # the years along the bottom
MARKER_SIZE = 6


@dataclass(frozen=True)
class Point:
    """One graded judgement: where it sits and what it says."""

    x: float
    y: float
    grade: str
    shape: str
    colour: str
    title: str  # e.g. "Overall effectiveness, June 2013: Inadequate"
    path: str  # the marker's outline, as SVG path data


@dataclass(frozen=True)
class Segment:
    """A line between two consecutive grades of one area; dashed when the scale changed."""

    x1: float
    y1: float
    x2: float
    y2: float
    across_scales: bool


@dataclass
class ChartRow:
    """One judgement area."""

    label: str
    top: float
    label_y: float
    rungs: list[float]  # y of each rung, outstanding first
    points: list[Point] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    @property
    def rung_labels(self) -> list[tuple[float, str, str]]:
        """(y, old scale's word, new scale's word) for each rung."""
        return list(zip(self.rungs, OLD_SCALE_WORDS, NEW_SCALE_WORDS, strict=True))


@dataclass(frozen=True)
class Tick:
    """A year along the time axis."""

    x: float
    label: str


@dataclass
class GradeChart:
    """Everything the SVG template draws, in viewBox units."""

    width: int
    height: int
    left: int
    right: int
    top: int
    plot_bottom: float
    rows: list[ChartRow]
    ticks: list[Tick]
    scale_change_x: float | None  # where the grading scale changed, if both are shown
    summary: str  # the chart in words, for its accessible description

    @property
    def legend(self) -> list[tuple[str, str, str, str]]:
        """(grade code, words, shape path centred on 8,8, colour) for the key."""
        return [
            (code, GRADES[code], marker_path(shape, 8, 8), colour)
            for code, (shape, colour) in MARKERS.items()
        ]


def marker_path(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """SVG path data for a marker of `shape` centred on (x, y)."""
    s = size
    if shape == "circle":
        return f"M{x - s:.1f},{y:.1f}a{s},{s} 0 1,0 {2 * s},0a{s},{s} 0 1,0 {-2 * s},0z"
    if shape == "square":
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s}v{2 * s}h{-2 * s}z"
    if shape == "diamond":
        return f"M{x:.1f},{y - s - 1:.1f}l{s + 1},{s + 1}l{-s - 1},{s + 1}l{-s - 1},{-s - 1}z"
    if shape == "triangle":
        return f"M{x:.1f},{y - s - 1:.1f}l{s + 1},{2 * s + 1}h{-2 * s - 2}z"
    if shape == "cross":
        d = s * 0.8
        return (
            f"M{x - d:.1f},{y - d:.1f}L{x + d:.1f},{y + d:.1f}"
            f"M{x + d:.1f},{y - d:.1f}L{x - d:.1f},{y + d:.1f}"
        )
    raise ValueError(f"No marker shape {shape!r}.")


def new_scale(inspection) -> bool:
    """Whether an inspection graded on the scale used from 2013 (with requires improvement)."""
    return vocabulary.new_scale(inspection.framework)


def grade_chart(graded: Sequence, judgement_rows: Sequence) -> GradeChart | None:
    """The chart's geometry for an authority's graded inspections (oldest first).

    `judgement_rows` are `selectors.authorities.JudgementRow`s: one per area, with a cell
    (a Judgement or None) per graded inspection. None when there is nothing graded to draw.
    """
    if not graded or not judgement_rows:
        return None
    dates = [inspection.start_date for inspection in graded]
    first, last = min(dates), max(dates)
    # Half a year either side; a single inspection sits in the middle of a two-year span.
    margin = datetime.timedelta(days=365 if first == last else 182)
    start, end = first - margin, last + margin
    span = (end - start).days

    def x_of(day: datetime.date) -> float:
        return round(LEFT + INSET + (RIGHT - LEFT - 2 * INSET) * (day - start).days / span, 1)

    rows = []
    for index, judgement_row in enumerate(judgement_rows):
        top = TOP + index * ROW_HEIGHT
        rungs = [top + ROW_LABEL + 12 + rung * RUNG for rung in range(4)]
        row = ChartRow(judgement_row.label, top, top + ROW_LABEL - 4, rungs)
        previous: tuple[Point, bool] | None = None
        for inspection, judgement in zip(graded, judgement_row.cells, strict=True):
            if judgement is None or judgement.grade not in MARKERS:
                continue
            shape, colour = MARKERS[judgement.grade]
            x = x_of(inspection.start_date)
            y = rungs[GRADE_ORDINALS[judgement.grade] - 1]
            point = Point(
                x,
                y,
                judgement.grade,
                shape,
                colour,
                f"{judgement_row.label}, {format_date(inspection.start_date, 'F Y')}: "
                f"{GRADES[judgement.grade]}",
                marker_path(shape, x, y),
            )
            if previous is not None:
                before, before_new = previous
                row.segments.append(
                    Segment(before.x, before.y, x, y, before_new != new_scale(inspection))
                )
            row.points.append(point)
            previous = (point, new_scale(inspection))
        rows.append(row)

    plot_bottom = TOP + len(rows) * ROW_HEIGHT - 8
    ticks = _year_ticks(start, end, x_of)
    old = [i.start_date for i in graded if not new_scale(i)]
    new = [i.start_date for i in graded if new_scale(i)]
    scale_change_x = None
    if old and new and max(old) < min(new):
        # At the change itself when the data allow; else halfway between the two scales.
        if max(old) < SCALE_CHANGED <= min(new):
            scale_change_x = x_of(SCALE_CHANGED)
        else:
            scale_change_x = round((x_of(max(old)) + x_of(min(new))) / 2, 1)
    return GradeChart(
        width=WIDTH,
        height=int(plot_bottom + AXIS),
        left=LEFT,
        right=RIGHT,
        top=TOP,
        plot_bottom=plot_bottom,
        rows=rows,
        ticks=ticks,
        scale_change_x=scale_change_x,
        summary=_summary(graded, judgement_rows),
    )


def _year_ticks(start: datetime.date, end: datetime.date, x_of) -> list[Tick]:
    years = list(range(start.year + 1, end.year + 1))
    step = max(1, -(-len(years) // 8))  # at most eight labels
    return [Tick(x_of(datetime.date(year, 1, 1)), str(year)) for year in years[::step]]


def _summary(graded: Sequence, judgement_rows: Sequence) -> str:
    parts = []
    for row in judgement_rows:
        grades = [
            f"{GRADES[j.grade].lower()} in {format_date(i.start_date, 'F Y')}"
            for i, j in zip(graded, row.cells, strict=True)
            if j is not None and j.grade in GRADES
        ]
        if grades:
            parts.append(f"{row.label}: {', then '.join(grades)}.")
    return " ".join(parts)
