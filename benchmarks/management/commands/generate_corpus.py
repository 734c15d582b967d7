"""python manage.py generate_corpus [--findings N] [--recommendations M] [--seed S] [--clear]

Adds a synthetic corpus on top of the real imported reports, for benchmarks (see
benchmarks/synthetic.py): every current authority's inspections under every framework,
with judgements, N findings and M recommendations recombined from real paragraphs and
tagged by theme. Defaults: 1,000,000 findings and 100,000 recommendations.

`--clear` removes a synthetic corpus generated earlier; with --findings or
--recommendations it then generates a new one, otherwise it only clears. Generating when
a synthetic corpus is already loaded is refused. Progress goes to standard error, the
summary to standard output.

A command of the `benchmarks` app, so only where that app is installed:
    DJANGO_SETTINGS_MODULE=benchmarks.settings python manage.py generate_corpus ...
"""

from django.core.management.base import BaseCommand, CommandError

from benchmarks import synthetic

DEFAULT_FINDINGS = 1_000_000
DEFAULT_RECOMMENDATIONS = 100_000


class Command(BaseCommand):
    help = "Generate (or --clear) a synthetic corpus at scale on top of the real reports."

    def add_arguments(self, parser):
        parser.add_argument("--findings", type=int, help=f"default {DEFAULT_FINDINGS:,}")
        parser.add_argument(
            "--recommendations", type=int, help=f"default {DEFAULT_RECOMMENDATIONS:,}"
        )
        parser.add_argument("--seed", type=int, default=0, help="the same seed, the same corpus")
        parser.add_argument(
            "--clear", action="store_true", help="remove the synthetic corpus loaded earlier"
        )
        parser.add_argument(
            "--defer-indexes",
            action="store_true",
            default=None,
            help="drop and rebuild indexes around the load (default: from "
            f"{synthetic.DEFER_INDEXES_FROM:,} rows)",
        )
        parser.add_argument(
            "--keep-indexes", dest="defer_indexes", action="store_false", help="never drop them"
        )

    def handle(self, *args, **options):
        findings, recommendations = options["findings"], options["recommendations"]
        progress = self.stderr if options["verbosity"] > 0 else None
        if options["clear"]:
            removed = synthetic.clear(progress=progress)
            self.stdout.write(f"removed {removed} synthetic inspections and their records")
            if findings is None and recommendations is None:
                return
        if findings is None:
            findings = DEFAULT_FINDINGS
        if recommendations is None:
            recommendations = DEFAULT_RECOMMENDATIONS
        if findings < 0 or recommendations < 0:
            raise CommandError("--findings and --recommendations cannot be negative.")
        try:
            summary = synthetic.generate(
                findings=findings,
                recommendations=recommendations,
                seed=options["seed"],
                defer_indexes=options["defer_indexes"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        synthetic.print_summary(summary, self.stdout)
