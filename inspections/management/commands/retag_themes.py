"""python manage.py retag_themes

Re-tags every finding and recommendation with the theme model in use (and the cues of the
themes it has no say on), keeping every curator's choice of themes. Prints the tags added
and removed per theme, and marks the public data changed so cached pages refresh.
"""

import sys

from django.core.management.base import BaseCommand

from inspections.themes.store import retag


class Command(BaseCommand):
    help = "Re-tag every finding and recommendation with the current theme model."

    def handle(self, *args, **options):
        changes = retag(progress=lambda line: print(line, file=sys.stderr, flush=True))
        self.stdout.write(f"{changes.records} findings and recommendations changed themes.")
        slugs = sorted(set(changes.added) | set(changes.removed))
        if slugs:
            self.stdout.write(f"{'theme':28} {'added':>7} {'removed':>7}")
            for slug in slugs:
                self.stdout.write(f"{slug:28} {changes.added[slug]:>7} {changes.removed[slug]:>7}")
            self.stdout.write(
                f"{'total':28} {sum(changes.added.values()):>7} {sum(changes.removed.values()):>7}"
            )
