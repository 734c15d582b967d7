"""python manage.py train_themes [--labelled PATH] [--bundle] [--dry-run]

Trains the theme model from the labelled set's training part plus curators' corrections,
measures it on the evaluation part, and stores it as the next theme model version, which
imports then use (`retag_themes` applies it to records already imported). Training the same
examples again stores nothing new. `--bundle` also writes the artefact to
fixtures/themes/model.gz, the model a new database starts with.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.themes.examples import LABELLED_SET, LabelledSetError
from inspections.themes.store import BUNDLED_MODEL, train_model

from ._themes import write_evaluation


class Command(BaseCommand):
    help = "Train the theme model from the labelled set and curators' corrections."

    def add_arguments(self, parser):
        parser.add_argument("--labelled", type=Path, default=LABELLED_SET)
        parser.add_argument(
            "--bundle", action="store_true", help=f"also write the artefact to {BUNDLED_MODEL}"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="train and measure, but store nothing"
        )

    def handle(self, *args, labelled: Path, bundle: bool, dry_run: bool, **options):
        if not labelled.is_file():
            raise CommandError(f"{labelled}: no such labelled set.")
        try:
            classifier, trained = train_model(labelled=labelled, store=not dry_run)
        except LabelledSetError as error:
            raise CommandError(str(error)) from error
        summary = classifier.summary
        self.stdout.write(
            f"Trained on {summary['training_paragraphs']} paragraphs "
            f"({summary['labelled_set']['curated']} corrected by curators), "
            f"{summary['features']} features; threshold {summary['threshold']}."
        )
        if summary["cue_themes"]:
            self.stdout.write(
                "Too few examples, tagged by their cues: " + ", ".join(summary["cue_themes"])
            )
        write_evaluation(self.stdout, summary["evaluation"], summary["examples"])
        if bundle:
            BUNDLED_MODEL.write_bytes(classifier.to_bytes())
            self.stdout.write(f"Wrote {BUNDLED_MODEL}.")
        if trained is None:
            self.stdout.write("Dry run: nothing stored.")
        elif trained.created:
            self.stdout.write(
                f"Stored theme model v{trained.model.version}. Run `manage.py retag_themes` "
                "to re-tag the records already imported."
            )
        else:
            self.stdout.write(f"Same as theme model v{trained.model.version}: nothing stored.")
