"""Works, who wrote them, where they appeared and what they are about."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bzpeer import identifiers
from profiles.models import Institution, Researcher


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
    language = models.CharField(max_length=12, blank=True)
    # Curation: hidden works stay in the database (a re-import must not bring them back).
    is_hidden = models.BooleanField(default=False)
    # A preprint points at its published version; the profile lists the pair once.
    version_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    # OpenAlex's updated_date: an unchanged record is skipped on re-import.
    source_updated = models.CharField(max_length=40, blank=True)
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
    """Append-only record of a staff correction; re-applied after every later import."""

    class Action(models.TextChoices):
        HIDE = "hide"
        UNHIDE = "unhide"
        MERGE = "merge"
        SPLIT = "split"
        CSL_IMPORT = "csl_import", "CSL import"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    # {"work": 3} / {"source": 4, "target": 5} / {"from": 4, "to": 9, "works": [1, 2]}
    target = models.JSONField(default=dict)
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
