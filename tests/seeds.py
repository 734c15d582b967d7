"""The seed reports imported by the real importer, for the public site's tests."""

from __future__ import annotations

from dataclasses import dataclass

from inspections import freshness
from inspections.follow_through import THRESHOLD, update_statuses
from inspections.importer.service import import_source, store_source
from inspections.models import Finding, FollowThroughLink, Inspection, Recommendation

from .conftest import REPORTS

SOMERSET_2013 = "seed_000_somerset_protection_2013.txt"
NORTH_SOMERSET_2017 = "seed_001_north_somerset_sif_2017.txt"
SOMERSET_2010 = "seed_002_somerset_cra_2010.txt"
SOMERSET_2017_VISIT = "seed_003_somerset_monitoring_visit_2017.txt"
DEVON_2013 = "seed_004_devon_protection_2013.txt"
ALL = [SOMERSET_2013, NORTH_SOMERSET_2017, SOMERSET_2010, SOMERSET_2017_VISIT, DEVON_2013]


def import_seeds(*names: str) -> list[Inspection]:
    """Import the named seed files; fail loudly if the importer refuses one."""
    inspections = []
    for name in names:
        path = REPORTS / name
        source, _ = store_source(path.read_bytes(), path.name)
        attempt = import_source(source)
        assert attempt.outcome == "created", (attempt.error, attempt.log)
        inspections.append(source.inspections.get())
    return inspections


# --- Follow-through links on the seeds, one of each kind ------------------------------------

Link = FollowThroughLink
OVERSIGHT_2013 = "ensure that there is routine and recorded management oversight of cases"
OVERSIGHT_2017 = "the management oversight which is undertaken in addition to supervision"


@dataclass
class FollowThroughLinks:
    """The links made for a test, by what each is."""

    confirmed: Link  # 2013 recommendation -> the 2017 visit's finding, below the threshold
    suggested: Link  # 2010 recommendation -> a 2013 recommendation, above the threshold
    weak: Link  # 2010 recommendation -> a 2013 finding, below the threshold, undecided
    rejected: Link  # 2010 recommendation -> another 2013 finding, above it, rejected

    @property
    def oversight_2013(self) -> Recommendation:
        return self.confirmed.recommendation

    @property
    def recommendation_2010(self) -> Recommendation:
        return self.suggested.recommendation


def make_follow_through_links() -> FollowThroughLinks:
    """Follow-through links on Somerset's seeds, each of one kind, as a curator or the
    matcher would store them, with the statuses they give: these four alone (the matcher's
    own suggestions from the seeds' import are cleared, so that tests know every link)."""
    Link.objects.all().delete()
    update_statuses(list(Recommendation.objects.values_list("pk", flat=True)))
    oversight_2013 = Recommendation.objects.get(text__startswith=OVERSIGHT_2013)
    visit_finding = Finding.objects.get(text__contains=OVERSIGHT_2017)
    in_2010 = Recommendation.objects.filter(
        inspection__authority__slug="somerset", inspection__start_date__year=2010
    ).order_by("position")
    recommendation_2010 = in_2010.first()
    later_recommendation = (
        Recommendation.objects.filter(inspection=oversight_2013.inspection)
        .exclude(pk=oversight_2013.pk)
        .order_by("position")
        .first()
    )
    findings_2013 = Finding.objects.filter(inspection=oversight_2013.inspection).order_by(
        "position"
    )
    links = FollowThroughLinks(
        confirmed=Link.objects.create(
            recommendation=oversight_2013,
            later_finding=visit_finding,
            score=0.20,
            rank=1,
            stance=Link.Stance.NOT_IMPROVED,
            source=Link.Source.SUGGESTED,
            decision=Link.Decision.CONFIRMED,
        ),
        suggested=Link.objects.create(
            recommendation=recommendation_2010,
            later_recommendation=later_recommendation,
            score=THRESHOLD + 0.05,
            rank=1,
            stance=Link.Stance.RAISED_AGAIN,
            source=Link.Source.SUGGESTED,
        ),
        weak=Link.objects.create(
            recommendation=recommendation_2010,
            later_finding=findings_2013[0],
            score=THRESHOLD - 0.05,
            rank=3,
            stance=Link.Stance.IMPROVED,
            source=Link.Source.SUGGESTED,
        ),
        rejected=Link.objects.create(
            recommendation=recommendation_2010,
            later_finding=findings_2013[1],
            score=THRESHOLD + 0.1,
            rank=2,
            stance=Link.Stance.IMPROVED,
            source=Link.Source.SUGGESTED,
            decision=Link.Decision.REJECTED,
        ),
    )
    update_statuses([oversight_2013.pk, recommendation_2010.pk])
    # Recorded as the change's commit would be: with the listing cells counted for it.
    freshness.record_change_now()
    return links
