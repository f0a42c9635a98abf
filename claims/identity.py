"""What the owner of a record controls about it: the name it goes by, which of its name variants
are shown, research interests, summary line, links and openness to collaboration.

:func:`edit_record` is the one way these change, from the /my-record/ page and the API alike.
The name, the shown variants and the interests are what an import would overwrite or must not
lose, so a change to them is also an ``IDENTITY`` entry in the curation log (with the values it
replaced, for staff to revert), which ``works.curation`` replays after every import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from django.db import transaction

from claims.actions import ClaimError, audit, clean_links
from claims.corrections import check_correction_rate
from claims.models import AuditEvent
from works.curation import OWNER_FIELDS, log_curation
from works.importers.imported_text import bidi_safe
from works.models import CurationLog, Researcher

MAX_NAME_LENGTH = 200
MAX_SUMMARY_LENGTH = 280
MAX_INTERESTS = 10
MAX_INTEREST_LENGTH = 60

# The fields an owner may change; the identity ones are logged for replay after imports.
EDITABLE_FIELDS = tuple(OWNER_FIELDS)


class RecordEditError(ClaimError):
    """Some values cannot be saved; ``errors`` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def clean_text(value, label: str, limit: int) -> str:
    """One line of the owner's text, cleaned as imported text is: no directional controls
    that could spoof the page around it, no other control characters, runs of white space
    collapsed. ValueError (with a message naming ``label``) when it is not text or too long."""
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text.")
    if len(value) > 4 * limit:  # not worth cleaning megabytes to refuse them
        raise ValueError(f"{label} is at most {limit} characters.")
    text = bidi_safe(value)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        raise ValueError(f"{label} is at most {limit} characters.")
    return text


def _text_list(value, label: str) -> list:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{label} must be a list of texts.")
    return list(value)


def clean_display_name(value) -> str:
    name = clean_text(value, "The name", MAX_NAME_LENGTH)
    if not name:
        raise ValueError("Give the name your record should go by.")
    return name


def clean_hidden_variants(value, researcher: Researcher) -> list[str]:
    """The variants to hide: each one of the record's own name variants, once each."""
    known = set(researcher.display_name_alternatives or [])
    hidden: list[str] = []
    for item in _text_list(value, "Hidden name variants"):
        if not isinstance(item, str):
            raise ValueError("Hidden name variants must be a list of texts.")
        if item.strip() not in known:
            raise ValueError(f"“{item.strip()[:100]}” is not one of this record's name variants.")
        if item.strip() not in hidden:
            hidden.append(item.strip())
    return hidden


def clean_interests(value) -> list[str]:
    """Short keywords, blanks dropped, each kept once however it is capitalised."""
    interests: dict[str, str] = {}
    for item in _text_list(value, "Research interests"):
        interest = clean_text(item, "Each research interest", MAX_INTEREST_LENGTH)
        if interest:
            interests.setdefault(interest.casefold(), interest)
    if len(interests) > MAX_INTERESTS:
        raise ValueError(f"At most {MAX_INTERESTS} research interests.")
    return list(interests.values())


def _clean_summary(value) -> str:
    return clean_text(value, "The summary line", MAX_SUMMARY_LENGTH)


def _clean_open(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Open to collaborate must be true or false.")
    return value


def _clean_links(value) -> list[dict]:
    links = _text_list(value, "Links")
    if not all(isinstance(link, dict) for link in links):
        raise ValueError("Each link is an object with a label and a url.")
    if not all(isinstance(link.get(key, ""), str) for link in links for key in ("label", "url")):
        raise ValueError("A link's label and url must be text.")
    try:
        return clean_links(links)
    except ClaimError as error:
        raise ValueError(str(error)) from None


def clean_changes(researcher: Researcher, changes: Mapping) -> dict:
    """The changes, cleaned; RecordEditError naming every field that is wrong (or unknown)."""
    cleaners = {
        "display_name": clean_display_name,
        "hidden_name_variants": lambda v: clean_hidden_variants(v, researcher),
        "research_interests": clean_interests,
        "summary": _clean_summary,
        "open_to_collaborate": _clean_open,
        "links": _clean_links,
    }
    cleaned, errors = {}, {}
    for field, value in changes.items():
        if field not in cleaners:
            errors[field] = "This field cannot be changed here."
            continue
        try:
            cleaned[field] = cleaners[field](value)
        except ValueError as error:
            errors[field] = str(error)
    if errors:
        raise RecordEditError(errors)
    return cleaned


def keep_replaced_name(researcher: Researcher, new_name: str) -> None:
    """Before ``researcher`` goes by ``new_name``, keep the name it replaces as a known
    variant: works are matched to the record by its names, and search finds it by them."""
    old = researcher.display_name
    alternatives = list(researcher.display_name_alternatives or [])
    if old and old != new_name and old not in alternatives:
        researcher.display_name_alternatives = [*alternatives, old]


def edit_record(researcher: Researcher, user, changes: Mapping) -> Researcher:
    """The owner changes what is theirs to change (any of ``EDITABLE_FIELDS``; the rest of the
    record is left alone). Everything is checked first: one bad value and nothing is saved.
    Saving the same values again writes nothing and logs nothing."""
    with transaction.atomic():
        researcher = Researcher.objects.select_for_update().get(pk=researcher.pk)
        if researcher.owner_id is None or researcher.owner_id != user.pk:
            raise ClaimError("Only the owner can edit this record.")
        if researcher.merged_into_id is not None:
            raise ClaimError("This record was merged into another one; edit that one instead.")
        cleaned = clean_changes(researcher, changes)
        changed = {f: v for f, v in cleaned.items() if getattr(researcher, f) != v}
        if not changed:
            return researcher
        update_fields = [*changed]
        check_correction_rate(user)
        log_curation(
            user,
            CurationLog.Action.IDENTITY,
            {
                "researcher": researcher.pk,
                "changes": changed,
                "before": {f: getattr(researcher, f) for f in changed},
            },
            "Edited by the record's owner.",
            researcher=researcher,
        )
        if "display_name" in changed:
            keep_replaced_name(researcher, changed["display_name"])
            update_fields.append("display_name_alternatives")
        for field, value in changed.items():
            setattr(researcher, field, value)
        researcher.save(update_fields=[*update_fields, "updated_at"])
        audit(AuditEvent.Action.RECORD_EDITED, user, researcher=researcher, fields=sorted(changed))
    return researcher
