"""The explorer's records, in DOMAIN.md's words.

Authorities are inspected; each Inspection belongs to one framework and grades some
judgement areas (Judgement); its report says what must improve (Recommendation) and why,
in numbered paragraphs (Finding). Findings and recommendations are tagged by Theme.
Every inspection comes from a SourceDocument, the original file, whose ImportAttempts
record what the importer did with it.

Curators correct records in the admin. A corrected field's name goes into the record's
`curated_fields`, and the importer never overwrites those fields, so corrections survive
re-imports. Findings and recommendations have a `public_id` that is their permalink and
never changes once published.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import get_script_prefix, reverse

from .vocabulary import (
    ADDRESSEES,
    AREAS,
    FINDING_KINDS,
    FOLLOW_THROUGH_STATUSES,
    FRAMEWORKS,
    GRADE_ORDINALS,
    GRADES,
    TIMESCALES,
)

FRAMEWORK_CHOICES = list(FRAMEWORKS.items())
AREA_CHOICES = list(AREAS.items())
GRADE_CHOICES = list(GRADES.items())
TIMESCALE_CHOICES = list(TIMESCALES.items())
KIND_CHOICES = list(FINDING_KINDS.items())
ADDRESSEE_CHOICES = list(ADDRESSEES.items())


# A slug as the public filters take one (`?theme=`, `?authority=`: filters.py): lower-case
# letters and digits, in words joined by single hyphens. Curators' theme slugs must be one,
# or the theme's own filter links would answer 400.
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG = re.compile(SLUG_PATTERN)
validate_public_slug = RegexValidator(
    rf"\A{SLUG_PATTERN}\Z",
    "Use lower-case letters and digits, in words joined by single hyphens (“young-carers”).",
)


def _in_codes(field: str, codes) -> Q:
    return Q(**{f"{field}__in": list(codes)})


def record_url(url_name: str, kwarg: str, key: str) -> str:
    """The path of one record's page: reverse(url_name, kwargs={kwarg: key}), made fast.

    Listings and the authority page link hundreds of records; reverse() costs ~50 µs each.
    The path is reversed once per URL name (and script prefix) around a placeholder, then
    filled in. Keys are slugs and public ids, which need no quoting in a path.
    """
    before, after = record_url_parts(url_name, kwarg)
    return f"{before}{key}{after}"


def record_url_parts(url_name: str, kwarg: str) -> tuple[str, str]:
    """What comes before and after the key in `record_url`'s paths (for exports, which
    fill in a hundred thousand)."""
    return _url_around_key(url_name, kwarg, get_script_prefix())


@functools.lru_cache(maxsize=64)
def _url_around_key(url_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    placeholder = "record-key-placeholder"
    before, _, after = reverse(url_name, kwargs={kwarg: placeholder}).partition(placeholder)
    return before, after


class Region(models.Model):
    """An English region (ONS), for grouping and filtering authorities."""

    code = models.CharField(
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^E12\d{6}$")],
        help_text="ONS region code, e.g. E12000009.",
    )
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Authority(models.Model):
    """A council with children's services responsibilities: one page of history each.

    Former authorities (abolished in a reorganisation) stay, linked to their successors,
    so their reports still belong somewhere.
    """

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    urn = models.PositiveIntegerField("Ofsted URN", unique=True)
    la_code = models.CharField(
        "DfE LA code", max_length=3, unique=True, validators=[RegexValidator(r"^\d{3}$")]
    )
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    ons_code_previous = models.CharField(
        "previous ONS code",
        max_length=9,
        blank=True,
        help_text="The code before the latest boundary or status change, where different.",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="authorities")
    ons_type = models.CharField("ONS type", max_length=50, blank=True)
    population_0_to_25 = models.PositiveIntegerField("population aged 0–25", null=True, blank=True)
    abolished_on = models.DateField(
        null=True, blank=True, help_text="Empty for a current authority."
    )
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        help_text="The authorities that took over its children's services.",
    )
    statistical_neighbours = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="StatisticalNeighbour",
        through_fields=("authority", "neighbour"),
        related_name="+",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("authority-detail", "slug", self.slug)

    @property
    def is_current(self) -> bool:
        return self.abolished_on is None

    @property
    def ofsted_url(self) -> str:
        """Its provider page on Ofsted's reports site, which lists every report Ofsted
        published about it: OFSTED_PROVIDER_URL with the URN, the page the harvester reads."""
        return settings.OFSTED_PROVIDER_URL.format(urn=self.urn)


class AlternativeName(models.Model):
    """A name a report uses for an authority ("Bristol City of", "BCP").

    The importer resolves names through these as well as the official names.
    """

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="alternative_names"
    )
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatisticalNeighbour(models.Model):
    """One of an authority's ten statistical neighbours (DfE), closest first."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    neighbour = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(help_text="1 is the closest.")

    class Meta:
        ordering = ["authority", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "neighbour"], name="neighbour_once"),
            models.UniqueConstraint(fields=["authority", "rank"], name="neighbour_rank_once"),
            models.CheckConstraint(
                condition=~Q(authority=models.F("neighbour")), name="neighbour_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.neighbour}"


class Theme(models.Model):
    """A subject findings and recommendations are tagged with.

    The theme model (ThemeModel) tags the themes it has enough labelled examples for; a
    theme it has too few for, such as one a curator has just added, is tagged by its cue
    words as they are at import time.
    """

    slug = models.SlugField(max_length=60, unique=True, validators=[validate_public_slug])
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    cues = models.TextField(
        help_text="One cue word or phrase per line. All-capital cues (MASH, PEP) match "
        "case-sensitively; others match in any case, with simple plurals."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cue_list(self) -> list[str]:
        return [cue.strip() for cue in self.cues.splitlines() if cue.strip()]


def source_document_path(instance: SourceDocument, filename: str) -> str:
    # Never the uploader's file name: the content's hash, so names can't collide or
    # traverse, and the same file is stored once.
    return f"sources/{instance.sha256[:2]}/{instance.sha256}"


class SourceDocument(models.Model):
    """An original file as uploaded, kept unchanged; the evidence behind its records."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        IMPORTED = "imported", "Imported"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Import failed"

    file = models.FileField(upload_to=source_document_path, max_length=200)
    sha256 = models.CharField(
        "SHA-256", max_length=64, unique=True, validators=[RegexValidator(r"^[0-9a-f]{64}$")]
    )
    original_name = models.CharField(
        max_length=255, help_text="The file's name when it was loaded, for reference only."
    )
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when loaded from the command line.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Where a harvested file was downloaded from (harvest_ofsted): how a later run knows it
    # already holds a publication without fetching it again. Empty for uploads.
    source_url = models.URLField(max_length=500, blank=True, db_index=True)
    # The publication date Ofsted's listing gave for the file, kept with the file so that an
    # import run later (after review in the admin, or a re-import) still uses it.
    listed_published_date = models.DateField(
        null=True, blank=True, help_text="The publication date on Ofsted's listing, if known."
    )

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def hash_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class ImportAttempt(models.Model):
    """One run of the importer over a source document: its outcome and full log."""

    class Outcome(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        UNCHANGED = "unchanged"
        REJECTED = "rejected"
        FAILED = "failed"

    source_document = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, related_name="import_attempts"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    log = models.TextField(blank=True)
    summary = models.JSONField(
        default=dict, blank=True, help_text="The import command's JSON record for this run."
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_document} {self.outcome} {self.started_at:%Y-%m-%d %H:%M}"


class Inspection(models.Model):
    """One inspection (or visit) of an authority under one framework, from one report."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="inspections")
    framework = models.CharField(max_length=20, choices=FRAMEWORK_CHOICES)
    slug = models.SlugField(
        max_length=250,
        unique=True,
        help_text="Part of the inspection's URL; set once and never changed.",
    )
    title = models.CharField(max_length=500, blank=True)
    start_date = models.DateField(help_text="First day on site.")
    end_date = models.DateField(help_text="Last day on site.")
    published_date = models.DateField(null=True, blank=True)

    class DateSource(models.TextChoices):
        """Where a publication date came from; never the import time or a file's name."""

        REPORT = "report", "printed in the report"
        OFSTED_LISTING = "ofsted_listing", "Ofsted's list of reports"
        CURATOR = "curator", "entered by a curator"
        UNKNOWN = "", "unknown"

    published_date_source = models.CharField(
        max_length=20, choices=DateSource.choices, blank=True, default=DateSource.UNKNOWN
    )
    lead_inspector = models.CharField(max_length=200, blank=True)
    # Kept in step with the `overall` Judgement (see Judgement.save) because every
    # findings filter by grade reads it.
    overall_grade = models.CharField(max_length=20, choices=GRADE_CHOICES, blank=True)
    source_document = models.ForeignKey(
        SourceDocument, on_delete=models.PROTECT, related_name="inspections"
    )
    curated_fields = models.JSONField(default=list, blank=True, editable=False)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-start_date", "authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "framework", "start_date"], name="one_inspection_per_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="inspection_ends_after_start",
            ),
            models.CheckConstraint(
                condition=_in_codes("framework", FRAMEWORKS), name="inspection_framework_code"
            ),
            models.CheckConstraint(
                condition=Q(overall_grade="") | _in_codes("overall_grade", GRADES),
                name="inspection_overall_grade_code",
            ),
        ]
        indexes = [models.Index(fields=["authority", "-start_date"])]

    def __str__(self) -> str:
        return f"{self.authority}: {self.get_framework_display()} {self.start_date:%B %Y}"

    def get_absolute_url(self) -> str:
        return record_url("inspection-detail", "slug", self.slug)


