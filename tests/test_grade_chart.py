"""The grades-over-time chart's geometry, on a fictional authority graded on both scales."""

import datetime
from types import SimpleNamespace

from inspections.grade_chart import (
    MARKERS,
    grade_chart,
    marker_path,
)
from inspections.selectors.authorities import JudgementRow


def inspection(framework: str, year: int, month: int = 6):
    return SimpleNamespace(framework=framework, start_date=datetime.date(year, month, 1))


def judgement(grade: str):
    return SimpleNamespace(grade=grade)


GRADED = [inspection("safeguarding_lac", 2011), inspection("sif", 2015), inspection("ilacs", 2019)]
ROWS = [
    JudgementRow(
        "overall",
        "Overall effectiveness",
        [judgement("adequate"), judgement("requires_improvement"), judgement("good")],
    ),
    JudgementRow("in_care", "Children in care", [None, judgement("inadequate"), None]),
]


def test_nothing_graded_draws_nothing():
    assert grade_chart([], []) is None


def test_adequate_and_requires_improvement_share_a_rung_but_not_a_shape():
    chart = grade_chart(GRADED, ROWS)
    adequate, requires_improvement, good = chart.rows[0].points
    assert adequate.y == requires_improvement.y == chart.rows[0].rungs[2]
    assert adequate.shape != requires_improvement.shape
    assert good.y == chart.rows[0].rungs[1] < adequate.y  # better grades sit higher
    # Every grade has its own shape, so the chart reads without colour.
    assert len({shape for shape, _ in MARKERS.values()}) == len(MARKERS)


def test_both_scales_are_labelled_and_the_change_is_marked():
    chart = grade_chart(GRADED, ROWS)
    assert [old for _, old, _ in chart.rows[0].rung_labels] == [
        "Outstanding",
        "Good",
        "Adequate",
        "Inadequate",
    ]
    assert [new for _, _, new in chart.rows[0].rung_labels] == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    adequate, requires_improvement, _ = chart.rows[0].points
    assert adequate.x < chart.scale_change_x < requires_improvement.x
    # The line from the old scale to the new is dashed; the next one is not.
    assert [s.across_scales for s in chart.rows[0].segments] == [True, False]


def test_the_scale_change_sits_at_its_date_when_the_data_allow():
    chart = grade_chart(GRADED, ROWS)
    late_2013 = grade_chart(
        [inspection("protection", 2013, 4), inspection("sif", 2013, 12)],
        [JudgementRow("overall", "Overall", [judgement("good"), judgement("good")])],
    )
    first, second = late_2013.rows[0].points
    assert first.x < late_2013.scale_change_x < second.x
    # Nearer the December inspection than the April one: at November 2013, not halfway.
    assert second.x - late_2013.scale_change_x < late_2013.scale_change_x - first.x
    assert chart.scale_change_x is not None


def test_one_scale_only_draws_no_change_line():
    chart = grade_chart(
        [inspection("protection", 2013)],
        [JudgementRow("overall", "Overall", [judgement("inadequate")])],
    )
    assert chart.scale_change_x is None
    (point,) = chart.rows[0].points
    # A single inspection sits in the middle of the plot.
    assert abs(point.x - (chart.left + chart.right) / 2) < 2


def test_gaps_are_not_joined_to_nothing_and_rows_stack():
    chart = grade_chart(GRADED, ROWS)
    in_care = chart.rows[1]
    assert len(in_care.points) == 1 and in_care.segments == []
    assert in_care.top > chart.rows[0].top
    assert chart.height > in_care.rungs[-1]


def test_the_chart_in_words():
    chart = grade_chart(GRADED, ROWS)
    assert chart.summary == (
        "Overall effectiveness: adequate in June 2011, then requires improvement in June 2015, "
        "then good in June 2019. Children in care: inadequate in June 2015."
    )
    assert chart.rows[0].points[0].title == "Overall effectiveness, June 2011: Adequate"


def test_years_along_the_bottom():
    chart = grade_chart(GRADED, ROWS)
    labels = [tick.label for tick in chart.ticks]
    assert labels[0] == "2011" and labels[-1] == "2019"
    assert len(labels) <= 8
    assert [t.x for t in chart.ticks] == sorted(t.x for t in chart.ticks)


def test_marker_shapes_are_paths():
    for shape, _ in MARKERS.values():
        assert marker_path(shape, 10, 10).startswith("M")
