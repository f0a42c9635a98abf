"""A researcher's listed works in citation formats, a feed of new works, and an SVG badge.

Exports hold exactly what the profile lists (``profiles.publications.entries_for``): visible
works, a preprint folded into its published version (whose entry then carries the arXiv id).
Every format is built from the untrusted imported text with that format's own escaping.
"""

import json
import re

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from bzpeer.fold import fold
from profiles.publications import entries_for
from works.api.prefetch import with_list_relations
from works.models import Researcher, Work, trust_band_for

FEED_SIZE = 50


def exported_works(researcher_id):
    """The works the profile lists, newest year first then title, with authors and versions."""
    return with_list_relations(entries_for(researcher_id).filter(is_hidden=False)).order_by(
        F("publication_year").desc(nulls_last=True), Lower("title"), "pk"
    )


NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "del", "della", "di", "du", "la", "le"}

# type (OpenAlex / CSL vocabulary) -> (BibTeX entry type, venue field, RIS type, CSL type)
_TYPES = {
    "article": ("article", "journal", "JOUR", "article-journal"),
    "journal-article": ("article", "journal", "JOUR", "article-journal"),
    "article-journal": ("article", "journal", "JOUR", "article-journal"),
    "review": ("article", "journal", "JOUR", "article-journal"),
    "letter": ("article", "journal", "JOUR", "article-journal"),
    "editorial": ("article", "journal", "JOUR", "article-journal"),
    "preprint": ("misc", "howpublished", "UNPB", "article"),
    "book": ("book", "publisher", "BOOK", "book"),
    "book-chapter": ("incollection", "booktitle", "CHAP", "chapter"),
    "chapter": ("incollection", "booktitle", "CHAP", "chapter"),
    "paper-conference": ("inproceedings", "booktitle", "CPAPER", "paper-conference"),
    "proceedings-article": ("inproceedings", "booktitle", "CPAPER", "paper-conference"),
    "dissertation": ("phdthesis", "school", "THES", "thesis"),
    "thesis": ("phdthesis", "school", "THES", "thesis"),
    "dataset": ("misc", "howpublished", "DATA", "dataset"),
    "report": ("techreport", "institution", "RPRT", "report"),
}
_OTHER = ("misc", "howpublished", "GEN", "article")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _clean(text: str) -> str:
    """One line of plain text: no control characters, whitespace collapsed."""
    return " ".join(_CONTROL.sub("", text or "").split())


def split_name(name: str) -> tuple[str, str]:
    """(family, given) from a display name: "Alistair Van Moere" -> ("Van Moere", "Alistair")."""
    parts = _clean(name).split()
    if len(parts) < 2:
        return (parts[0] if parts else "", "")
    start = len(parts) - 1
    while start > 1 and parts[start - 1].lower() in NAME_PARTICLES:
        start -= 1
    return " ".join(parts[start:]), " ".join(parts[:start])


def _author_names(work: Work) -> list[str]:
    names = []
    for authorship in work.authorships.all():
        researcher = authorship.researcher if authorship.researcher_id else None
        name = (researcher.display_name if researcher else "") or authorship.raw_author_name
        if _clean(name):
            names.append(_clean(name))
    return names


def _arxiv_id(work: Work) -> str:
    if work.arxiv_id:
        return work.arxiv_id
    return next((v.arxiv_id for v in work.versions.all() if v.arxiv_id), "")


def _url(work: Work) -> str:
    """The first http(s) link among landing page, DOI and arXiv page: a landing page with
    another scheme must not hide the DOI."""
    candidates = (work.landing_page_url, work.doi_url, work.arxiv_url)
    return next((url for url in candidates if url.startswith(("https://", "http://"))), "")


def _kind(work: Work) -> tuple[str, str, str, str]:
    return _TYPES.get(work.type, _OTHER)


# BibTeX ------------------------------------------------------------------------------------


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in _clean(text))


def _bibtex_key(work: Work, names: list[str], taken: set[str]) -> str:
    family = split_name(names[0])[0] if names else "anon"
    first_word = next((w for w in re.findall(r"\w+", work.title) if len(w) > 3), "work")
    base = slugify(f"{family}{work.publication_year or ''}{first_word}").replace("-", "")
    base = base or f"work{work.pk}"
    key, suffix = base, 0
    while key in taken:
        suffix += 1
        key = f"{base}{chr(ord('a') + suffix - 1) if suffix <= 26 else suffix}"
    taken.add(key)
    return key