class Judgement(models.Model):
    """A graded area of one inspection: one per area per inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=30, choices=AREA_CHOICES)
    grade = models.CharField(max_length=20, choices=GRADE_CHOICES)
    words = models.CharField(max_length=300, help_text="The report's own words for the grade.")
    curated_fields = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="one_judgement_per_area"),
            models.CheckConstraint(condition=_in_codes("area", AREAS), name="judgement_area_code"),
            models.CheckConstraint(
                condition=_in_codes("grade", GRADES), name="judgement_grade_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.get_grade_display()}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.area == "overall":
            Inspection.objects.filter(pk=self.inspection_id).update(overall_grade=self.grade)

    def delete(self, *args, **kwargs):
        if self.area == "overall":
            Inspection.objects.filter(pk=self.inspection_id).update(overall_grade="")
        return super().delete(*args, **kwargs)

    @property
    def ordinal(self) -> int:
        """Outstanding 1 … inadequate 4, for charts; never for filtering."""
        return GRADE_ORDINALS[self.grade]


def public_id_for(*parts: object) -> str:
    """A short, stable identifier for a permalink, derived from a record's identity.

    Derived rather than random so the same report imported into an empty database gives
    the same permalinks; stored, so it never changes once published.
    """
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:12]


class ThemeModel(models.Model):
    """A trained theme model: the versioned artefact imports and `retag_themes` tag with.

    `train_themes` adds one from the labelled set and curators' corrections; the newest is
    the one in use. The artefact is `themes.classifier.ThemeClassifier.to_bytes()`; the
    summary repeats what the admin shows of it (examples and measured precision and recall
    per theme) so that showing it never unpacks the artefact.
    """

    version = models.PositiveIntegerField(unique=True)
    digest = models.CharField("SHA-256", max_length=64, help_text="Of the artefact.")
    artefact = models.BinaryField(editable=False)
    trained_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = "theme model"

    def __str__(self) -> str:
        return f"theme model v{self.version}"


def published_condition(via: str = "") -> Q:
    """The publishing rule: neither hidden by a curator nor withdrawn from the report.

    `via` reaches the record through a relation ("finding__"), for a condition on a row
    that links to it (a theme link, say) without a subquery.
    """
    return Q(**{f"{via}is_hidden": False, f"{via}withdrawn_at__isnull": True})


# The rule's opposite, said positively: hidden or withdrawn. Few rows, with a partial index
# each, so "all but these" is cheap to say at a million rows.
UNPUBLISHED = Q(is_hidden=True) | Q(withdrawn_at__isnull=False)


class PublishedTextQuerySet(models.QuerySet):
    """Findings or recommendations, with the publishing rule as a method."""

    def published(self) -> PublishedTextQuerySet:
        """Those the public may see: listed, counted and linked to."""
        return self.filter(published_condition())

    def unpublished(self) -> PublishedTextQuerySet:
        """Those hidden or withdrawn: their permalinks answer 410."""
        return self.filter(UNPUBLISHED)


class PublishedText(models.Model):
    """What findings and recommendations share: a permalink, curation and withdrawal."""

    public_id = models.CharField(max_length=16, unique=True, editable=False)
    text = models.TextField()
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden by a curator: not shown publicly, kept on record."
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a re-import no longer found it in the report; its permalink answers 410.",
    )
    curated_fields = models.JSONField(default=list, blank=True, editable=False)
    # No index: only deleting a theme model looks rows up by it, and models are kept.
    tagged_by = models.ForeignKey(
        ThemeModel,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text="The theme model that last tagged it; empty before theme models.",
    )

    objects = PublishedTextQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        """Shown publicly: `published_condition()` for one record already read.

        An unpublished record's permalink answers 410 Gone, with a link to its inspection.
        """
        return not self.is_hidden and self.withdrawn_at is None


class Finding(PublishedText):
    """A numbered findings paragraph: the evidence people cite ("paragraph 34 of ...")."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    section = models.CharField(max_length=300, help_text="The heading it sits under, as printed.")
    area = models.CharField(
        max_length=30,
        choices=AREA_CHOICES,
        blank=True,
        help_text="The judgement area the section reports on, where there is one.",
    )
    paragraph = models.CharField(
        max_length=10, blank=True, help_text="The number as printed; empty where unnumbered."
    )
    position = models.PositiveIntegerField(help_text="Order within the report.")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES, blank=True)
    themes = models.ManyToManyField(
        Theme, through="FindingTheme", related_name="findings", blank=True
    )

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area="") | _in_codes("area", AREAS), name="finding_area_code"
            ),
            models.CheckConstraint(
                condition=Q(kind="") | _in_codes("kind", FINDING_KINDS), name="finding_kind_code"
            ),
        ]
        # Not unique: a re-import may reorder paragraphs, and withdrawn ones keep theirs.
        indexes = [
            models.Index(fields=["inspection", "position"]),
            models.Index(fields=["id"], condition=UNPUBLISHED, name="finding_unpublished"),
        ]

    def __str__(self) -> str:
        number = f"paragraph {self.paragraph}" if self.paragraph else f"#{self.position + 1}"
        return f"{self.inspection}, {number}"

    def get_absolute_url(self) -> str:
        return record_url("finding-detail", "public_id", self.public_id)


