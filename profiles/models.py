"""Researcher (author) records and institutions.

A ``Researcher`` is one author record as the sources know it (an OpenAlex author, an arXiv
name, a curated CSL import). Users claim records (``claims``); they never own the scholarly data.
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
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


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
    open_to_collaborate = models.BooleanField(default=True)
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

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResearcherQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "pk"]
        indexes = [models.Index(fields=["display_name"])]
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
    def openalex_url(self) -> str:
        return identifiers.openalex_url(self.openalex_id) if self.openalex_id else ""

    @property
    def orcid_url(self) -> str:
        return identifiers.orcid_url(self.orcid) if self.orcid else ""

    @property
    def trust_band(self) -> str:
        from graph.trust import band_for

        return band_for(self.trust_score)


class Affiliation(models.Model):
    """An institution a researcher was affiliated with, and the years the source gives."""

    researcher = models.ForeignKey(
        Researcher, on_delete=models.CASCADE, related_name="affiliations"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    years = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["researcher", "institution"], name="affiliation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.researcher} @ {self.institution}"
