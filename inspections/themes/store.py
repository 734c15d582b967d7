"""Theme models in the database: the one in use, training a new one, and tagging records.

- `theme_tagger()` is what an import tags with: the newest ThemeModel and the Theme rows'
  cues. A database with no model yet gets the one bundled with the code
  (`fixtures/themes/model.gz`, trained from the labelled set by `train_themes --bundle`).
- `train_model()` trains from the labelled set plus curators' corrections, measures the
  result on the evaluation part, and stores it as the next version (unless it is the same
  artefact as the newest).
- `apply_tags()` writes a tagger's themes to records, leaving alone every record whose
  themes a curator chose; the importer's save step and `retag()` both use it.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from .. import freshness
from ..models import (
    Finding,
    FindingTheme,
    Recommendation,
    RecommendationTheme,
    Theme,
    ThemeModel,
)
from .classifier import ThemeClassifier, digest_of
from .cues import ThemeRule
from .evaluation import Evaluation, evaluate
from .examples import (
    EVALUATION,
    LABELLED_SET,
    TRAINING,
    Example,
    combine,
    evaluation_authorities,
    read_labelled_set,
)
from .features import Paragraph
from .tagger import ThemeTagger

logger = logging.getLogger(__name__)

BUNDLED_MODEL = Path(settings.BASE_DIR) / "fixtures" / "themes" / "model.gz"


def theme_rules() -> list[ThemeRule]:
    """Every Theme's slug and cue words, as they are now."""
    return [ThemeRule(slug=t.slug, cues=tuple(t.cue_list)) for t in Theme.objects.order_by("pk")]


def current_model() -> ThemeModel | None:
    """The newest stored theme model (without its artefact loaded), installing the bundled
    one first where none is stored; None only if there is neither."""
    model = ThemeModel.objects.defer("artefact").first()
    if model is None and BUNDLED_MODEL.exists():
        model = install(BUNDLED_MODEL.read_bytes())
    return model


def install(artefact: bytes) -> ThemeModel:
    """Store an artefact as the next version, or return the newest if it is the same."""
    classifier = ThemeClassifier.from_bytes(artefact)  # refuses what is not an artefact
    digest = digest_of(artefact)
    for _attempt in range(3):
        newest = ThemeModel.objects.defer("artefact").first()
        if newest is not None and newest.digest == digest:
            return newest
        try:
            with transaction.atomic():
                return ThemeModel.objects.create(
                    version=(newest.version + 1) if newest else 1,
                    digest=digest,
                    artefact=artefact,
                    summary=classifier.summary,
                )
        except IntegrityError:
            continue  # another process stored a version at the same moment: look again
    raise RuntimeError("Could not store the theme model: versions kept colliding.")


def load_classifier(model: ThemeModel) -> ThemeClassifier:
    """The model's classifier, unpacked once per process."""
    return _unpacked(model.pk, model.digest)


@lru_cache(maxsize=4)
def _unpacked(pk: int, digest: str) -> ThemeClassifier:
    artefact = ThemeModel.objects.values_list("artefact", flat=True).get(pk=pk)
    return ThemeClassifier.from_bytes(bytes(artefact))


def theme_tagger() -> ThemeTagger:
    """The tagger imports use now: the current theme model, and the cues of the themes it
    has no say on."""
    model = current_model()
    if model is None:
        logger.warning("No theme model stored or bundled: tagging every theme by its cues.")
        return ThemeTagger(None, theme_rules())
    return ThemeTagger(load_classifier(model), theme_rules(), model_id=model.pk)


# --- Training and measuring ------------------------------------------------------------


@dataclass
class Trained:
    """What `train_model` did."""

    model: ThemeModel
    created: bool  # False when it was the same artefact as the newest
    curated: int  # curators' corrections it learnt from


def train_model(
    *, labelled: Path = LABELLED_SET, training_settings=None, store: bool = True
) -> tuple[ThemeClassifier, Trained | None]:
    """Train on the labelled set's training part plus curators' corrections, measure on
    the evaluation part, and (with `store`) keep it as the next ThemeModel."""
    from .training import TrainingSettings, train  # scikit-learn only when training

    labelled_examples = read_labelled_set(labelled)
    held_out = evaluation_authorities(labelled_examples)
    curated = curated_examples(held_out)
    examples = combine(labelled_examples, curated)
    rules = theme_rules()
    classifier = train(examples, rules, training_settings or TrainingSettings())
    measured = evaluate_tagger(ThemeTagger(classifier, rules), examples)
    classifier = replace(
        classifier,
        summary={
            **classifier.summary,
            "evaluation": measured.as_dict(),
            "labelled_set": {"paragraphs": len(labelled_examples), "curated": len(curated)},
        },
    )
    if not store:
        return classifier, None
    artefact = classifier.to_bytes()
    newest = ThemeModel.objects.defer("artefact").first()
    model = install(artefact)
    created = newest is None or newest.pk != model.pk
    return classifier, Trained(model, created, len(curated))