class Recommendation(PublishedText):
    """Something an inspection told the authority (or its LSCB) to improve."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    position = models.PositiveIntegerField(help_text="Order within its addressee's list.")
    addressee = models.CharField(max_length=10, choices=ADDRESSEE_CHOICES, default="authority")
    timescale = models.CharField(max_length=30, choices=TIMESCALE_CHOICES, blank=True)
    themes = models.ManyToManyField(
        Theme, through="RecommendationTheme", related_name="recommendations", blank=True
    )
    evidence = models.ManyToManyField(
        Finding,
        related_name="recommendations",
        blank=True,
        help_text="The findings paragraphs marked '(Recommendation)' that support it.",
    )
    # What later inspections of the council said on its subject (follow_through.py), kept
    # with the record so that listings and counts read it without joining the links.
    follow_through_status = models.CharField(
        "what happened next",
        max_length=20,
        choices=list(FOLLOW_THROUGH_STATUSES.items()),
        default="nothing_yet",
        editable=False,
    )

    class Meta:
        ordering = ["inspection", "addressee", "position"]
        constraints = [
            models.CheckConstraint(
                condition=_in_codes("addressee", ADDRESSEES), name="recommendation_addressee_code"
            ),
            models.CheckConstraint(
                condition=Q(timescale="") | _in_codes("timescale", TIMESCALES),
                name="recommendation_timescale_code",
            ),
        ]
        indexes = [
            models.Index(fields=["inspection", "addressee", "position"]),
            models.Index(fields=["id"], condition=UNPUBLISHED, name="recommendation_unpublished"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection}, recommendation {self.position + 1}"

    def get_absolute_url(self) -> str:
        return record_url("recommendation-detail", "public_id", self.public_id)


class Tagging(models.Model):
    """Why a record has a theme: what weighed most in the theme model, the cue words that
    matched, or a curator's choice."""

    reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="The words that weighed most, or the cue that matched; empty when a curator "
        "chose it.",
    )
    score = models.FloatField(
        null=True,
        blank=True,
        help_text="The theme model's probability; empty for cues and curators.",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.theme} ({self.reason or 'chosen by a curator'})"


