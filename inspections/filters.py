"""The public listings' query parameters (DOMAIN.md, "Public URLs"), as django-filter FilterSets.

Every parameter may repeat, and repeated values mean "either": `theme=neglect&theme=missing`.
Different parameters combine with "and".

Two kinds of value, validated differently, so that no parameter can cause a 500:
- fixed codes (`grade`, `area`, `area_grade`, `framework`, `addressee`, `timescale`,
  `follow_through`) must be one of DOMAIN.md's codes (or the vocabulary's); anything else
  makes the form invalid, and the page says so (400);
- names of records (`theme`, `authority`, `region`) and `year` must merely look right (a slug,
  an ONS region code, four digits). A well-formed name that no record has is not an error: it
  matches nothing, like a search with no hits. A malformed one (`%00`, `' OR 1=1`) is an
  error. Checking the shape rather than the database keeps validation free of queries.

`q` is the text search (`text_search()`, backed by `inspections.search`): PostgreSQL's
full-text search, or SQLite's FTS5. Its values are free text, refused only when
too long, too many or containing NUL (which PostgreSQL cannot take).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from . import listing_kinds as kinds
from . import search
from .listing_kinds import FINDINGS, INSPECTIONS, RECOMMENDATIONS, ListingKind
from .models import SLUG, SLUG_PATTERN, Finding, Judgement, Theme
from .vocabulary import GRADES

REGION = re.compile(rf"E12\d{{6}}|{SLUG_PATTERN}")
YEAR = re.compile(r"(19|20)\d\d")
MAX_VALUES = 50  # more repeats of one parameter than anyone types; bounds the SQL
MAX_QUERY_LENGTH = 200
# Across all `q` values: bounds the cost of matching and ranking each row (ranking grows
# faster than linearly with the number of words), so no query can be made slow by length.
MAX_SEARCH_WORDS = 32


# --- Text search ------------------------------------------------------------------------


def search_words(query: str) -> list[str]:
    """The words one `q` value searches for (lower case, not excluded, no stop words).

    What highlighting marks (with their variants); see `inspections.search.parse`.
    """
    return search.parse(query).words


def text_search(queryset: QuerySet, queries: Iterable[str]) -> QuerySet:
    """Rows matching at least one of `queries` (each: every word, "phrases", or, -not).

    PostgreSQL's or SQLite's (FTS5) ranked, stemmed full-text search: see
    `inspections.search`. Ranking is the listing's business (`selectors.Listing`).
    """
    condition = search.matches(queries)
    return queryset if condition is None else queryset.filter(condition)


# --- Fields -----------------------------------------------------------------------------


class RepeatableTextInput(forms.TextInput):
    """A text box whose parameter may repeat: reads every value, not just the last."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = data.get(name)
        return value if isinstance(value, list) else ([value] if value is not None else [])


class PatternMultipleField(forms.MultipleChoiceField):
    """Repeated values that must each match `pattern`: names of records, checked by shape."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pattern: re.Pattern[str], noun: str, **kwargs) -> None:
        kwargs.pop("choices", None)
        super().__init__(choices=(), **kwargs)
        self.pattern = pattern
        self.error_messages["invalid_choice"] = f"“%(value)s” is not a valid {noun}."

    def valid_value(self, value: str) -> bool:
        return len(value) <= 100 and bool(self.pattern.fullmatch(value))

    def validate(self, value: list[str]) -> None:
        for item in value:
            if not self.valid_value(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": printable(item)},
                )

    def clean(self, value):
        values = super().clean(value)
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(f"Choose at most {MAX_VALUES}.")
        return list(dict.fromkeys(values))  # repeated repeats change nothing


class CodeMultipleField(forms.MultipleChoiceField):
    """Repeated values from a fixed list of codes, without duplicates."""

    widget = forms.MultipleHiddenInput

    def validate(self, value: list[str]) -> None:
        codes = ", ".join(str(code) for code, _ in self.choices)
        for item in value:
            if not self.valid_value(item):
                raise forms.ValidationError(
                    "“%(value)s” is not one of the codes (%(codes)s).",
                    code="invalid_choice",
                    params={"value": printable(item), "codes": codes},
                )

    def clean(self, value):
        return list(dict.fromkeys(super().clean(value)))


def printable(value: str, limit: int = 40) -> str:
    """`value` safe to quote back in an error: control characters shown as "?", shortened."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in value)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


class SearchField(forms.Field):
    """The `q` parameter: repeatable, each value at most MAX_QUERY_LENGTH characters, and at
    most MAX_SEARCH_WORDS words in all. Repeated repeats change nothing."""

    widget = RepeatableTextInput
    default_validators = []

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list) else [value]
        return list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))

    def validate(self, value: list[str]) -> None:
        if len(value) > MAX_VALUES:
            raise forms.ValidationError(f"Search for at most {MAX_VALUES} phrases.")
        for text in value:
            # PostgreSQL refuses NUL in a query; say so instead of failing.
            ProhibitNullCharactersValidator()(text)
            if len(text) > MAX_QUERY_LENGTH:
                raise forms.ValidationError(
                    f"Search for at most {MAX_QUERY_LENGTH} characters at a time."
                )
        if sum(len(search.WORD.findall(text)) for text in value) > MAX_SEARCH_WORDS:
            raise forms.ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words at a time.")


