"""Staff admin for works, import runs and the curation log.

Every change goes through an action module (``works.runs``, ``works.curation``), never through a
model form: imports are started, cancelled and re-run; works are hidden and shown again with a
reason that lands in the append-only curation log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from bzpeer.admin import ReadOnlyAdmin
from works import curation, matching, runs
from works.clients.http import PermanentError
from works.models import Authorship, CurationLog, ImportRun, Researcher, Source, Topic, Work
from works.run_errors import explain_run


class ImportStartForm(forms.Form):
    source = forms.ChoiceField(
        choices=[
            (ImportRun.Source.OPENALEX, "OpenAlex author (id, URL or ORCID)"),
            (ImportRun.Source.ARXIV, "arXiv works of a researcher (author-name query)"),
        ],
        widget=forms.RadioSelect,
        initial=ImportRun.Source.OPENALEX,
    )
    identifier = forms.CharField(
        required=False,
        max_length=200,
        label="OpenAlex id, URL or ORCID",
        help_text="A5017898742, https://openalex.org/A5017898742 or 0000-0002-1825-0097",
    )
    researcher = forms.IntegerField(required=False, min_value=1, label="Researcher id (for arXiv)")
    query = forms.CharField(
        required=False,
        max_length=300,
        label="arXiv query",
        help_text='Optional: defaults to au:"<display name>"',
    )

    def clean(self):
        data = super().clean()
        if data.get("source") == ImportRun.Source.OPENALEX:
            from works.clients.openalex import parse_author_identifier

            try:
                parse_author_identifier(data.get("identifier", ""))
            except PermanentError as exc:
                self.add_error("identifier", exc.detail)
        elif data.get("source") == ImportRun.Source.ARXIV:
            pk = data.get("researcher")
            record = Researcher.objects.canonical().filter(pk=pk).first() if pk else None
            if record is None:
                self.add_error("researcher", "Give the id of a researcher record (not merged).")
            data["researcher_record"] = record
        return data


def _queued_message(run: ImportRun) -> str:
    return f"Import run {run.pk} queued: its progress and outcome show below as it goes."


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk", "source", "target", "researcher", "status", "progress", "created", "updated",
        "unchanged", "skipped", "requested_by", "created_at",
    )  # fmt: skip
    list_filter = ("status", "source")
    search_fields = ("target", "celery_task_id")
    list_select_related = ("researcher", "requested_by")
    # The errors as sentences with the recorded text collapsed, not the raw JSON list.
    fields = [f.name for f in ImportRun._meta.fields if f.name != "errors"] + ["error_list"]
    readonly_fields = fields
    change_list_template = "admin/works/importrun/change_list.html"
    change_form_template = "admin/works/importrun/change_form.html"

    @admin.display(description="progress")
    def progress(self, run):
        total = run.progress_total if run.progress_total is not None else "?"
        return format_html(
            '<progress max="100" value="{}">{}%</progress> {}% ({}/{})',
            run.percent, run.percent, run.percent, run.progress_done, total,
        )  # fmt: skip

    @admin.display(description="errors")
    def error_list(self, run):
        explained = explain_run(run)
        if not explained:
            return "None"
        return format_html(
            '<ol class="run-error-list">{}</ol>',
            format_html_join(
                "",
                "<li>{}<details><summary>Technical detail</summary><code>{}</code></details></li>",
                ((error.message, error.technical) for error in explained),
            ),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start/", wrap(self.start_view), name="works_importrun_start"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="works_importrun_cancel"),
            path("<int:pk>/rerun/", wrap(self.rerun_view), name="works_importrun_rerun"),
            *super().get_urls(),
        ]

    # ReadOnlyAdmin refuses add and change through model forms to everyone; starting a run and
    # cancelling or re-running one go through works.runs, for staff holding the model permission.
    def _may(self, request, action: str) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def _run(self, request, pk) -> ImportRun:
        if not self._may(request, "change"):
            raise PermissionDenied
        return runs.get_import_run_for_user(request.user, pk)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_start_run": self._may(request, "add"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_change_run": self._may(request, "change"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_rerun"] = obj is not None and runs.can_rerun(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def start_view(self, request):
        if not (request.user.is_staff and self._may(request, "add")):
            raise PermissionDenied
        initial = {
            "researcher": request.GET.get("researcher"),
            "identifier": request.GET.get("identifier", "")[:200],
        }
        if initial["researcher"]:
            initial["source"] = ImportRun.Source.ARXIV
        form = ImportStartForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["source"] == ImportRun.Source.OPENALEX:
                run = runs.start_openalex_import(data["identifier"], request.user, detach=True)
            else:
                run = runs.start_arxiv_import(
                    data["researcher_record"], data["query"], request.user, detach=True
                )
            # Info, not success: nothing has been imported yet; the page shows how it goes.
            self.message_user(request, _queued_message(run), messages.INFO)
            return HttpResponseRedirect(reverse("admin:works_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Start an import",
            "form": form,
        }
        return TemplateResponse(request, "admin/works/importrun/start.html", context)

    def cancel_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = self._run(request, pk)
        if runs.cancel_run(run, request.user):
            self.message_user(request, f"Import run {run.pk} cancelled.", messages.SUCCESS)
        else:
            self.message_user(request, "That run had already finished.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:works_importrun_change", args=[run.pk]))

    def rerun_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = self._run(request, pk)
        try:
            new = runs.rerun(run, request.user, detach=True)
        except runs.CannotRerun as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:works_importrun_change", args=[run.pk]))
        self.message_user(request, _queued_message(new), messages.INFO)
        return HttpResponseRedirect(reverse("admin:works_importrun_change", args=[new.pk]))


class HideForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ("order", "raw_author_name", "researcher", "position")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = (
        "title", "publication_year", "type", "doi", "arxiv_id", "openalex_id", "is_hidden",
        "version_of",
    )  # fmt: skip
    list_filter = ("is_hidden", "type")
    search_fields = ("title", "doi", "arxiv_id", "openalex_id")
    list_select_related = ("version_of",)
    raw_id_fields = ("source", "version_of")
    # Curation state changes only through the actions below (they log and are re-applied).
    readonly_fields = ("is_hidden", "openalex_id", "doi", "arxiv_id", "source_updated")
    exclude = ("topics",)
    inlines = [AuthorshipInline]
    actions = ["hide_works", "unhide_works", "undo_matches"]

    def _hide_action(self, request, queryset, hidden: bool):
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed = sum(
                curation.set_work_hidden(work, hidden, request.user, form.cleaned_data["reason"])
                for work in queryset
            )
            verb = "Hidden" if hidden else "Shown again"
            self.message_user(request, f"{verb}: {changed} work(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Hide works from profiles" if hidden else "Show works again",
            "works": queryset,
            "form": form,
            "action": request.POST.get("action"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/works/work/hide_confirm.html", context)

    @admin.action(
        description="Hide selected works from profiles (with a reason)",
        permissions=["change"],
    )
    def hide_works(self, request, queryset):
        return self._hide_action(request, queryset, True)

    @admin.action(description="Show selected works again (with a reason)", permissions=["change"])
    def unhide_works(self, request, queryset):
        return self._hide_action(request, queryset, False)

    @admin.action(
        description="Undo the import match (the curated work and the import part again)",
        permissions=["change"],
    )
    def undo_matches(self, request, queryset):
        for work in queryset:
            try:
                imported = matching.undo_match(work, request.user, "undone in the admin")
            except curation.CurationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request, f"{work}: the import is work #{imported.pk} again.", messages.SUCCESS
                )


@admin.register(CurationLog)
class CurationLogAdmin(ReadOnlyAdmin):
    """Append-only: staff read it; nobody adds, edits or deletes rows here."""

    list_display = ("created_at", "actor", "action", "what", "reason")
    list_filter = ("action",)
    search_fields = ("reason",)
    list_select_related = ("actor",)

    def get_changelist(self, request, **kwargs):
        return DescribedChangeList

    @admin.display(description="what")
    def what(self, entry):
        # The change list describes its page in two queries (DescribedChangeList); one entry
        # shown elsewhere is described alone.
        if not hasattr(entry, "description"):
            entry.description = curation.describe_entries([entry])[entry.pk]
        return entry.description


class DescribedChangeList(ChangeList):
    """The log's change list: each entry names its records and works, read for the whole page."""

    def get_results(self, request):
        super().get_results(request)
        described = curation.describe_entries(self.result_list)
        for entry in self.result_list:
            entry.description = described[entry.pk]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("display_name", "type", "issn_l", "openalex_id", "works_count")
    search_fields = ("display_name", "issn_l", "openalex_id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_works=Count("works"))

    @admin.display(description="works", ordering="n_works")
    def works_count(self, source):
        return source.n_works


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("display_name", "level", "openalex_id", "parent")
    list_filter = ("level",)
    search_fields = ("display_name", "openalex_id")
    list_select_related = ("parent",)
