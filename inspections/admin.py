"""The staff admin: curate what the importer extracted, and load reports.

Every correction a curator saves is remembered in the record's `curated_fields` (see
CurationMixin) so a later re-import leaves it alone. Loading reports is a two-step flow:
upload, review what was extracted, then import or discard (SourceDocumentAdmin).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .filters import YEAR
from .follow_through import update_statuses
from .importer.report import ImportRefused, TimeRanOut
from .importer.service import (
    AuthorityResolver,
    Preview,
    Replacement,
    clean_file_name,
    import_source,
    preview_source,
    replacement_of,
    request_deadline,
    store_file,
)
from .models import (
    AlternativeName,
    Authority,
    Finding,
    FindingTheme,
    FollowThroughLink,
    ImportAttempt,
    Inspection,
    Judgement,
    Recommendation,
    RecommendationTheme,
    Region,
    SourceDocument,
    StatisticalNeighbour,
    Theme,
    ThemeModel,
)
from .themes.store import retag_records, theme_tagger
from .uploads import refused_uploads
from .vocabulary import AREAS, FRAMEWORKS, GRADES

admin.site.site_header = "Ofsted children's services explorer: staff"
admin.site.site_title = "Explorer admin"


def mark_curated(record, field_names) -> None:
    """Remember that a curator set these fields, so re-imports keep their values."""
    names = set(field_names) - {"id"}
    if names:
        record.curated_fields = sorted(set(record.curated_fields) | names)


class CurationMixin:
    """Records curated fields for the model's own form and for its inlines' forms."""

    def save_model(self, request, obj, form, change):
        mark_curated(obj, form.changed_data if change else form.fields)
        super().save_model(request, obj, form, change)
        corrected_words = {"text", "section"} & set(form.changed_data)
        if change and corrected_words and isinstance(obj, Finding | Recommendation):
            # Themes follow the corrected words, as a re-import would tag them.
            retag_records([obj])

    def save_formset(self, request, form, formset, change):
        themes = formset.model in (FindingTheme, RecommendationTheme)
        for inline_form in formset.forms:
            changed = inline_form.has_changed() or (
                formset.can_delete and inline_form in formset.deleted_forms
            )
            if not changed:
                continue
            if themes:
                # A curator's choice of themes stands whole: the importer stops tagging it.
                mark_curated(form.instance, ["themes"])
                form.instance.save(update_fields=["curated_fields"])
            elif hasattr(inline_form.instance, "curated_fields"):
                fields = inline_form.changed_data if inline_form.instance.pk else inline_form.fields
                mark_curated(inline_form.instance, fields)
        super().save_formset(request, form, formset, change)


class ExplorerAdmin(admin.ModelAdmin):
    """Every admin of ours: list parameters that would answer 500 get the admin's own answer
    to a bad lookup instead (back to the unfiltered list, flagged `?e=1`)."""

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        # PostgreSQL refuses NUL in a query, and Django's choice filters pass values on as
        # they come: the list would fail while rendering.
        if any("\x00" in value for _, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters("NUL in a parameter.")
        # Django's date drill-down adds a year to the chosen one: 9999 overflows.
        if self.date_hierarchy:
            year = request.GET.get(f"{self.date_hierarchy}__year")
            if year is not None and not YEAR.fullmatch(year):
                raise IncorrectLookupParameters(f"{year!r} is not a year.")
        return super().get_changelist_instance(request)


class NeverDeletedMixin:
    """For records with permalinks: nobody deletes one, superusers included.

    Every inspection, finding and recommendation is published when it is imported, and its
    address must keep answering once published (DOMAIN.md). Curators withdraw a record from
    the public site by hiding it instead: its permalink then answers 410 Gone with a link
    to its inspection.
    """

    deletion_refused = ""  # what to do instead, shown to whoever asks to delete one

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # also takes "Delete selected" off the list's actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context=None
    ) -> HttpResponseRedirect:
        # Reached only by typing the address: say why, and what to do, on the record.
        messages.error(request, self.deletion_refused)
        opts = self.model._meta
        change = f"admin:{opts.app_label}_{opts.model_name}_change"
        return HttpResponseRedirect(reverse(change, args=[object_id]))


class ReadOnlyAdmin(ExplorerAdmin):
    """For records only the importer or the reference data writes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Reference data


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "slug", "authority_count"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(authority_count=Count("authorities"))

    @admin.display(ordering="authority_count", description="authorities")
    def authority_count(self, obj):
        return obj.authority_count