class PatternFilter(django_filters.MultipleChoiceFilter):
    field_class = PatternMultipleField


class CodeFilter(django_filters.MultipleChoiceFilter):
    field_class = CodeMultipleField


class SearchFilter(django_filters.Filter):
    field_class = SearchField


def _codes(vocabulary: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(vocabulary.items())


def _code_filter(facet: kinds.Facet) -> CodeFilter:
    """A filter on one of `facet`'s codes, by the FilterSet's `filter_<name>` method."""
    if facet.codes is None:
        raise ValueError(f"The {facet.name} facet has no codes to choose from.")
    return CodeFilter(choices=_codes(facet.codes), method=f"filter_{facet.name}", label=facet.label)


# --- The listings ------------------------------------------------------------------------


class ListingFilterSet(django_filters.FilterSet):
    """What every listing's filters share: where a row's inspection is, when and by whom.

    Subclasses name their `listing`, whose description (`inspections.listing_kinds`) gives
    the labels and the path from a row to its inspection.
    """

    listing: ListingKind = FINDINGS

    grade = _code_filter(kinds.GRADE)
    area = _code_filter(kinds.AREA)
    area_grade = _code_filter(kinds.AREA_GRADE)
    year = PatternFilter(pattern=YEAR, noun="year", method="filter_year", label=kinds.YEAR.label)
    framework = _code_filter(kinds.FRAMEWORK)
    region = PatternFilter(
        pattern=REGION, noun="region", method="filter_region", label=kinds.REGION.label
    )
    authority = PatternFilter(
        pattern=SLUG, noun="authority", method="filter_authority", label=kinds.AUTHORITY.label
    )

    def _of_inspection(self, lookup: str) -> str:
        return self.listing.to_inspection + lookup

    def filter_grade(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(**{self._of_inspection("overall_grade__in"): value})

    def filter_year(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # One range per year (`__year=` becomes BETWEEN), which can use a date index.
        condition = Q()
        for year in value:
            condition |= Q(**{self._of_inspection("start_date__year"): int(year)})
        return queryset.filter(condition)

    def filter_framework(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(**{self._of_inspection("framework__in"): value})

    def filter_region(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(
            Q(**{self._of_inspection("authority__region__code__in"): value})
            | Q(**{self._of_inspection("authority__region__slug__in"): value})
        )

    def filter_authority(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(**{self._of_inspection("authority__slug__in"): value})

    def filter_queryset_except(self, queryset: QuerySet, *exclude: str) -> QuerySet:
        """The rows every active filter but those named `exclude` leaves: what a facet
        counts within.

        Call only when the form is valid.
        """
        for name, value in self.form.cleaned_data.items():
            if name not in exclude:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset_only(self, queryset: QuerySet, *names: str) -> QuerySet:
        """The rows the active filters among `names` leave (the rest are applied to the
        listing's cells instead: selectors.listings).

        Call only when the form is valid.
        """
        for name, value in self.form.cleaned_data.items():
            if name in names:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def active(self) -> dict[str, list[str]]:
        """The valid, non-empty filter values, by parameter name."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.form.cleaned_data.items() if value}

    def search_queries(self) -> list[str]:
        """The valid `q` values, for highlighting (none where a listing has no search)."""
        return self.active().get("q", [])


class PublishedTextFilterSet(ListingFilterSet):
    """What /findings/ and /recommendations/ share: themes, text search, and the area a
    row is written under."""

    theme = PatternFilter(
        pattern=SLUG, noun="theme", method="filter_theme", label=kinds.THEME.label
    )
    q = SearchFilter(method="filter_q", label=kinds.SEARCH_LABEL)

    def filter_theme(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        # EXISTS rather than a join: a row with two chosen themes must appear once.
        links = self.listing.theme_link.objects.filter(
            **{self.listing.theme_link_field: OuterRef("pk")},
            theme_id__in=self.theme_ids(value),
        )
        return queryset.filter(Exists(links))

    def theme_ids(self, slugs: list[str]) -> list[int]:
        """The ids of the themes `slugs` name (those that exist)."""
        # The ids, looked up once per request, rather than a join to themes by slug: with the
        # ids PostgreSQL estimates the tagged rows from its statistics (at 1M findings it
        # guessed 105k for 324k through the join, and chose plans 9-30x slower).
        key = tuple(sorted(slugs))
        known = self.__dict__.setdefault("_theme_ids_by_slugs", {})
        if key not in known:
            known[key] = list(Theme.objects.filter(slug__in=key).values_list("pk", flat=True))
        return known[key]

    def filter_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(area__in=value)

    def filter_area_grade(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(area_grade_is(value))

    def filter_q(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return text_search(queryset, value)


def area_grade_is(grades: list[str]) -> Exists:
    """A finding's area is graded one of `grades` at its own inspection.

    A finding under no area (empty `area`) never matches: it has no area grade.
    """
    return Exists(
        Judgement.objects.filter(
            inspection=OuterRef("inspection"), area=OuterRef("area"), grade__in=grades
        )
    )


class FindingFilterSet(PublishedTextFilterSet):
    """/findings/: numbered paragraphs, filtered by where they come from and what they say."""

    listing = FINDINGS

    class Meta:
        model = FINDINGS.model
        fields: list[str] = []


class RecommendationFilterSet(PublishedTextFilterSet):
    """/recommendations/: what inspections told authorities (and LSCBs) to improve.

    A recommendation is not written under a judgement area; `area` and `area_grade` reach it
    through its evidence, the findings paragraphs marked "(Recommendation)" that support it.
    """

    addressee = _code_filter(kinds.ADDRESSEE)
    timescale = _code_filter(kinds.TIMESCALE)
    follow_through = _code_filter(kinds.FOLLOW_THROUGH)

    listing = RECOMMENDATIONS

    class Meta:
        model = RECOMMENDATIONS.model
        fields: list[str] = []

    def _evidence(self, condition: Q | Exists) -> Exists:
        return Exists(Finding.objects.published().filter(condition, recommendations=OuterRef("pk")))

    def filter_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(self._evidence(Q(area__in=value)))

    def filter_area_grade(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(self._evidence(area_grade_is(value)))

    def filter_addressee(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(addressee__in=value)

    def filter_timescale(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(timescale__in=value)

    def filter_follow_through(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(follow_through_status__in=value)


class InspectionFilterSet(ListingFilterSet):
    """/inspections/: every inspection and visit, by when, where, which kind and its grades.

    `area` and `area_grade` choose inspections by one of their judgements: `area=in_care`
    those that judged children in care, `area_grade=inadequate` those with any judgement
    inadequate, and the two together those that judged one of the areas one of the grades.
    """

    listing = INSPECTIONS

    grade = _code_filter(kinds.INSPECTION_GRADE)
    area = _code_filter(kinds.JUDGED_AREA)
    area_grade = _code_filter(kinds.JUDGED_AREA_GRADE)

    class Meta:
        model = INSPECTIONS.model
        fields: list[str] = []

    def _chosen(self, name: str) -> list[str]:
        return self.form.cleaned_data.get(name) or []

    def judgement_condition(self, *, areas: Sequence[str] = (), grades: Sequence[str] = ()) -> Q:
        """The judgements `areas` and `grades` choose between them (an empty list: any)."""
        condition = Q()
        if areas:
            condition &= Q(area__in=areas)
        if grades:
            condition &= Q(grade__in=grades)
        return condition

    def _judged(self, queryset: QuerySet, areas: Sequence[str], grades: Sequence[str]) -> QuerySet:
        judgements = Judgement.objects.filter(
            self.judgement_condition(areas=areas, grades=grades), inspection=OuterRef("pk")
        )
        return queryset.filter(Exists(judgements))

    def filter_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return self._judged(queryset, value, self._chosen("area_grade"))

    def filter_area_grade(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if self._chosen("area"):
            return queryset  # the area's filter chose by the pair
        return self._judged(queryset, [], value)


# --- Authorities ------------------------------------------------------------------------

NOT_GRADED = "none"
AUTHORITY_SORTS = {
    "name": ("Name, A to Z", ["name"]),
    "-name": ("Name, Z to A", ["-name"]),
    "region": ("Region", ["region__name", "name"]),
    # Authorities never graded (or never inspected) come last whichever way.
    "grade": ("Latest grade, best first", [F("latest_grade_rank").asc(nulls_last=True), "name"]),
    "-grade": (
        "Latest grade, worst first",
        [F("latest_grade_rank").desc(nulls_last=True), "name"],
    ),
    "-inspected": (
        "Most recently inspected first",
        [F("latest_start_date").desc(nulls_last=True), "name"],
    ),
}


class AuthorityFilterSet(django_filters.FilterSet):
    """/authorities/: by region, latest overall grade and name; sorted by `sort`.

    Expects the queryset `selectors.authority_list` builds, annotated with `latest_grade`,
    `latest_grade_rank` and `latest_start_date`.
    """

    region = PatternFilter(pattern=REGION, noun="region", method="filter_region", label="Region")
    latest_grade = CodeFilter(
        choices=[*_codes(GRADES), (NOT_GRADED, "No graded report loaded")],
        method="filter_latest_grade",
        label="Latest overall grade",
    )
    name = django_filters.CharFilter(
        method="filter_name",
        label="Name contains",
        max_length=100,
        validators=[ProhibitNullCharactersValidator()],
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in AUTHORITY_SORTS.items()],
        method="filter_sort",
        label="Sort by",
        empty_label=None,
    )

    class Meta:
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(Q(region__code__in=value) | Q(region__slug__in=value))

    def filter_latest_grade(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        condition = Q(latest_grade__in=[v for v in value if v != NOT_GRADED])
        if NOT_GRADED in value:
            # The subquery gives NULL, not "", for an authority with no graded inspection.
            condition |= Q(latest_grade__isnull=True)
        return queryset.filter(condition)

    def filter_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value.strip()) | Q(alternative_names__name__icontains=value.strip())
        ).distinct()

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*AUTHORITY_SORTS[value][1])