class FindingTheme(Tagging):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "theme"], name="finding_theme_once")
        ]
        indexes = [models.Index(fields=["theme", "finding"])]


class RecommendationTheme(Tagging):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "theme"], name="recommendation_theme_once"
            )
        ]
        indexes = [models.Index(fields=["theme", "recommendation"])]


class DataVersion(models.Model):
    """When the public data last changed: a single row, written by `freshness.mark_changed`.

    The public pages' HTTP validators (ETag, Last-Modified) and their "data updated" line
    are read from it, so finding out whether anything changed costs one primary-key lookup
    rather than a scan of every table.
    """

    SINGLETON_ID = 1

    version = models.PositiveBigIntegerField(default=0, help_text="Counts changes.")
    changed_at = models.DateTimeField(help_text="When any public record last changed.")
    imported_at = models.DateTimeField(
        null=True, blank=True, help_text="When a report was last imported with changes."
    )
    newest_published_date = models.DateField(
        null=True,
        blank=True,
        help_text="The newest publication date of any inspection: how current the data is "
        "(the import time says when we read it, not how new what we read is).",
    )
    cells_version = models.PositiveBigIntegerField(
        default=0,
        help_text="The version the listing cells (ListingCell) were counted at: they are "
        "read only while it is the current version.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="data_version_single_row"),
        ]

    def __str__(self) -> str:
        return f"version {self.version}, changed {self.changed_at:%Y-%m-%d %H:%M:%S}"


