"""python manage.py harvest_ofsted [--authority SLUG ...]

Reads each current authority's provider page on Ofsted's reports site (or the named
authorities'), downloads the children's services publications not yet held, and imports
them with the listing's publication date (see inspections/harvest.py and DOMAIN.md
"Harvesting from Ofsted"). Ends with one summary line: new, unchanged and failed files.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from inspections.harvest import (
    HarvestResult,
    ListingChanged,
    client_from_settings,
    harvest_authority,
)
from inspections.importer.service import AuthorityResolver
from inspections.models import Authority
from inspections.themes.store import theme_tagger


class Command(BaseCommand):
    help = "Download and import new children's services reports from Ofsted's reports site."

    def add_arguments(self, parser):
        parser.add_argument(
            "--authority",
            action="append",
            metavar="SLUG",
            default=[],
            help="Only this authority (repeatable); default: every current authority.",
        )

    def handle(self, *args, authority, **options):
        if not settings.HARVEST_CONTACT:
            raise CommandError(
                "Set HARVEST_CONTACT to an address Ofsted can reach you at: it goes in the "
                "User-Agent of every request."
            )
        authorities = self.authorities(authority)
        client = client_from_settings()
        resolver, tagger = AuthorityResolver(), theme_tagger()
        result = HarvestResult()
        for one in authorities:
            try:
                harvest_authority(
                    one,
                    client,
                    result,
                    resolver=resolver,
                    tagger=tagger,
                    review=settings.HARVEST_REVIEW,
                )
            except ListingChanged as changed:
                raise CommandError(f"Ofsted's page has changed: {changed}") from None
            finally:
                for message in result.messages:
                    self.stderr.write(message)
                result.messages.clear()
        if result.pending:
            url = reverse("admin:inspections_sourcedocument_review")
            ids = ",".join(str(pk) for pk in result.pending)
            self.stdout.write(f"{len(result.pending)} files await review: {url}?ids={ids}")
        self.stdout.write(result.summary())
        if result.failed:
            raise CommandError(f"{len(result.failed)} files failed; see the messages above.")

    def authorities(self, slugs: list[str]) -> list[Authority]:
        """The authorities named, or every current one; an unknown slug is an error."""
        if not slugs:
            return list(Authority.objects.filter(abolished_on=None).order_by("name"))
        found = {a.slug: a for a in Authority.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise CommandError(f"No authority with the slug: {', '.join(unknown)}.")
        return [found[slug] for slug in slugs]
