"""Staff admin for researcher records: merge, split, CSL import, start an import.

Merges, splits and CSL imports go through ``works.curation`` (atomic, logged, re-applied after
every import); the fields they own are read-only here so the admin cannot bypass the log.
"""

import re

import orjson
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bzpeer.staff import require_staff_permission
from profiles import merge
from works import curation, runs
from works.models import Affiliation, ImportRun, Institution, Researcher, Work

CSL_MAX_BYTES = 5 * 1024 * 1024


def get_researcher_for_curator(request, pk) -> Researcher:
    """The record, for staff holding the change permission on researchers (PermissionDenied
    otherwise, Http404 if there is none): splits and CSL imports change the record."""
    require_staff_permission(request.user, "works.change_researcher")
    return get_object_or_404(Researcher, pk=pk)


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Researcher.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this record (the others are merged into it)",
    )
    allow_different_orcids = forms.BooleanField(
        required=False,
        label="These records carry different ORCIDs: I am sure they are one person",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, researchers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = researchers
        orcids = {r.orcid for r in researchers if r.orcid}
        if len(orcids) < 2:
            del self.fields["allow_different_orcids"]


class UnmergeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SplitForm(forms.Form):
    works = forms.ModelMultipleChoiceField(
        queryset=Work.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    display_name = forms.CharField(
        max_length=500, required=False, help_text="Name of the new record (default: the same)"
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, researcher=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["works"].queryset = (
            Work.objects.filter(authorships__researcher=researcher).distinct().order_by("title")
        )


class CslForm(forms.Form):
    file = forms.FileField(label="CSL-JSON file", help_text="A JSON list of CSL items, 5 MB max")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSL_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            # orjson: JSON nested deeper than 1,024 levels is refused with an error, where the
            # json module would raise RecursionError (a 500).
            items = orjson.loads(upload.read())
        except orjson.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not a CSL-JSON file: {exc}") from exc
        items = [items] if isinstance(items, dict) else items
        if not isinstance(items, list) or not items:
            raise forms.ValidationError("Expected a CSL-JSON list of items.")
        return items


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    raw_id_fields = ("institution",)
    extra = 0


@admin.register(Researcher)
class ResearcherAdmin(admin.ModelAdmin):
    list_display = (
        "display_name", "pk", "openalex_id", "orcid", "origin", "merged_into", "works",
        "owner", "verification_level",
    )  # fmt: skip
    list_filter = ("origin", "verification_level", "staff_verified")
    search_fields = ("display_name", "openalex_id", "orcid")
    list_select_related = ("merged_into", "owner")
    raw_id_fields = ("last_known_institution",)
    # Ownership, L4 verification and the owner's own words change only through claims.actions
    # (locked, audited); scores and counters only through the graph app.
    readonly_fields = (
        "merged_into", "owner", "staff_verified", "summary", "open_to_collaborate", "links",
        "verification_level", "trust_score", "trust_breakdown",
        "trust_computed_at", "followers_count", "close_collaborators_count", "topics_count",
        "curation_links",
    )  # fmt: skip
    inlines = [AffiliationInline]
    actions = ["merge_records"]
    change_form_template = "admin/works/researcher/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_works=Count("authorships"))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "curation_links"]

    @admin.display(description="works", ordering="n_works")
    def works(self, researcher):
        return researcher.n_works

    @admin.display(description="curation")
    def curation_links(self, researcher):
        if not researcher.pk:
            return ""
        return format_html(
            '<a href="{}">Split works off</a> · <a href="{}">Import CSL-JSON</a> · '
            '<a href="{}">Import from arXiv</a>',
            reverse("admin:works_researcher_split", args=[researcher.pk]),
            reverse("admin:works_researcher_csl", args=[researcher.pk]),
            reverse("admin:works_importrun_start") + f"?researcher={researcher.pk}",
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/split/", wrap(self.split_view), name="works_researcher_split"),
            path("<int:pk>/import-csl/", wrap(self.csl_view), name="works_researcher_csl"),
            path("<int:pk>/unmerge/", wrap(self.unmerge_view), name="works_researcher_unmerge"),
            *super().get_urls(),
        ]

    def _page(self, request, template, **context):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, template, context)

    @admin.action(
        description="Merge selected records into one (with a reason)",
        permissions=["change"],
    )
    def merge_records(self, request, queryset):
        queryset = queryset.filter(merged_into__isnull=True)
        if queryset.count() < 2:
            self.message_user(request, "Select two or more unmerged records.", messages.ERROR)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, researchers=queryset)
        if form.is_valid():
            target = form.cleaned_data["target"]
            try:
                with transaction.atomic():
                    for source in queryset.exclude(pk=target.pk):
                        merge.merge_researchers(
                            source,
                            target,
                            request.user,
                            form.cleaned_data["reason"],
                            allow_different_orcids=form.cleaned_data.get(
                                "allow_different_orcids", False
                            ),
                        )
            except curation.CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Merged into {target}.", messages.SUCCESS)
                return None
        return self._page(
            request,
            "admin/works/researcher/merge.html",
            title="Merge researcher records",
            form=form,
            researchers=queryset.select_related("owner", "last_known_institution"),
            action=request.POST.get("action"),
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )

    def split_view(self, request, pk):
        researcher = get_researcher_for_curator(request, pk)
        form = SplitForm(request.POST or None, researcher=researcher)
        if request.method == "POST" and form.is_valid():
            try:
                new = merge.split_works(
                    researcher,
                    [w.pk for w in form.cleaned_data["works"]],
                    request.user,
                    form.cleaned_data["reason"],
                    form.cleaned_data["display_name"],
                )
            except curation.CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Split into new record {new.pk}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:works_researcher_change", args=[new.pk]))
        return self._page(
            request,
            "admin/works/researcher/split.html",
            title=f"Split works off {researcher}",
            form=form,
            original=researcher,
            merged_records=Researcher.objects.filter(merged_into=researcher)
            .annotate(n_works=Count("authorships"))
            .order_by("pk"),
        )

    def unmerge_view(self, request, pk):
        """Give a merged-in record back its page, identifiers, works, owner and followers."""
        source = get_researcher_for_curator(request, pk)
        if source.merged_into_id is None:
            self.message_user(
                request, f"{source} is not merged into another record.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:works_researcher_change", args=[pk]))
        form = UnmergeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                merge.unmerge(source, request.user, form.cleaned_data["reason"])
            except curation.CurationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"{source} is its own record again.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:works_researcher_change", args=[pk]))
        return self._page(
            request,
            "admin/works/researcher/unmerge.html",
            title=f"Undo the merge of {source} into {source.merged_into}",
            form=form,
            original=source,
        )

    def csl_view(self, request, pk):
        researcher = get_researcher_for_curator(request, pk)
        form = CslForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                stats = curation.import_csl_for_researcher(
                    researcher, form.cleaned_data["file"], request.user, form.cleaned_data["reason"]
                )
            except curation.CurationError as exc:
                form.add_error("file", str(exc))
            else:
                runs.record_inline_import(
                    ImportRun.Source.CSL,
                    request.FILES["file"].name,
                    researcher,
                    request.user,
                    stats,
                )
                self.message_user(
                    request,
                    f"CSL import: {stats.created} created, {stats.updated} updated, "
                    f"{stats.unchanged} unchanged.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:works_researcher_change", args=[researcher.pk])
                )
        return self._page(
            request,
            "admin/works/researcher/csl.html",
            title=f"Import CSL-JSON for {researcher}",
            form=form,
            original=researcher,
        )


