"""python manage.py rebuild_follow_through [--authority SLUG]

Rebuilds the follow-through links (inspections/follow_through.py): for every recommendation,
the later findings and recommendations of the same council on its subject, and its status.
Curators' decisions are kept. Prints what changed per council.
"""

from django.core.management.base import BaseCommand, CommandError

from inspections.follow_through import rebuild_follow_through
from inspections.models import Authority


class Command(BaseCommand):
    help = "Rebuild the links from recommendations to what later inspections said."

    def add_arguments(self, parser):
        parser.add_argument("--authority", metavar="SLUG", help="Only this council.")

    def handle(self, *args, **options):
        authorities = Authority.objects.filter(inspections__isnull=False).distinct()
        if options["authority"]:
            authorities = Authority.objects.filter(slug=options["authority"])
            if not authorities:
                raise CommandError(f"No authority has the slug {options['authority']!r}.")
        added = removed = changed = 0
        for authority in authorities.order_by("name"):
            result = rebuild_follow_through(authority)
            added, removed = added + result.added, removed + result.removed
            changed += result.statuses_changed
            if result.added or result.updated or result.removed or result.statuses_changed:
                self.stdout.write(result.describe())
        self.stdout.write(
            f"In all: {added} links suggested, {removed} withdrawn, {changed} statuses changed."
        )