class AlternativeNameInline(admin.TabularInline):
    model = AlternativeName
    extra = 1


class StatisticalNeighbourInline(admin.TabularInline):
    model = StatisticalNeighbour
    fk_name = "authority"
    fields = ["rank", "neighbour"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Authority)
class AuthorityAdmin(ExplorerAdmin):
    list_display = ["name", "region", "urn", "la_code", "ons_code", "ons_type", "is_current"]
    list_filter = ["region", "ons_type", ("abolished_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "urn", "la_code", "ons_code", "alternative_names__name"]
    list_select_related = ["region"]
    readonly_fields = [
        "slug",
        "urn",
        "la_code",
        "ons_code",
        "ons_code_previous",
        "region",
        "ons_type",
        "population_0_to_25",
        "abolished_on",
    ]
    filter_horizontal = ["successors"]
    inlines = [AlternativeNameInline, StatisticalNeighbourInline]

    @admin.display(boolean=True, description="current", ordering="abolished_on")
    def is_current(self, obj):
        return obj.is_current


@admin.register(AlternativeName)
class AlternativeNameAdmin(ExplorerAdmin):
    list_display = ["name", "authority"]
    search_fields = ["name", "authority__name"]
    list_select_related = ["authority"]
    autocomplete_fields = ["authority"]


@admin.register(StatisticalNeighbour)
class StatisticalNeighbourAdmin(ReadOnlyAdmin):
    list_display = ["authority", "rank", "neighbour"]
    list_filter = ["authority__region"]
    search_fields = ["authority__name", "neighbour__name"]
    list_select_related = ["authority", "neighbour"]


class _Measured:
    """A theme's figures in the current theme model's summary, for the admin's columns."""

    def __init__(self, summary: dict, slug: str) -> None:
        examples = summary.get("examples", {}).get(slug, {})
        self.examples = examples.get("labelled", 0) + examples.get("curated", 0)
        self.curated = examples.get("curated", 0)
        # A theme added since the model was trained is not in it: its cues tag it.
        trained = slug in summary.get("examples", {})
        self.by_model = trained and slug not in summary.get("cue_themes", [])
        scores = summary.get("evaluation", {}).get("themes", {}).get(slug, {})
        self.precision, self.recall = scores.get("precision"), scores.get("recall")
        self.support = scores.get("support", 0)


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


@admin.register(Theme)
class ThemeAdmin(ExplorerAdmin):
    list_display = [
        "name",
        "slug",
        "tagged_by",
        "examples",
        "precision",
        "recall",
        "finding_count",
        "recommendation_count",
    ]
    search_fields = ["name", "slug", "cues", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["how_it_is_tagged"]
    actions = ["merge"]

    @admin.action(description="Merge the selected themes into one", permissions=["delete"])
    def merge(self, request, queryset):
        """Ask which theme survives, then move the others' taggings and cues to it."""
        themes = list(queryset.order_by("name"))
        if len(themes) < 2:
            messages.warning(request, "Select at least two themes to merge.")
            return None
        keep_pk = request.POST.get("keep")
        keep = next((t for t in themes if str(t.pk) == keep_pk), None)
        if keep is None:
            context = {
                **self.admin_site.each_context(request),
                "themes": themes,
                "title": "Merge themes",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/inspections/theme/merge.html", context)
        merged = [t for t in themes if t != keep]
        merge_themes(keep, merged)
        messages.success(request, f"Merged {', '.join(t.name for t in merged)} into {keep}.")
        return None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                finding_count=Count("findings", distinct=True),
                recommendation_count=Count("recommendations", distinct=True),
            )
        )

    def get_changelist_instance(self, request):
        # The current model's summary is read once per page, not once per row.
        changelist = super().get_changelist_instance(request)
        model = _newest_model()
        summary = model.summary if model else {}
        for theme in changelist.result_list:
            theme.measured = _Measured(summary, theme.slug)
        return changelist

    @admin.display(description="tagged by")
    def tagged_by(self, obj):
        return "the theme model" if obj.measured.by_model else "its cue words"

    @admin.display(description="labelled examples")
    def examples(self, obj):
        return obj.measured.examples

    @admin.display(description="precision")
    def precision(self, obj):
        return _figure(obj.measured.precision)

    @admin.display(description="recall")
    def recall(self, obj):
        return _figure(obj.measured.recall)

    @admin.display(ordering="finding_count", description="findings")
    def finding_count(self, obj):
        return obj.finding_count

    @admin.display(ordering="recommendation_count", description="recommendations")
    def recommendation_count(self, obj):
        return obj.recommendation_count

    @admin.display(description="how it is tagged")
    def how_it_is_tagged(self, obj):
        if obj.pk is None:
            return "A new theme is tagged by its cue words until `train_themes` has learnt it."
        model = _newest_model()
        measured = _Measured(model.summary if model else {}, obj.slug)
        if not measured.by_model:
            return (
                f"By its cue words: the theme model has {measured.examples} labelled examples "
                "of it, too few to learn from. Correct findings' and recommendations' themes "
                "and run `manage.py train_themes` to teach it."
            )
        return (
            f"By theme model v{model.version}, learnt from {measured.examples} labelled "
            f"examples ({measured.curated} corrected by curators). On paragraphs of councils "
            f"it never learnt from it found {_figure(measured.recall)} of the "
            f"{measured.support} labelled tags (recall), and "
            f"{_figure(measured.precision)} of the tags it gave were right (precision)."
        )


def _newest_model() -> ThemeModel | None:
    """The theme model imports use (read only: a page view installs nothing)."""
    return ThemeModel.objects.defer("artefact").first()


@admin.register(ThemeModel)
class ThemeModelAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "trained_at", "paragraphs", "curated", "precision", "recall", "f1"]
    fields = ["version", "trained_at", "digest", "evaluation"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    def get_queryset(self, request):
        return super().get_queryset(request).defer("artefact")

    def _micro(self, obj) -> dict:
        return obj.summary.get("evaluation", {}).get("micro", {})

    @admin.display(description="training paragraphs")
    def paragraphs(self, obj):
        return obj.summary.get("training_paragraphs")

    @admin.display(description="corrected by curators")
    def curated(self, obj):
        return obj.summary.get("labelled_set", {}).get("curated")

    @admin.display(description="precision")
    def precision(self, obj):
        return _figure(self._micro(obj).get("precision"))

    @admin.display(description="recall")
    def recall(self, obj):
        return _figure(self._micro(obj).get("recall"))

    @admin.display(description="F1")
    def f1(self, obj):
        return _figure(self._micro(obj).get("f1"))

    @admin.display(description="measured on the evaluation part")
    def evaluation(self, obj):
        themes = obj.summary.get("evaluation", {}).get("themes", {})
        return format_html_join(
            "\n",
            "<div>{}: precision {}, recall {}, F1 {} ({} labelled tags)</div>",
            (
                (
                    slug,
                    _figure(s["precision"]),
                    _figure(s["recall"]),
                    _figure(s["f1"]),
                    s["support"],
                )
                for slug, s in themes.items()
            ),
        )


@transaction.atomic
def merge_themes(keep: Theme, merged: list[Theme]) -> None:
    """Fold themes into `keep`: their taggings (once per record) and cues move to it."""
    cues = keep.cue_list
    for theme in merged:
        for through, owner in (
            (FindingTheme, "finding_id"),
            (RecommendationTheme, "recommendation_id"),
        ):
            tagged = through.objects.filter(theme=keep).values_list(owner, flat=True)
            through.objects.filter(theme=theme).exclude(**{f"{owner}__in": tagged}).update(
                theme=keep
            )
        cues += [cue for cue in theme.cue_list if cue not in cues]
        theme.delete()
    keep.cues = "\n".join(cues)
    keep.save(update_fields=["cues"])


# Inspections and what they found


class JudgementInline(admin.TabularInline):
    model = Judgement
    fields = ["area", "grade", "words"]
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    fields = ["addressee", "position", "timescale", "text", "is_hidden"]
    readonly_fields = ["addressee", "position"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class FindingInline(admin.TabularInline):
    model = Finding
    fields = ["paragraph", "section", "area", "kind", "text", "is_hidden"]
    readonly_fields = ["paragraph"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class StartYearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"
    field_prefix = ""  # the path from the listed model to Inspection

    def lookups(self, request, model_admin):
        years = Inspection.objects.dates("start_date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        year = self.value()
        if not year:
            return queryset
        # The public listings' rule for a year: int("²") raises, and year 99999 has no dates.
        if not YEAR.fullmatch(year):
            raise IncorrectLookupParameters(f"{year!r} is not a year.")
        return queryset.filter(**{f"{self.field_prefix}start_date__year": int(year)})


class InspectionYearFilter(StartYearFilter):
    field_prefix = "inspection__"


@admin.register(Inspection)
class InspectionAdmin(NeverDeletedMixin, CurationMixin, ExplorerAdmin):
    deletion_refused = (
        "Inspections are never deleted, so that their pages and their findings' and "
        "recommendations' permalinks keep answering. To take what it says off the public "
        "site, tick “Hidden” on its findings and recommendations below; re-running its "
        "source document's import withdraws what the report no longer contains."
    )
    list_display = [
        "authority",
        "framework",
        "start_date",
        "end_date",
        "overall_grade",
        "published_date",
        "lead_inspector",
    ]
    list_filter = ["framework", "overall_grade", StartYearFilter, "authority__region"]
    search_fields = ["authority__name", "lead_inspector", "title", "slug"]
    list_select_related = ["authority"]
    date_hierarchy = "start_date"
    readonly_fields = [
        "authority",
        "framework",
        "slug",
        "start_date",
        "overall_grade",
        "published_date_source",
        "source_link",
        "imported_at",
        "curated_fields",
    ]
    fields = [
        "authority",
        "framework",
        "slug",
        "title",
        "start_date",
        "end_date",
        "published_date",
        "published_date_source",
        "lead_inspector",
        "overall_grade",
        "source_link",
        "imported_at",
        "curated_fields",
    ]
    inlines = [JudgementInline, RecommendationInline, FindingInline]

    def has_add_permission(self, request):
        return False  # Inspections come from the importer.

    def save_model(self, request, obj, form, change):
        if "published_date" in form.changed_data:
            # A date a curator enters is theirs; one they clear is no longer known.
            obj.published_date_source = Inspection.DateSource.CURATOR if obj.published_date else ""
        super().save_model(request, obj, form, change)

    @admin.display(description="source document")
    def source_link(self, obj):
        url = reverse("admin:inspections_sourcedocument_change", args=[obj.source_document_id])
        return format_html('<a href="{}">{}</a>', url, obj.source_document)


@admin.register(Judgement)
class JudgementAdmin(CurationMixin, ExplorerAdmin):
    list_display = ["inspection", "area", "grade", "words"]
    list_filter = ["area", "grade", "inspection__framework", InspectionYearFilter]
    search_fields = ["inspection__authority__name", "words"]
    list_select_related = ["inspection__authority"]
    raw_id_fields = ["inspection"]
    readonly_fields = ["curated_fields"]


class FindingThemeInline(admin.TabularInline):
    model = FindingTheme
    fields = ["theme", "reason", "score"]
    readonly_fields = ["reason", "score"]
    extra = 0
    verbose_name = "theme"
    verbose_name_plural = (
        "themes (with why each was given: the words that weighed most in the theme model and "
        "its probability, or the cue that matched; empty if a curator chose it)"
    )


class RecommendationThemeInline(FindingThemeInline):
    model = RecommendationTheme


class PublishedTextAdmin(NeverDeletedMixin, CurationMixin, ExplorerAdmin):
    deletion_refused = (
        "Findings and recommendations are never deleted, so that their permalinks keep "
        "answering. To take this one off the public site, tick “Hidden” and save: its "
        "permalink then answers 410 Gone with a link to its inspection."
    )
    search_fields = ["text", "public_id", "inspection__authority__name"]
    list_select_related = ["inspection__authority"]
    raw_id_fields = ["inspection"]

    def has_add_permission(self, request):
        return False  # Findings and recommendations come from the importer.

    @admin.display(boolean=True, description="withdrawn")
    def is_withdrawn(self, obj):
        return obj.withdrawn_at is not None

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text if len(obj.text) < 120 else obj.text[:117] + "…"


@admin.register(Finding)
class FindingAdmin(PublishedTextAdmin):
    list_display = [
        "public_id",
        "inspection",
        "paragraph",
        "section",
        "area",
        "kind",
        "short_text",
        "is_hidden",
        "is_withdrawn",
    ]
    list_filter = [
        "is_hidden",
        ("withdrawn_at", admin.EmptyFieldListFilter),
        "area",
        "kind",
        "inspection__framework",
        InspectionYearFilter,
        "themes",
    ]
    search_fields = [*PublishedTextAdmin.search_fields, "section"]
    readonly_fields = ["public_id", "inspection", "withdrawn_at", "curated_fields"]
    fields = [
        "public_id",
        "inspection",
        "section",
        "area",
        "paragraph",
        "position",
        "kind",
        "text",
        "is_hidden",
        "withdrawn_at",
        "curated_fields",
    ]
    inlines = [FindingThemeInline]


@admin.register(Recommendation)
class RecommendationAdmin(PublishedTextAdmin):
    list_display = [
        "public_id",
        "inspection",
        "addressee",
        "position",
        "timescale",
        "short_text",
        "is_hidden",
        "is_withdrawn",
    ]
    list_filter = [
        "addressee",
        "timescale",
        "is_hidden",
        ("withdrawn_at", admin.EmptyFieldListFilter),
        "inspection__framework",
        InspectionYearFilter,
        "themes",
    ]
    readonly_fields = ["public_id", "inspection", "withdrawn_at", "curated_fields"]
    fields = [
        "public_id",
        "inspection",
        "addressee",
        "position",
        "timescale",
        "text",
        "evidence",
        "is_hidden",
        "withdrawn_at",
        "curated_fields",
    ]
    filter_horizontal = ["evidence"]

    def get_inlines(self, request, obj):
        return [RecommendationThemeInline, FollowThroughInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is FollowThroughLink:
            decided = [f.instance for f in formset.forms if f.has_changed() and f.instance.pk]
            record_decisions(request, decided)
            update_statuses([form.instance.pk])

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "evidence":
            # Evidence comes from the same inspection only.
            recommendation_id = request.resolver_match.kwargs.get("object_id")
            recommendation = Recommendation.objects.filter(pk=recommendation_id).first()
            kwargs["queryset"] = Finding.objects.filter(
                inspection_id=recommendation.inspection_id if recommendation else None
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# Follow-through: what later inspections said on a recommendation's subject


def record_decisions(request: HttpRequest, links: list[FollowThroughLink]) -> None:
    """Note who decided on these links, and when: a decided link survives every rebuild."""
    now = timezone.now()
    for link in links:
        if link.decision != FollowThroughLink.Decision.NONE or (
            link.source == FollowThroughLink.Source.CURATOR
        ):
            link.decided_by, link.decided_at = request.user, now
            link.save(update_fields=["decided_by", "decided_at"])


class FollowThroughInline(admin.TabularInline):
    """A recommendation's follow-through links: confirm or reject the matcher's, or add one."""

    model = FollowThroughLink
    fk_name = "recommendation"
    fields = [
        "rank",
        "score",
        "later_finding",
        "later_recommendation",
        "stance",
        "reason",
        "source",
        "decision",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = ["rank", "score", "reason", "source", "decided_by", "decided_at"]
    raw_id_fields = ["later_finding", "later_recommendation"]
    extra = 0
    verbose_name = "what happened next"
    verbose_name_plural = (
        "what happened next (later findings and recommendations on the same subject: confirm "
        "or reject the matcher's suggestions, or add one; decided links survive re-imports)"
    )


@admin.register(FollowThroughLink)
class FollowThroughLinkAdmin(ExplorerAdmin):
    """Every link, to review the matcher's suggestions in bulk."""

    list_display = [
        "recommendation",
        "later_text",
        "score",
        "rank",
        "stance",
        "source",
        "decision",
    ]
    list_filter = [
        "decision",
        "source",
        "stance",
        "recommendation__follow_through_status",
        "recommendation__inspection__authority",
    ]
    list_select_related = [
        "recommendation__inspection__authority",
        "later_finding",
        "later_recommendation",
    ]
    raw_id_fields = ["recommendation", "later_finding", "later_recommendation"]
    readonly_fields = ["score", "rank", "reason", "decided_by", "decided_at"]
    search_fields = ["recommendation__text", "recommendation__public_id"]
    actions = ["confirm", "reject"]

    @admin.display(description="later text")
    def later_text(self, obj: FollowThroughLink) -> str:
        text = obj.later.text if obj.later else ""
        return text if len(text) < 120 else text[:117] + "…"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = FollowThroughLink.Source.CURATOR
        super().save_model(request, obj, form, change)
        if form.has_changed():
            record_decisions(request, [obj])
        update_statuses([obj.recommendation_id])

    def _decide(self, request, queryset, decision: str) -> None:
        links = list(queryset)
        for link in links:
            link.decision = decision
            link.save(update_fields=["decision"])
        record_decisions(request, links)
        update_statuses({link.recommendation_id for link in links})
        self.message_user(request, f"{len(links)} links {decision}.", messages.SUCCESS)

    @admin.action(description="Confirm: they speak to the same subject", permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, FollowThroughLink.Decision.CONFIRMED)

    @admin.action(description="Reject: never suggest these again", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, FollowThroughLink.Decision.REJECTED)


# Source documents and the importer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class UploadForm(forms.Form):
    files = MultipleFileField(
        help_text="PDFs as Ofsted publishes them, or text converted from a report "
        "(plain text, Markdown or HTML). Nothing is published until you confirm."
    )


class ImportAttemptInline(admin.StackedInline):
    model = ImportAttempt
    fields = ["started_at", "outcome", "run_by", "error", "warnings", "log"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


# Enough of a report's findings to see the parse is sensible, not so many the page is long.
REVIEW_SAMPLE_FINDINGS = 3


@dataclass
class FileReview:
    """One uploaded file on the review page: what it would import as, and what that would
    change among what is published."""

    source: SourceDocument
    preview: Preview
    already_imported: list[Inspection]  # this very file's inspections, imported before
    replaces: Replacement | None  # the inspection it would update, and what it withdraws


@admin.register(SourceDocument)
class SourceDocumentAdmin(ExplorerAdmin):
    list_display = [
        "original_name",
        "status",
        "media_type",
        "size",
        "loaded_at",
        "loaded_by",
        "inspection_links",
    ]
    list_filter = ["status", "media_type"]
    search_fields = ["original_name", "sha256", "inspections__authority__name"]
    list_select_related = ["loaded_by"]
    readonly_fields = [
        "original_name",
        "file",
        "sha256",
        "media_type",
        "size",
        "loaded_at",
        "loaded_by",
        "status",
        "source_url",
        "listed_published_date",
        "inspection_links",
    ]
    fields = readonly_fields
    inlines = [ImportAttemptInline]
    actions = ["reimport"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("inspections")

    def has_change_permission(self, request, obj=None):
        return False  # Kept exactly as loaded.

    def has_delete_permission(self, request, obj=None):
        # Only a pending upload can be discarded; imported ones are the evidence.
        if obj is not None and obj.status != SourceDocument.Status.PENDING:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="inspections")
    def inspection_links(self, obj):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:inspections_inspection_change", args=[i.pk]), i)
                for i in obj.inspections.all()
            ),
        )

    def get_urls(self):
        return [
            path(
                "review/",
                self.admin_site.admin_view(self.review_view),
                name="inspections_sourcedocument_review",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Upload one or more files: stored, then shown for review before importing."""
        if not self.has_add_permission(request):
            return self._refuse(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        dropped = refused_uploads(request) if request.method == "POST" else []
        for message in dropped:  # files dropped on their size as they arrived
            messages.error(request, message)
        if request.method == "POST" and form.is_valid():
            stored = []
            for upload in form.cleaned_data["files"]:
                try:
                    source, _ = store_file(upload, upload.name, user=request.user)
                except ImportRefused as refused:
                    # Not starting with the name: the admin capitalises a message's first letter.
                    name = clean_file_name(upload.name)
                    messages.error(request, f"Not loaded: {name}. {refused}")
                    continue
                stored.append(str(source.pk))
            if stored:
                url = reverse("admin:inspections_sourcedocument_review")
                return HttpResponseRedirect(f"{url}?ids={','.join(stored)}")
        elif dropped:
            form = UploadForm()  # the messages say why; "This field is required" would not
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Load reports",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inspections/sourcedocument/upload.html", context)

    def review_view(self, request):
        """What each uploaded file would import as; import or discard each."""
        if not self.has_add_permission(request):
            return self._refuse(request)
        ids = [i for i in request.GET.get("ids", "").split(",") if i.isdigit()]
        if request.method == "POST":
            return self._confirm(request, ids)
        resolver, deadline = AuthorityResolver(), request_deadline()
        reviews = []
        for source in SourceDocument.objects.filter(pk__in=ids).prefetch_related("inspections"):
            preview = preview_source(source, resolver, deadline=deadline)
            reviews.append(
                FileReview(
                    source=source,
                    preview=preview,
                    already_imported=list(source.inspections.all()),
                    replaces=replacement_of(preview),
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "reviews": reviews,
            "frameworks": FRAMEWORKS,
            "areas": AREAS,
            "grades": GRADES,
            "sample_size": REVIEW_SAMPLE_FINDINGS,
            "title": "Review before importing",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/inspections/sourcedocument/review.html", context)

    def _confirm(self, request, ids):
        resolver, tagger, deadline = AuthorityResolver(), theme_tagger(), request_deadline()
        for source in SourceDocument.objects.filter(pk__in=ids):
            decision = request.POST.get(f"decision-{source.pk}")
            if decision == "import":
                try:
                    attempt = import_source(
                        source,
                        user=request.user,
                        resolver=resolver,
                        tagger=tagger,
                        deadline=deadline,
                    )
                except TimeRanOut as not_read:
                    messages.warning(request, f"{not_read} ({source})")
                    continue
                level = (
                    messages.SUCCESS
                    if attempt.outcome in ("created", "updated", "unchanged")
                    else messages.ERROR
                )
                messages.add_message(
                    request, level, f"{source}: {attempt.outcome}. {attempt.error}".strip()
                )
            elif (
                decision == "discard"
                and source.status == SourceDocument.Status.PENDING
                and not source.inspections.exists()
            ):
                source.file.delete(save=False)
                source.delete()
                messages.info(request, f"{source}: discarded.")
        return HttpResponseRedirect(reverse("admin:inspections_sourcedocument_changelist"))

    def _refuse(self, request):
        raise PermissionDenied

    @admin.action(description="Re-run the import of the selected documents", permissions=["add"])
    def reimport(self, request, queryset):
        resolver, tagger, deadline = AuthorityResolver(), theme_tagger(), request_deadline()
        outcomes: dict[str, int] = {}
        for source in queryset:
            try:
                attempt = import_source(
                    source, user=request.user, resolver=resolver, tagger=tagger, deadline=deadline
                )
            except TimeRanOut:
                outcome = "not read (the time ran out; re-run them)"
            else:
                outcome = attempt.outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        messages.info(request, f"Re-imported {queryset.count()} documents: {summary}.")


@admin.register(ImportAttempt)
class ImportAttemptAdmin(ReadOnlyAdmin):
    list_display = ["source_document", "outcome", "started_at", "run_by", "error"]
    list_filter = ["outcome", "started_at"]
    search_fields = ["source_document__original_name", "error", "log"]
    list_select_related = ["source_document", "run_by"]
    fields = [
        "source_document",
        "outcome",
        "started_at",
        "run_by",
        "error",
        "warnings",
        "log",
        "summary",
    ]
    readonly_fields = fields
