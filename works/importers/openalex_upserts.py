"""Bulk upserts of the records an OpenAlex import touches besides works: institutions,
sources, topics, researchers and affiliations. Each runs a constant number of queries whatever
the batch size, writes only rows that differ, and returns {OpenAlex id: pk}."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from works.importers.bulk_insert import insert_new
from works.importers.openalex_records import AuthorRecord
from works.models import Affiliation, Institution, Researcher, Source, Topic


def apply_fields(obj, fields: dict) -> list[str]:
    """Set the fields that differ on obj; return their names."""
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def bulk_update_touched(model, objs: list, fields: set[str]) -> None:
    if not objs:
        return
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        # bulk_update bypasses auto_now.
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
        fields = fields | {"updated_at"}
    model.objects.bulk_update(objs, sorted(fields))


def upsert_by_openalex_id(
    model, records: dict[str, dict], *, unique_extra: str | None = None, outcomes=None
):
    """Create or update rows keyed by ``openalex_id``; returns {openalex_id: pk}.

    ``records`` map an id to the fields the data carries (absent keys leave the row alone).
    ``unique_extra`` names a second unique field (ROR) that is dropped from a record when
    another row already holds that value, rather than failing the batch. ``outcomes``, if
    given, receives {openalex_id: "created" | "updated" | "unchanged"}.
    """
    outcomes = {} if outcomes is None else outcomes
    if not records:
        return {}
    lookup = Q(openalex_id__in=list(records))
    extra_values = set()
    if unique_extra:
        extra_values = {f[unique_extra] for f in records.values() if f.get(unique_extra)}
        if extra_values:
            lookup |= Q(**{f"{unique_extra}__in": list(extra_values)})
    rows = list(model.objects.filter(lookup))
    existing = {row.openalex_id: row for row in rows if row.openalex_id}
    holders = {getattr(row, unique_extra): row.openalex_id for row in rows} if unique_extra else {}

    new, changed, changed_fields = [], [], set()
    for oid, fields in records.items():
        fields = dict(fields)
        if unique_extra and fields.get(unique_extra):
            holder = holders.get(fields[unique_extra], oid)
            if holder != oid:
                fields.pop(unique_extra)
            else:
                holders[fields[unique_extra]] = oid
        row = existing.get(oid)
        if row is None:
            new.append(model(openalex_id=oid, **fields))
            outcomes[oid] = "created"
        elif names := apply_fields(row, fields):
            changed.append(row)
            changed_fields.update(names)
            outcomes[oid] = "updated"
        else:
            outcomes[oid] = "unchanged"
    pks = {oid: row.pk for oid, row in existing.items()}
    if new:
        # ignore_conflicts: a concurrent import may have created the same row meanwhile.
        model.objects.bulk_create(new, ignore_conflicts=True)
        pks.update(
            model.objects.filter(openalex_id__in=[row.openalex_id for row in new]).values_list(
                "openalex_id", "pk"
            )
        )
    bulk_update_touched(model, changed, changed_fields)
    return pks


def upsert_institutions(records: dict[str, dict], outcomes=None) -> dict[str, int]:
    return upsert_by_openalex_id(Institution, records, unique_extra="ror", outcomes=outcomes)


def upsert_sources(records: dict[str, dict], outcomes=None) -> dict[str, int]:
    return upsert_by_openalex_id(Source, records, outcomes=outcomes)


def upsert_topics(records: dict[str, dict], outcomes=None) -> dict[str, int]:
    """Topics with their hierarchy; records carry ``parent`` as an OpenAlex topic id."""
    outcomes = {} if outcomes is None else outcomes
    if not records:
        return {}
    existing = {t.openalex_id: t for t in Topic.objects.filter(openalex_id__in=list(records))}
    new = [
        Topic(openalex_id=tid, display_name=f["display_name"], level=f["level"])
        for tid, f in records.items()
        if tid not in existing
    ]
    pks = {tid: t.pk for tid, t in existing.items()}
    if new:
        Topic.objects.bulk_create(new, ignore_conflicts=True)
        pks.update(
            Topic.objects.filter(openalex_id__in=[t.openalex_id for t in new]).values_list(
                "openalex_id", "pk"
            )
        )
    changed, parented = [], []
    for tid, f in records.items():
        if tid not in pks:
            continue
        wanted = {
            "display_name": f["display_name"],
            "level": f["level"],
            "parent_id": pks.get(f["parent"]) if f["parent"] else None,
        }
        row = existing.get(tid)
        if row is None:
            outcomes[tid] = "created"
            if wanted["parent_id"] is not None:
                parented.append(Topic(pk=pks[tid], parent_id=wanted["parent_id"]))
        elif apply_fields(row, wanted):
            changed.append(row)
            outcomes[tid] = "updated"
        else:
            outcomes[tid] = "unchanged"
    # A created topic only lacks its parent (bulk_update's cost grows with the fields).
    if parented:
        Topic.objects.bulk_update(parented, ["parent"])
    if changed:
        Topic.objects.bulk_update(changed, ["display_name", "level", "parent"])
    return pks


@dataclass
class ResearcherResult:
    pk_by_id: dict  # OpenAlex id -> pk of the record holding it
    canonical: dict  # OpenAlex id -> pk of the canonical record (merged_into followed)
    created: set
    updated: set


def upsert_researchers(records: dict, institution_pks: dict, *, full: bool) -> ResearcherResult:
    """Researchers by OpenAlex id. ``records`` map an id to an AuthorRecord.

    full=True (author entities): existing records are refreshed from the data.
    full=False (authors named in authorships): unknown authors get a minimal record; known
    ones are left alone, since the author entity is the authority on them.
    An ORCID already held by another record is not copied (unique); a record holding the ORCID
    but no OpenAlex id (curated, arXiv) is adopted: it receives the OpenAlex id instead of a
    duplicate being created.
    """
    orcids = {r.orcid for r in records.values() if r.orcid}
    lookup = Q(openalex_id__in=list(records))
    if orcids:
        lookup |= Q(orcid__in=list(orcids))
    query = Researcher.objects.filter(lookup)
    if not full:
        # Known authors are left alone: read only what matching them needs.
        query = query.only("pk", "openalex_id", "orcid", "merged_into_id")
    rows = list(query)
    by_id = {row.openalex_id: row for row in rows if row.openalex_id}
    by_orcid = {row.orcid: row for row in rows if row.orcid}

    new, changed, changed_fields, created_ids, updated_ids = [], [], set(), set(), set()
    new_orcids = set()  # ORCIDs given to records created in this batch
    for oid, record in records.items():
        row = by_id.get(oid)
        orcid = record.orcid
        if row is None and orcid and (holder := by_orcid.get(orcid)) and not holder.openalex_id:
            row = holder
            row.openalex_id = oid
            by_id[oid] = row
            changed.append(row)
            changed_fields.add("openalex_id")
            updated_ids.add(oid)
        if orcid and (orcid in new_orcids or by_orcid.get(orcid, row) is not row):
            orcid = None  # held by another record
        if row is None:
            fields = record.researcher_fields(institution_pks) if full else {}
            fields.setdefault("display_name", record.display_name)
            if orcid:
                fields["orcid"] = orcid
                new_orcids.add(orcid)
            new.append({"openalex_id": oid, **fields})
            created_ids.add(oid)
            continue
        wanted = record.researcher_fields(institution_pks) if full else {}
        if orcid and row.orcid is None:
            # Identifiers are added, never removed: a record keeps the ORCID it has.
            wanted["orcid"] = orcid
            by_orcid[orcid] = row
        if names := apply_fields(row, wanted):
            if row not in changed:
                changed.append(row)
            changed_fields.update(names)
            updated_ids.add(oid)

    pk_by_id = {oid: row.pk for oid, row in by_id.items() if oid in records}
    pk_by_id.update(insert_new(Researcher, new))
    bulk_update_touched(Researcher, changed, changed_fields)
    created_ids &= set(pk_by_id)
    canonical = follow_merges(pk_by_id, {row.pk: row.merged_into_id for row in by_id.values()})
    return ResearcherResult(pk_by_id, canonical, created_ids, updated_ids)


def follow_merges(pk_by_id: dict, merged_into: dict) -> dict:
    """Map each OpenAlex id to the pk of its canonical record (a query per chain level, and
    none when nothing in the batch was merged). A record on a broken chain keeps its own pk:
    its works must land somewhere."""
    live = Researcher.objects.resolve_pks(list(pk_by_id.values()), known=merged_into)
    return {oid: live.get(pk, pk) for oid, pk in pk_by_id.items()}


def _wanted_affiliations(records: list[AuthorRecord], pk_by_id: dict, institution_pks: dict):
    """researcher pk -> (OpenAlex id, {institution pk: years}) for the records that have an
    ``affiliations`` key."""
    wanted = {}
    for record in records:
        if record.affiliations is None or record.openalex_id not in pk_by_id:
            continue
        wanted[pk_by_id[record.openalex_id]] = (
            record.openalex_id,
            {
                institution_pks[iid]: years
                for iid, years in record.affiliations.items()
                if iid in institution_pks
            },
        )
    return wanted


def sync_affiliations(records: list[AuthorRecord], pk_by_id: dict, institution_pks: dict):
    """Make each researcher's affiliations what its record says (records without an
    ``affiliations`` key leave them alone). Returns the OpenAlex ids whose rows changed."""
    wanted = _wanted_affiliations(records, pk_by_id, institution_pks)
    if not wanted:
        return set()
    existing = Affiliation.objects.filter(researcher_id__in=list(wanted))
    by_key = {(a.researcher_id, a.institution_id): a for a in existing}
    new, changed, stale, touched = [], [], [], set()
    for rid, (oid, years_by_inst) in wanted.items():
        for inst_pk, years in years_by_inst.items():
            row = by_key.get((rid, inst_pk))
            if row is None:
                new.append(Affiliation(researcher_id=rid, institution_id=inst_pk, years=years))
                touched.add(oid)
            elif row.years != years:
                row.years = years
                changed.append(row)
                touched.add(oid)
    for (rid, inst_pk), row in by_key.items():
        if inst_pk not in wanted[rid][1]:
            stale.append(row.pk)
            touched.add(wanted[rid][0])
    if stale:
        Affiliation.objects.filter(pk__in=stale).delete()
    if new:
        Affiliation.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        Affiliation.objects.bulk_update(changed, ["years"])
    return touched