def bibtex_entry(work: Work, taken: set[str] | None = None) -> str:
    """One work as a BibTeX entry; ``taken`` holds the keys already used in the same file."""
    entry_type, venue_field, _, _ = _kind(work)
    names = _author_names(work)
    fields = [
        ("title", work.title),
        ("author", " and ".join(", ".join(p for p in split_name(n) if p) for n in names)),
        ("year", str(work.publication_year or "")),
        (venue_field, work.venue),
        ("doi", work.doi or ""),
        ("url", _url(work)),
    ]
    if arxiv_id := _arxiv_id(work):
        fields += [("eprint", arxiv_id), ("archiveprefix", "arXiv")]
    body = ",\n".join(
        f"  {name} = {{{bibtex_escape(value)}}}" for name, value in fields if _clean(value)
    )
    key = _bibtex_key(work, names, set() if taken is None else taken)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def to_bibtex(works) -> str:
    taken: set[str] = set()
    return "\n".join(bibtex_entry(work, taken) for work in works)


# RIS ---------------------------------------------------------------------------------------


def _ris_lines(work: Work) -> list[str]:
    _, _, ris_type, _ = _kind(work)
    lines = [f"TY  - {ris_type}"]
    lines += [f"AU  - {', '.join(p for p in split_name(n) if p)}" for n in _author_names(work)]
    fields = [
        ("TI", work.title),
        ("PY", str(work.publication_year or "")),
        ("DA", work.publication_date.strftime("%Y/%m/%d") if work.publication_date else ""),
        ("T2", work.venue),
        ("DO", work.doi or ""),
        ("UR", _url(work)),
        ("AB", work.abstract),
    ]
    if arxiv_id := _arxiv_id(work):
        fields.append(("N1", f"arXiv:{arxiv_id}"))
    lines += [f"{tag}  - {_clean(value)}" for tag, value in fields if _clean(value)]
    return [*lines, "ER  - ", ""]


def ris_record(work: Work) -> str:
    """One work as a RIS record; RIS lines end with CR LF."""
    return "\r\n".join(_ris_lines(work))


def to_ris(works) -> str:
    # RIS lines end with CR LF.
    return "\r\n".join(line for work in works for line in _ris_lines(work))


# CSL-JSON ----------------------------------------------------------------------------------


def csl_item(work: Work) -> dict:
    """One work as a CSL-JSON item, the input of a CSL processor."""
    _, _, _, csl_type = _kind(work)
    item = {"id": f"bzpeer-{work.pk}", "type": csl_type, "title": _clean(work.title)}
    if work.type == "preprint":
        item["genre"] = "preprint"
    authors = []
    for name in _author_names(work):
        family, given = split_name(name)
        authors.append({"family": family, "given": given} if given else {"literal": name})
    if authors:
        item["author"] = authors
    if work.publication_date:
        date = work.publication_date
        item["issued"] = {"date-parts": [[date.year, date.month, date.day]]}
    elif work.publication_year:
        item["issued"] = {"date-parts": [[work.publication_year]]}
    optional = {
        "container-title": _clean(work.venue),
        "DOI": work.doi or "",
        "URL": _url(work),
        "abstract": work.abstract.strip(),
    }
    item.update({k: v for k, v in optional.items() if v})
    if arxiv_id := _arxiv_id(work):
        item["note"] = f"arXiv:{arxiv_id}"
    return item


def to_csl(works) -> list[dict]:
    return [csl_item(work) for work in works]


# Views -------------------------------------------------------------------------------------


def _researcher_or_redirect(request, pk: int):
    """(researcher, None) for a canonical record; (None, redirect) for a merged one."""
    researcher = get_object_or_404(Researcher, pk=pk)
    if researcher.merged_into_id is not None:
        # Straight to the live record, not one hop at a time.
        live = Researcher.objects.resolve(pk)
        if live is None:
            raise Http404("This record was merged into a record that no longer resolves.")
        url_name = request.resolver_match.view_name
        return None, redirect(reverse(url_name, args=[live.pk]))
    return researcher, None


