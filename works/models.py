"""The scholarly record as the sources give it: works, their authors (``Researcher``: one author
record as OpenAlex, arXiv or a curated CSL import knows it), institutions, venues and topics.

Users claim author records (``claims``) and follow them (``follows``); they never own the
scholarly data. The author tables keep their historical names (``profiles_*``): the models moved
here so that ingestion depends on nothing above it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from bzpeer import identifiers


class Institution(models.Model):
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    ror = models.CharField("ROR id", max_length=32, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=500)
    country_code = models.CharField(max_length=2, blank=True)
    # OpenAlex's own value, kept verbatim: it types many universities "funder".
    type = models.CharField(max_length=50, blank=True)
    homepage_url = models.URLField(max_length=500, blank=True)
    # Domains whose addresses may verify a claim (from the homepage, or set by staff).
    email_domains = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "profiles_institution"
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


# How a 0-100 trust score reads (graph/trust.py computes the score; docs/trust.md explains it).
TRUST_BANDS = [(75, "Trusted"), (50, "Established"), (25, "Developing"), (0, "Emerging")]


def trust_band_for(score: int | None) -> str:
    """The band a 0-100 score falls in; "Not yet scored" before the first computation."""
    if score is None:
        return "Not yet scored"
    return next(name for floor, name in TRUST_BANDS if score >= floor)


# Merges are shallow in practice (a merge refuses a record that is itself merged); the cap
# only stops a chain broken by hand-edited data from being followed for ever.
MAX_MERGE_HOPS = 20


class ResearcherQuerySet(models.QuerySet):
    def canonical(self):
        """Records not merged into another one: the ones that have pages of their own."""
        return self.filter(merged_into__isnull=True)

    def resolve(self, pk) -> "Researcher | None":
        """The live record for ``pk``: the record itself, or the one it was merged into (the
        ``merged_into`` chain followed to its end). One query per hop, so one for a record
        that was never merged; the queryset's ``select_related`` and filters apply to each.

        None when no record has this pk, and None when the chain never reaches a live record
        (a cycle, or more than ``MAX_MERGE_HOPS`` hops): there is no right answer to give.
        """
        seen = set()
        researcher = self.filter(pk=pk).first()
        while researcher is not None and researcher.merged_into_id is not None:
            seen.add(researcher.pk)
            if researcher.merged_into_id in seen or len(seen) > MAX_MERGE_HOPS:
                return None
            researcher = self.filter(pk=researcher.merged_into_id).first()
        return researcher

    def resolve_pks(self, pks, known: dict | None = None) -> dict[int, int]:
        """{pk: pk of its live record} for many records at once, as ``resolve`` does for one:
        one query per level of the deepest chain. ``known`` ({pk: merged_into_id}, for rows
        the caller has already read) saves those reads, so a batch where nothing was merged
        costs no query. Pks that do not resolve (missing, or a broken chain) are left out."""
        targets = dict(known or {})
        pending = {pk for pk in pks if pk not in targets}
        pending |= {t for t in targets.values() if t is not None and t not in targets}
        for _ in range(MAX_MERGE_HOPS + 1):
            if not pending:
                break
            found = dict(self.filter(pk__in=pending).values_list("pk", "merged_into_id"))
            targets.update(found)
            pending = {t for t in found.values() if t is not None and t not in targets}

        def live(pk):
            seen = set()
            while pk in targets and pk not in seen and len(seen) <= MAX_MERGE_HOPS:
                seen.add(pk)
                if targets[pk] is None:
                    return pk
                pk = targets[pk]
            return None

        resolved = {pk: live(pk) for pk in pks}
        return {pk: target for pk, target in resolved.items() if target is not None}


class Researcher(models.Model):
    class Level(models.IntegerChoices):
        NAME_ONLY = 0, "L0 name only"
        INDEXED = 1, "L1 indexed"
        ORCID = 2, "L2 ORCID-anchored"
        CLAIMED = 3, "L3 claimed"
        VERIFIED = 4, "L4 claimed and verified"

    class Origin(models.TextChoices):
        OPENALEX = "openalex", "OpenAlex"
        ARXIV = "arxiv", "arXiv"
        CURATED = "curated", "Curated by staff"

    display_name = models.CharField(max_length=500)
    display_name_alternatives = models.JSONField(default=list, blank=True)
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    orcid = models.CharField("ORCID", max_length=19, unique=True, null=True, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.OPENALEX)
    last_known_institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the source says about the whole record (OpenAlex counts works we may not hold).
    source_works_count = models.PositiveIntegerField(null=True, blank=True)
    source_cited_by_count = models.PositiveIntegerField(null=True, blank=True)
    h_index = models.PositiveIntegerField(null=True, blank=True)
    source_updated = models.CharField(max_length=40, blank=True)

    # The owner's own words, once the record is claimed; otherwise a summary is generated.
    summary = models.CharField(max_length=280, blank=True)
    # Off until the owner turns it on: an unclaimed record is nobody's invitation to collaborate.
    open_to_collaborate = models.BooleanField(default=False)
    # The owner's research interests (keywords), and the name variants they chose not to show.
    research_interests = models.JSONField(default=list, blank=True)
    hidden_name_variants = models.JSONField(default=list, blank=True)
    # Links the owner chose to show: [{"label": "...", "url": "https://..."}].
    links = models.JSONField(default=list, blank=True)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="researcher",
    )
    # Set by staff after reviewing a claim's evidence (verification level L4).
    staff_verified = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_records"
    )

    # Filled by the graph app (graph/trust.py); placeholders until it runs.
    verification_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.NAME_ONLY
    )
    trust_score = models.PositiveSmallIntegerField(null=True, blank=True)
    trust_breakdown = models.JSONField(default=dict, blank=True)
    trust_computed_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters, kept by the actions that change them.
    followers_count = models.PositiveIntegerField(default=0)
    close_collaborators_count = models.PositiveIntegerField(default=0)
    topics_count = models.PositiveIntegerField(default=0)
    # The works the record's page lists (visible; a preprint listed under its published version
    # counts once), as profiles.publications counts them; written by the graph's recomputes.
    listed_works_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResearcherQuerySet.as_manager()

    class Meta:
        db_table = "profiles_researcher"
        ordering = ["display_name", "pk"]
        indexes = [
            models.Index(fields=["display_name"]),
            # The home page's order: the first page of live records is read from this index,
            # not sorted from all of them.
            models.Index(
                models.F("listed_works_count").desc(),
                "display_name",
                "id",
                condition=Q(merged_into__isnull=True),
                name="researcher_home_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="researcher_not_merged_into_self"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("profiles:detail", args=[self.pk])

    @property
    def is_claimed(self) -> bool:
        return self.owner_id is not None

    @property
    def shown_name_variants(self) -> list[str]:
        """The other names the record is known by, less those its owner chose to hide."""
        hidden = set(self.hidden_name_variants or [])
        hidden.add(self.display_name)
        names = dict.fromkeys(self.display_name_alternatives or [])
        return [name for name in names if name and name not in hidden]

    @property
    def openalex_url(self) -> str:
        return identifiers.openalex_url(self.openalex_id) if self.openalex_id else ""

    @property
    def orcid_url(self) -> str:
        return identifiers.orcid_url(self.orcid) if self.orcid else ""

    @property
    def trust_band(self) -> str:
        return trust_band_for(self.trust_score)


class Affiliation(models.Model):
    """An institution a researcher was affiliated with, and the years the source gives."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="affiliations"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    years = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "profiles_affiliation"
        constraints = [
            models.UniqueConstraint(fields=["researcher", "institution"], name="affiliation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.researcher} @ {self.institution}"


class Topic(models.Model):
    """One node of the OpenAlex topic hierarchy: domain > field > subfield > topic."""

    class Level(models.TextChoices):
        DOMAIN = "domain"
        FIELD = "field"
        SUBFIELD = "subfield"
        TOPIC = "topic"

    # The OpenAlex id without its URL prefix: "T10888", "subfields/1707", "fields/17".
    openalex_id = models.CharField(max_length=40, unique=True)
    display_name = models.CharField(max_length=300)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Source(models.Model):
    """A venue: journal, repository, conference series (OpenAlex "source")."""

    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=500)
    type = models.CharField(max_length=50, blank=True)
    issn_l = models.CharField(max_length=9, blank=True)
    host_organization_name = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


def http_url(url: str) -> str:
    """``url`` when it is an http(s) URL, else "": stored URLs come from outside (imports,
    the admin accepts ftp) and only http(s) ones are ever linked."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


# OpenAlex's open-access statuses, in words a reader understands.
OA_STATUS_LABELS = {
    "gold": "Open access in an open-access journal",
    "diamond": "Open access in a journal free to authors and readers",
    "green": "Free copy in a repository",
    "hybrid": "Open access in a subscription journal",
    "bronze": "Free to read on the publisher's site",
    "closed": "No free copy known",
}
# The status as researchers and funders name it, shown after the words above.
OA_STATUS_TERMS = {
    "gold": "gold open access",
    "diamond": "diamond open access",
    "green": "green open access",
    "hybrid": "hybrid open access",
    "bronze": "bronze open access",
    "closed": "closed access",
}


class WorkQuerySet(models.QuerySet):
    def visible(self):
        """Works not hidden by curation."""
        return self.filter(is_hidden=False)


class Work(models.Model):
    openalex_id = models.CharField(max_length=32, unique=True, null=True, blank=True)
    # Bare, lower-case DOI ("10.1145/2795233"), never the https://doi.org/ form.
    doi = models.CharField("DOI", max_length=255, unique=True, null=True, blank=True)
    # Bare arXiv id without version: "2108.04680" or "astro-ph/0601001".
    arxiv_id = models.CharField("arXiv id", max_length=40, unique=True, null=True, blank=True)
    title = models.TextField()
    # Plain text from the source; untrusted, always escaped when shown.
    abstract = models.TextField(blank=True)
    publication_year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    publication_date = models.DateField(null=True, blank=True)
    type = models.CharField(max_length=50, blank=True)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="works"
    )
    # The venue as the record names it when there is no source entity (CSL, arXiv journal_ref).
    venue_name = models.CharField(max_length=500, blank=True)
    landing_page_url = models.URLField(max_length=1000, blank=True)
    pdf_url = models.URLField(max_length=1000, blank=True)
    cited_by_count = models.PositiveIntegerField(default=0)
    # Citations received per year as OpenAlex gives them: [{"year": 2023, "cited_by_count": 2}].
    counts_by_year = models.JSONField(default=list, blank=True)
    # When the source last counted the citations (its updated_date, else the day of import).
    cited_by_read_on = models.DateField(null=True, blank=True)
    # OpenAlex's open-access status; blank when the source does not say.
    oa_status = models.CharField("open-access status", max_length=8, blank=True)
    # The best open-access copy (its landing page, else its PDF).
    oa_url = models.URLField("open-access copy", max_length=1000, blank=True)
    is_retracted = models.BooleanField(default=False)
    language = models.CharField(max_length=12, blank=True)
    # Curation: hidden works stay in the database (a re-import must not bring them back).
    is_hidden = models.BooleanField(default=False)
    # A preprint points at its published version; the profile lists the pair once.
    version_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    # OpenAlex's updated_date: an unchanged record is skipped on re-import.
    source_updated = models.CharField(max_length=40, blank=True)
    # The fields curation set (a CSL import, a staff edit): an import from a source fills the
    # others but never overwrites these (works/matching.py).
    curated_fields = models.JSONField(default=list, blank=True)
    topics = models.ManyToManyField(Topic, through="WorkTopic", related_name="works")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(version_of=models.F("pk")), name="work_not_version_of_itself"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def venue(self) -> str:
        return self.source.display_name if self.source_id else self.venue_name

    @property
    def doi_url(self) -> str:
        return identifiers.doi_url(self.doi) if self.doi else ""

    @property
    def arxiv_url(self) -> str:
        return identifiers.arxiv_abs_url(self.arxiv_id) if self.arxiv_id else ""

    @property
    def arxiv_pdf_url(self) -> str:
        return identifiers.arxiv_pdf_url(self.arxiv_id) if self.arxiv_id else ""

    @property
    def oa_status_label(self) -> str:
        """The open-access status in plain words ("" when unknown)."""
        return OA_STATUS_LABELS.get(self.oa_status, "")

    @property
    def oa_status_term(self) -> str:
        """The open-access status by its usual name ("green open access"; "" when unknown)."""
        return OA_STATUS_TERMS.get(self.oa_status, "")

    @property
    def links(self) -> list[dict]:
        """The ways to reach the work, each {"label", "url"}, http(s) only and each URL once:
        DOI, arXiv abstract and PDF, the best open-access copy, the PDF, the landing page."""
        candidates = [
            ("DOI", self.doi_url),
            ("arXiv abstract", self.arxiv_url),
            ("arXiv PDF", self.arxiv_pdf_url),
            ("Open-access copy", self.oa_url),
            ("PDF", self.pdf_url),
            ("Landing page", self.landing_page_url),
        ]
        links, seen = [], set()
        for label, url in candidates:
            if http_url(url) and url not in seen:
                seen.add(url)
                links.append({"label": label, "url": url})
        return links


class WorkReference(models.Model):
    """A work that ``work`` cites, by OpenAlex id (from its ``referenced_works``), whether or not
    bzpeer holds it: the works citing a stored work are the rows whose ``cited_openalex_id`` is
    its ``openalex_id``."""

    # Three indexes, not five: the import writes some 30 of these rows a work, each index a
    # write of its own. The unique constraint leads with the work, so the work needs no index
    # of its own, and ids are only ever compared whole, never matched with LIKE (the pattern
    # index ``db_index=True`` adds on PostgreSQL).
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="references", db_index=False
    )
    cited_openalex_id = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["work", "cited_openalex_id"], name="workreference_unique"
            )
        ]
        indexes = [models.Index(fields=["cited_openalex_id"], name="workreference_cited")]

    def __str__(self) -> str:
        return f"{self.work_id} cites {self.cited_openalex_id}"


class Authorship(models.Model):
    class Position(models.TextChoices):
        FIRST = "first"
        MIDDLE = "middle"
        LAST = "last"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="authorships")
    # Null when the source names an author it has no record for.
    researcher = models.ForeignKey(
        Researcher, null=True, blank=True, on_delete=models.SET_NULL, related_name="authorships"
    )
    order = models.PositiveSmallIntegerField()
    position = models.CharField(max_length=8, choices=Position.choices, blank=True)
    raw_author_name = models.CharField(max_length=500, blank=True)
    institutions = models.ManyToManyField(Institution, blank=True, related_name="authorships")
    # The record's owner said "this is mine" (a work they added); the sources did not.
    added_by_owner = models.BooleanField(default=False)

    class Meta:
        ordering = ["work", "order"]
        constraints = [
            models.UniqueConstraint(fields=["work", "order"], name="authorship_unique_order")
        ]
        indexes = [models.Index(fields=["researcher", "work"])]

    def __str__(self) -> str:
        return f"{self.raw_author_name} on {self.work_id}"


class WorkTopic(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="work_topics")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="work_topics")
    score = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "topic"], name="worktopic_unique")]

    def __str__(self) -> str:
        return f"{self.topic_id} on {self.work_id}"


class ImportRun(models.Model):
    """One background import: what was asked, how far it got, what it changed and what failed.

    A run is resumable: ``checkpoint`` records where the next page starts (an OpenAlex cursor,
    an arXiv offset) and is saved in the same transaction as the page it follows, so a worker
    killed mid-import loses nothing and a re-run repeats no committed page.
    """

    class Source(models.TextChoices):
        OPENALEX = "openalex", "OpenAlex author"
        ARXIV = "arxiv", "arXiv author query"
        SNAPSHOT = "snapshot", "OpenAlex snapshot"
        CSL = "csl", "CSL-JSON file"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    source = models.CharField(max_length=16, choices=Source.choices)
    # What to import: an OpenAlex id/URL/ORCID, or an arXiv query; researcher when known.
    target = models.CharField(max_length=500)
    researcher = models.ForeignKey(
        Researcher, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # [{"at": iso time, "page": n, "kind": "PermanentError", "detail": "..."}]
    errors = models.JSONField(default=list, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    celery_task_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.target} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class CurationLog(models.Model):
    """Append-only record of a correction, by staff or by a record's owner; re-applied after every
    later import, in order. An entry is undone by a later entry (``REVERT`` names it), never by
    editing or deleting it."""

    class Action(models.TextChoices):
        HIDE = "hide"
        UNHIDE = "unhide"
        MERGE = "merge"
        SPLIT = "split"
        CSL_IMPORT = "csl_import", "CSL import"
        MATCH = "match", "Import matched a curated work"
        UNMATCH = "unmatch", "Match undone"
        UNMERGE = "unmerge", "Merge undone"
        NOT_MINE = "not_mine", "Not mine"
        MINE_AGAIN = "mine_again", "Mine after all"
        OWNER_ADD = "owner_add", "Work added by the researcher"
        IDENTITY = "identity", "Name and interests edited"
        REVERT = "revert", "Entry reverted"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    # {"work": 3} / {"source": 4, "target": 5} / {"from": 4, "to": 9, "works": [1, 2]}
    target = models.JSONField(default=dict)
    # The record the entry is about, so a record's history is one indexed query.
    researcher = models.ForeignKey(
        Researcher, null=True, blank=True, on_delete=models.SET_NULL, related_name="curation_log"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("CurationLog is append-only: write a new entry instead")
        super().save(*args, **kwargs)