class ListingCell(models.Model):
    """How many published rows of a listing one inspection has, per row dimension (a
    finding's area; a recommendation's addressee, timescale and follow-through status) and
    per theme: counted once
    per data version (inspections/listing_cells.py), so a listing's total, facet counts and
    page index are sums over a few thousand cells instead of counts over every row.

    `theme` NULL: all the rows of that cell; otherwise those tagged with the theme.
    Derived data: rebuilt whole, never edited, and not a public record itself.
    """

    listing = models.CharField(max_length=20)  # ListingKind.name: "finding", "recommendation"
    inspection = models.ForeignKey(
        Inspection, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    area = models.CharField(max_length=30, blank=True)
    addressee = models.CharField(max_length=10, blank=True)
    timescale = models.CharField(max_length=30, blank=True)
    follow_through_status = models.CharField(max_length=20, blank=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    rows = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["listing", "theme"])]

    def __str__(self) -> str:
        return f"{self.listing} cell of inspection {self.inspection_id}: {self.rows}"


class LoginAttempts(models.Model):
    """Failed admin log-ins for one username from one address, and any lock on that pair.

    Kept in the database rather than the cache (inspections/login_throttle.py): anonymous
    requests that fill the page cache cannot evict a lock, and every worker and server
    counts the same failures.
    """

    key = models.CharField(
        max_length=64,
        primary_key=True,
        help_text="SHA-256 of the normalised username and the client's address.",
    )
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(help_text="When the first counted failure was.")
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "log-in attempts"
        verbose_name_plural = "log-in attempts"

    def __str__(self) -> str:
        if self.locked_until:
            return f"locked until {self.locked_until:%Y-%m-%d %H:%M}"
        return f"{self.failures} failure(s) since {self.window_started_at:%Y-%m-%d %H:%M}"


class FollowThroughLink(models.Model):
    """What a later inspection or visit of the same council said on a recommendation's
    subject: one of its findings or recommendations, suggested by the matcher
    (`follow_through.py`) or added by a curator.

    Rebuilding replaces only undecided suggestions: a confirmed link stays even if the
    matcher would no longer suggest it, and a rejected pair is never suggested again.
    """

    class Source(models.TextChoices):
        SUGGESTED = "suggested", "suggested by the matcher"
        CURATOR = "curator", "added by a curator"

    class Decision(models.TextChoices):
        NONE = "none", "not yet reviewed"
        CONFIRMED = "confirmed", "confirmed"
        REJECTED = "rejected", "rejected"

    class Stance(models.TextChoices):
        RAISED_AGAIN = "raised_again", "raised again"
        IMPROVED = "improved", "says it improved"
        NOT_IMPROVED = "not_improved", "says it has not improved"
        UNCLEAR = "unclear", "stance not read"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="follow_through_links"
    )
    later_finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    later_recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(
        null=True,
        blank=True,
        help_text="The matcher's similarity, 0–1; empty if a curator added it.",
    )
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 is the matcher's best for this recommendation."
    )
    stance = models.CharField(max_length=20, choices=Stance.choices, default=Stance.UNCLEAR)
    reason = models.CharField(
        max_length=300, blank=True, help_text="What the match and the stance were read from."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CURATOR)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.NONE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["recommendation", "rank", "id"]
        verbose_name = "follow-through link"
        constraints = [
            models.CheckConstraint(
                condition=Q(later_finding__isnull=False, later_recommendation__isnull=True)
                | Q(later_finding__isnull=True, later_recommendation__isnull=False),
                name="follow_through_one_target",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "later_finding"],
                condition=Q(later_finding__isnull=False),
                name="follow_through_finding_once",
            ),
            models.UniqueConstraint(
                fields=["recommendation", "later_recommendation"],
                condition=Q(later_recommendation__isnull=False),
                name="follow_through_recommendation_once",
            ),
            models.CheckConstraint(
                condition=_in_codes("decision", ["none", "confirmed", "rejected"]),
                name="follow_through_decision_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} → {self.later}"

    @property
    def later(self) -> Finding | Recommendation | None:
        """The later finding or recommendation linked to."""
        return self.later_finding or self.later_recommendation
