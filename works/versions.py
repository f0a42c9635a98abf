"""Link a preprint to its published version, so the profile lists the paper once.

Run after every import. Two works are versions of one paper when their titles are the same once
normalised (case, accents, punctuation), they share at least one author record, and exactly one
side is a preprint (arXiv id, an arXiv DOI ``10.48550/...``, or typed ``preprint``). The preprint
gets ``version_of`` = the published work. A link already set (by an earlier run or by staff) is
never changed, so a second run is a no-op.
"""

from collections import defaultdict

from django.db import transaction

from bzpeer.fold import title_key
from works.models import Authorship, Work

# Titles shorter than this once normalised ("Introduction", "Editorial") are too generic to pair
# two works on.
MIN_TITLE_KEY = 12


def is_preprint(work: Work) -> bool:
    return bool(
        work.arxiv_id
        or (work.doi or "").startswith("10.48550/")
        or work.type == "preprint"
        or (work.venue_name or "").lower() == "arxiv"
    )


@transaction.atomic
def link_versions(researcher_ids) -> int:
    """Link the preprint/published pairs among these researchers' works; returns links made."""
    researcher_ids = list(researcher_ids)
    if not researcher_ids:
        return 0
    rows = Authorship.objects.filter(
        work__authorships__researcher_id__in=researcher_ids, researcher_id__isnull=False
    ).values_list("work_id", "researcher_id")
    authors: dict[int, set[int]] = defaultdict(set)
    for work_id, researcher_id in rows:
        authors[work_id].add(researcher_id)
    works = (
        Work.objects.filter(pk__in=authors)
        .only(
            "pk", "title", "type", "doi", "arxiv_id", "venue_name", "version_of", "publication_date"
        )
        .select_for_update()
        .order_by("pk")
    )
    groups: dict[str, list[Work]] = defaultdict(list)
    for work in works:
        key = title_key(work.title)
        if len(key) >= MIN_TITLE_KEY:
            groups[key].append(work)
    linked = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        published = [w for w in group if not is_preprint(w) and w.version_of_id is None]
        for preprint in (w for w in group if is_preprint(w) and w.version_of_id is None):
            candidates = [w for w in published if authors[w.pk] & authors[preprint.pk]]
            if not candidates:
                continue
            target = min(candidates, key=lambda w: w.pk)
            preprint.version_of = target
            preprint.save(update_fields=["version_of", "updated_at"])
            linked += 1
    return linked
