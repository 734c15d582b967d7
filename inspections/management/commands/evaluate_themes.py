"""python manage.py evaluate_themes [--labelled PATH] [--cues] [--random] [--format json]

Measures the theme tagger in use (the current theme model, with cues for the themes it has
no say on) on the evaluation part of a labelled set: precision, recall and F1 per theme,
and micro and macro averages. `--cues` measures tagging by cue words alone, as before the
model, for comparison. `--random` leaves out the paragraphs the labelled set drew because
they mention a rare subject, so the figures are those of paragraphs as they come.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.themes.examples import LABELLED_SET, LabelledSetError, read_labelled_set
from inspections.themes.store import evaluate_tagger, theme_rules, theme_tagger
from inspections.themes.tagger import ThemeTagger

from ._themes import write_evaluation


class Command(BaseCommand):
    help = "Measure theme tagging on the labelled set's evaluation part."

    def add_arguments(self, parser):
        parser.add_argument("--labelled", type=Path, default=LABELLED_SET)
        parser.add_argument("--cues", action="store_true", help="cue words alone, no model")
        parser.add_argument(
            "--random", action="store_true", help="only paragraphs the set drew at random"
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, labelled: Path, cues: bool, random: bool, format: str, **options):
        if not labelled.is_file():
            raise CommandError(f"{labelled}: no such labelled set.")
        try:
            examples = read_labelled_set(labelled)
        except LabelledSetError as error:
            raise CommandError(str(error)) from error
        if random:
            examples = [e for e in examples if e.sample == "random"]
        tagger = ThemeTagger(None, theme_rules()) if cues else theme_tagger()
        evaluation = evaluate_tagger(tagger, examples)
        if not evaluation.paragraphs:
            raise CommandError(f"{labelled}: no paragraphs in the evaluation part.")
        result = evaluation.as_dict()
        if format == "json":
            self.stdout.write(json.dumps(result, indent=1))
            return
        model = "cue words alone" if cues else f"theme model id {tagger.model_id}"
        self.stdout.write(f"Tagger: {model}.")
        write_evaluation(self.stdout, result)
