"""Recommendations followed through: the matcher, stances, statuses, the rebuild (by
import and by command), curators' decisions and their review in the admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from inspections.follow_through import (
    THRESHOLD,
    read_stance,
    rebuild_follow_through,
    status_of,
    subject_terms,
    suggest,
)
from inspections.importer.service import import_source
from inspections.models import Authority, Finding, FollowThroughLink, Recommendation

from .seeds import SOMERSET_2010, SOMERSET_2013, import_seeds

pytestmark = pytest.mark.django_db

Link = FollowThroughLink
OVERSIGHT_2013 = "ensure that there is routine and recorded management oversight of cases"
# What the 2017 monitoring visit found on it.
OVERSIGHT_2017 = "the management oversight which is undertaken in addition to supervision"


def test_somerset_2013_management_oversight_links_to_what_the_2017_visit_found(seeds):
    """The matcher's best candidate for it is the visit's finding on management oversight,
    read as not improved, and it scores above the measured THRESHOLD, so a rebuild stores
    it: README, "Recommendations followed through"."""
    somerset = Authority.objects.get(slug="somerset")
    recommendation = Recommendation.objects.get(text__startswith=OVERSIGHT_2013)
    best = next(
        s for s in suggest(somerset, threshold=0.05) if s.recommendation_id == recommendation.pk
    )
    later = Finding.objects.get(pk=best.later_id)
    assert not best.later_is_recommendation
    assert later.inspection.framework == "monitoring_visit"
    assert OVERSIGHT_2017 in later.text
    assert best.stance == Link.Stance.NOT_IMPROVED  # "not sufficiently robust"
    assert best.score >= THRESHOLD

    rebuild_follow_through(somerset)
    stored = recommendation.follow_through_links.get(rank=1)
    assert stored.later_finding_id == later.pk
    assert stored.source == Link.Source.SUGGESTED and stored.decision == Link.Decision.NONE
    recommendation.refresh_from_db()
    assert recommendation.follow_through_status == "not_improved"


@pytest.mark.parametrize(
    ("abbreviated", "spelt_out"),
    [
        ("IROs", "independent reviewing officers"),
        ("CSE", "child sexual exploitation"),
        ("NEET", "not in education, employment or training"),
        ("children looked after", "children in care"),
    ],
)
def test_a_subject_abbreviated_reads_as_spelt_out(abbreviated, spelt_out):
    assert subject_terms(f"The {abbreviated} team.") == subject_terms(f"The {spelt_out} team.")


def test_only_later_inspections_of_the_same_council_are_suggested(seeds):
    somerset = Authority.objects.get(slug="somerset")
    for s in suggest(somerset, threshold=0.0):
        recommendation = Recommendation.objects.select_related("inspection").get(
            pk=s.recommendation_id
        )
        model = Recommendation if s.later_is_recommendation else Finding
        later = model.objects.select_related("inspection").get(pk=s.later_id)
        assert later.inspection.authority_id == somerset.pk
        assert later.inspection.start_date > recommendation.inspection.start_date
    assert suggest(Authority.objects.get(slug="devon"), threshold=0.0) == []  # one report


@pytest.mark.parametrize(
    ("finding", "stance"),
    [
        ("Management oversight of cases has improved and is now effective.", "improved"),
        ("Management oversight of cases is still not robust.", "not_improved"),
        ("Management oversight of cases has improved but remains inconsistent.", "unclear"),
        ("Management oversight of cases is undertaken by team managers.", "unclear"),
        ("Management oversight of cases lets children remain living with family.", "unclear"),
    ],
)
def test_the_stance_is_read_only_when_every_cue_agrees(finding, stance):
    assert read_stance("Improve management oversight of cases.", finding)[0] == stance


def _link(**fields) -> FollowThroughLink:
    defaults = {"source": Link.Source.SUGGESTED, "decision": Link.Decision.NONE}
    return FollowThroughLink(**{**defaults, **fields})


def test_statuses():
    improved = _link(later_finding_id=1, stance="improved")
    worse = _link(later_finding_id=2, stance="not_improved")
    again = _link(later_recommendation_id=3, stance="raised_again")
    assert status_of([]) == "nothing_yet"
    assert status_of([improved]) == "improved"
    assert status_of([worse, worse]) == "not_improved"
    assert status_of([improved, worse]) == "later_findings"
    assert status_of([_link(later_finding_id=4, stance="unclear")]) == "later_findings"
    assert status_of([worse, again]) == "raised_again"
    # A rejected link never counts; confirmed ones decide where there are any.
    assert status_of([_link(later_recommendation_id=3, decision="rejected")]) == "nothing_yet"
    assert status_of(
        [worse, _link(later_finding_id=1, stance="improved", decision="confirmed")]
    ) == ("improved")


def _somerset_2010_and_2013() -> tuple[Authority, Recommendation]:
    import_seeds(SOMERSET_2010, SOMERSET_2013)
    somerset = Authority.objects.get(slug="somerset")
    oversight_2010 = Recommendation.objects.get(
        inspection__start_date__year=2010, text__contains="management oversight"
    )
    return somerset, oversight_2010


def test_rebuilding_keeps_curators_decisions_and_never_suggests_a_rejected_pair_again():
    somerset, recommendation = _somerset_2010_and_2013()
    rebuild_follow_through(somerset, threshold=0.05)
    suggested = list(recommendation.follow_through_links.order_by("rank"))
    assert len(suggested) >= 2
    rejected, confirmed = suggested[0], suggested[1]
    rejected.decision = Link.Decision.REJECTED
    rejected.save()
    confirmed.decision = Link.Decision.CONFIRMED
    confirmed.save()
    added = FollowThroughLink.objects.create(
        recommendation=recommendation,
        later_finding=Finding.objects.filter(inspection__start_date__year=2013).last(),
        stance=Link.Stance.IMPROVED,
    )
    # Whatever the matcher would now say (here: nothing at all), decisions stay.
    result = rebuild_follow_through(somerset, threshold=1.1)
    assert result.kept_decided == 3
    rebuild_follow_through(somerset, threshold=0.05)
    kept = {link.pk: link.decision for link in recommendation.follow_through_links.all()}
    assert kept[rejected.pk] == "rejected" and kept[confirmed.pk] == "confirmed"
    assert added.pk in kept
    pairs = [
        (link.later_finding_id, link.later_recommendation_id)
        for link in recommendation.follow_through_links.all()
    ]
    assert len(pairs) == len(set(pairs))  # the rejected pair was not suggested again


def test_curators_decisions_survive_a_re_import():
    _, recommendation = _somerset_2010_and_2013()
    later = Finding.objects.filter(inspection__start_date__year=2013)
    confirmed = FollowThroughLink.objects.create(
        recommendation=recommendation,
        later_finding=later.first(),
        stance=Link.Stance.NOT_IMPROVED,
        decision=Link.Decision.CONFIRMED,
    )
    rejected = FollowThroughLink.objects.create(
        recommendation=recommendation,
        later_finding=later.last(),
        source=Link.Source.SUGGESTED,
        decision=Link.Decision.REJECTED,
    )
    # A changed report (here, one paragraph's words put back) is re-imported, "updated".
    report_2013 = later.first().inspection
    Finding.objects.filter(pk=later.first().pk).update(text="changed")
    attempt = import_source(report_2013.source_document)
    assert attempt.outcome == "updated"
    assert "Follow-through: Somerset" in attempt.log
    assert Link.objects.get(pk=confirmed.pk).decision == "confirmed"
    assert Link.objects.get(pk=rejected.pk).decision == "rejected"
    recommendation.refresh_from_db()
    assert recommendation.follow_through_status == "not_improved"


def test_the_command_rebuilds_and_says_what_changed(capsys):
    _somerset_2010_and_2013()
    call_command("rebuild_follow_through", authority="somerset")
    first = capsys.readouterr().out
    assert "In all:" in first
    call_command("rebuild_follow_through")
    assert "In all: 0 links suggested, 0 withdrawn, 0 statuses changed." in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("rebuild_follow_through", authority="nowhere")


def test_a_curator_reviews_links_in_the_admin(client, curator):
    somerset, recommendation = _somerset_2010_and_2013()
    rebuild_follow_through(somerset, threshold=0.05)
    link = recommendation.follow_through_links.order_by("rank").first()
    client.force_login(curator)
    page = client.get(reverse("admin:inspections_recommendation_change", args=[recommendation.pk]))
    assert page.status_code == 200
    assert b"what happened next" in page.content.lower()
    changelist = reverse("admin:inspections_followthroughlink_changelist")
    assert client.get(changelist, {"decision__exact": "none"}).status_code == 200
    response = client.post(
        changelist, {"action": "reject", "_selected_action": [str(link.pk)]}, follow=True
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.decision == "rejected"
    assert link.decided_by == curator and link.decided_at is not None
    others = recommendation.follow_through_links.exclude(pk=link.pk)
    recommendation.refresh_from_db()
    assert recommendation.follow_through_status == status_of(others)