def curated_examples(evaluation: frozenset[str]) -> list[Example]:
    """Findings and recommendations whose themes a curator chose, as examples (hidden and
    withdrawn ones too: the themes were still judged). Those of evaluation councils are
    marked EVALUATION, so training leaves them out."""
    examples = []
    for model in (Finding, Recommendation):
        rows = (
            model.objects.filter(curated_fields__contains=["themes"])
            if connection.features.supports_json_field_contains
            else model.objects.exclude(curated_fields=[])  # SQLite: filtered below
        )
        rows = rows.select_related("inspection__authority").prefetch_related("themes")
        for row in rows.order_by("pk"):
            if "themes" not in row.curated_fields:
                continue
            authority = row.inspection.authority.slug
            examples.append(
                Example(
                    paragraph=paragraph_of(row),
                    themes=frozenset(t.slug for t in row.themes.all()),
                    authority=authority,
                    split=EVALUATION if authority in evaluation else TRAINING,
                    origin="curated",
                )
            )
    return examples


def evaluate_tagger(tagger: ThemeTagger, examples: Sequence[Example]) -> Evaluation:
    """The tagger's precision and recall per theme on the examples of the evaluation part."""
    held_out = [e for e in examples if e.split == EVALUATION]
    given = tagger.tag([e.paragraph for e in held_out], explain=False)
    return evaluate(
        [e.themes for e in held_out], [frozenset(t.slug for t in g) for g in given], tagger.themes
    )


# --- Writing tags ------------------------------------------------------------------------


@dataclass
class TagChanges:
    """Tags added and removed, per theme slug, and the records whose themes changed."""

    added: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    records: int = 0

    def __iadd__(self, other: TagChanges) -> TagChanges:
        self.added += other.added
        self.removed += other.removed
        self.records += other.records
        return self


_THROUGH = {
    Finding: (FindingTheme, "finding"),
    Recommendation: (RecommendationTheme, "recommendation"),
}


def paragraph_of(record: Finding | Recommendation) -> Paragraph:
    """A stored finding or recommendation as the theme model reads it."""
    if isinstance(record, Finding):
        return Paragraph(record.text, record.section, "finding")
    return Paragraph(record.text, "", "recommendation")


def apply_tags(
    records: Sequence[Finding | Recommendation],
    tagger: ThemeTagger,
    theme_ids: dict[str, int] | None = None,
) -> TagChanges:
    """Set each record's themes to what the tagger gives its text as it is now, except
    where a curator chose them, and record which model tagged it. The records are all
    findings or all recommendations."""
    changes = TagChanges()
    if not records:
        return changes
    model = type(records[0])
    through, owner = _THROUGH[model]
    theme_ids = (
        theme_ids if theme_ids is not None else dict(Theme.objects.values_list("slug", "pk"))
    )
    slugs = {pk: slug for slug, pk in theme_ids.items()}
    todo = [
        (record, paragraph_of(record))
        for record in records
        if "themes" not in record.curated_fields
    ]
    current: dict[int, dict[int, tuple[str, float | None]]] = defaultdict(dict)
    for owner_id, theme_id, reason, score in through.objects.filter(
        **{f"{owner}_id__in": [r.pk for r, _ in todo]}
    ).values_list(f"{owner}_id", "theme_id", "reason", "score"):
        current[owner_id][theme_id] = (reason, score)
    tags = tagger.tag([paragraph for _, paragraph in todo])
    to_delete, to_create, retagged = [], [], []
    for (record, _), found in zip(todo, tags, strict=True):
        wanted = {theme_ids[t.slug]: (t.why[:200], t.score) for t in found if t.slug in theme_ids}
        have = current.get(record.pk, {})
        if record.tagged_by_id != tagger.model_id:
            retagged.append(record.pk)
            record.tagged_by_id = tagger.model_id
        if wanted == have:
            continue
        changes.records += 1
        changes.added.update(slugs[t] for t in wanted.keys() - have.keys())
        changes.removed.update(slugs[t] for t in have.keys() - wanted.keys())
        to_delete.append(record.pk)
        to_create.extend(
            through(**{f"{owner}_id": record.pk}, theme_id=theme_id, reason=reason, score=score)
            for theme_id, (reason, score) in wanted.items()
        )
    if to_delete:
        through.objects.filter(**{f"{owner}_id__in": to_delete}).delete()
    through.objects.bulk_create(to_create)
    if retagged:
        model.objects.filter(pk__in=retagged).update(tagged_by_id=tagger.model_id)
    return changes


def retag_records(records: Sequence[Finding | Recommendation]) -> TagChanges:
    """Re-tag a few records of one kind as they are now (after a curator corrected their
    text), unless a curator chose their themes."""
    return apply_tags(records, theme_tagger())


def retag(*, batch_size: int = 2000, progress: Callable[[str], None] | None = None) -> TagChanges:
    """Re-tag every finding and recommendation with the current tagger, keeping curators'
    choices; marks the public data changed when any tag changed."""
    tagger = theme_tagger()
    theme_ids = dict(Theme.objects.values_list("slug", "pk"))
    total = TagChanges()
    for model in (Finding, Recommendation):
        fields = ["pk", "text", "curated_fields", "tagged_by_id"]
        if model is Finding:
            fields.append("section")
        last = 0
        while True:
            batch = list(
                model.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:batch_size]
            )
            if not batch:
                break
            with transaction.atomic():
                total += apply_tags(batch, tagger, theme_ids)
            last = batch[-1].pk
            if progress:
                progress(f"{model._meta.verbose_name_plural}: up to id {last}")
    if total.records:
        freshness.mark_changed()
    return total