def _download(researcher: Researcher, body: str, content_type: str, extension: str):
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    name = slugify(fold(researcher.display_name)) or "researcher"
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{researcher.pk}-works.{extension}"'
    )
    return response


def _export(request, pk: int, render, content_type: str, extension: str):
    """One researcher's listed works as a download; a merged record redirects first."""
    researcher, moved = _researcher_or_redirect(request, pk)
    if moved:
        return moved
    return _download(researcher, render(exported_works(researcher.pk)), content_type, extension)


def _csl_json(works) -> str:
    return json.dumps(to_csl(works), ensure_ascii=False, indent=1)


@require_safe
def works_bibtex(request, pk: int):
    return _export(request, pk, to_bibtex, "application/x-bibtex", "bib")


@require_safe
def works_ris(request, pk: int):
    return _export(request, pk, to_ris, "application/x-research-info-systems", "ris")


@require_safe
def works_csl_json(request, pk: int):
    return _export(request, pk, _csl_json, "application/vnd.citationstyles.csl+json", "json")


class ResearcherWorksFeed(Feed):
    """Atom feed of the works most recently added to a researcher's profile."""

    feed_type = Atom1Feed

    def __init__(self, request, researcher: Researcher):
        # One instance per request (see works_feed): links are built from this request.
        self.request = request
        self.researcher = researcher

    def get_object(self, request, pk: int):
        return self.researcher

    def title(self, researcher):
        return f"New works of {_clean(researcher.display_name)} on bzpeer"

    def subtitle(self, researcher):
        return f"Works added to the profile of {_clean(researcher.display_name)}, newest first."

    def link(self, researcher):
        return self.request.build_absolute_uri(researcher.get_absolute_url())

    def feed_url(self, researcher):
        return self.request.build_absolute_uri(reverse("profiles:feed", args=[researcher.pk]))

    def items(self, researcher):
        return exported_works(researcher.pk).order_by("-created_at", "-pk")[:FEED_SIZE]

    def item_title(self, work):
        return _clean(work.title)

    def item_description(self, work):
        # Plain text: the feed generator escapes it; feed readers do not run it as HTML.
        return _clean(work.abstract) or None

    def item_link(self, work):
        return self.request.build_absolute_uri(reverse("works:detail", args=[work.pk]))

    def item_pubdate(self, work):
        return work.created_at

    def item_updateddate(self, work):
        return work.updated_at

    def item_author_name(self, work):
        names = _author_names(work)
        return ", ".join(names[:10]) + (" et al." if len(names) > 10 else "") or None


@require_safe
def works_feed(request, pk: int):
    researcher, moved = _researcher_or_redirect(request, pk)
    if moved:
        return moved
    return ResearcherWorksFeed(request, researcher)(request, pk=researcher.pk)


# Badge -------------------------------------------------------------------------------------

_BADGE = """<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" \
aria-label="{label}">
<title>{label}</title>
<rect width="{left}" height="20" fill="#2b3a55"/>
<rect x="{left}" width="{right}" height="20" fill="{colour}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="6" y="14">bzpeer</text>
<text x="{text_x}" y="14">{text}</text>
</g>
</svg>
"""
_BAND_COLOURS = {
    "Trusted": "#2e7d32",
    "Established": "#00796b",
    "Developing": "#9e6a03",
    "Emerging": "#6d6d6d",
}


@require_safe
def badge(request, pk: int):
    """An SVG to embed anywhere: name, verification level and trust band."""
    researcher, moved = _researcher_or_redirect(request, pk)
    if moved:
        return moved
    band = trust_band_for(researcher.trust_score)
    level = researcher.get_verification_level_display()
    name = _clean(researcher.display_name)
    name = name if len(name) <= 40 else f"{name[:39]}…"
    text = f"{name} · {level} · {band}"
    left = 52
    right = 12 + round(6.6 * len(text))
    svg = _BADGE.format(
        width=left + right,
        left=left,
        right=right,
        text_x=left + 6,
        colour=_BAND_COLOURS.get(band, "#6d6d6d"),
        label=escape(f"bzpeer: {text}"),
        text=escape(text),
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