class EmailDomainsField(forms.CharField):
    """A list of email domains typed one per line or separated by commas, stored as a JSON
    list: lower case, without "@" or a trailing dot, each checked as a host name, no repeats."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})
    label_pattern = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = "\n".join(value)
        text = super().to_python(value) or ""
        domains, bad = [], []
        for raw in re.split(r"[\s,;]+", text):
            if not raw:
                continue
            domain = raw.strip().lower().lstrip("@").rstrip(".")
            if "@" in domain:
                bad.append(f"{raw} (an address: give only what follows the @)")
                continue
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError:
                bad.append(raw)
                continue
            labels = domain.split(".")
            if len(labels) < 2 or not all(self.label_pattern.match(part) for part in labels):
                bad.append(raw)
                continue
            if domain not in domains:
                domains.append(domain)
        if bad:
            raise forms.ValidationError(
                "Not an email domain: %(bad)s. Write domains like bangor.ac.uk, one per line.",
                params={"bad": "; ".join(bad)},
            )
        return domains


class InstitutionAdminForm(forms.ModelForm):
    homepage_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    email_domains = EmailDomainsField(
        required=False,
        help_text=(
            "One per line, or separated by commas, like bangor.ac.uk. An address at a domain or "
            "any of its subdomains may verify a claim. Left empty, the homepage's host is used."
        ),
    )

    class Meta:
        model = Institution
        fields = [
            "display_name", "openalex_id", "ror", "country_code", "type", "homepage_url",
            "email_domains",
        ]  # fmt: skip


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionAdminForm
    list_display = ("display_name", "country_code", "type", "ror", "openalex_id")
    list_filter = ("country_code", "type")
    search_fields = ("display_name", "ror", "openalex_id")
