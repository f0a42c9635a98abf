"""What went wrong with an import run, in sentences for the staff who started it.

``ImportRun.errors`` keeps what the worker recorded (the exception class as ``kind``, its text as
``detail``, the page): right for a developer, opaque for everyone else. ``explain`` turns one entry
into a sentence saying what happened and what to do, and keeps the recorded text as the
technical detail, which the pages show collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class ExplainedError:
    message: str
    technical: str
    at: object  # an aware datetime, or None when the entry has no readable time
    page: int | None


def _transient(source: str, detail: str) -> str:
    if "Timeout" in detail:
        why = f"{source} took too long to answer"
    elif "ConnectionError" in detail:
        why = f"{source} could not be reached (no network, or the service is down)"
    elif "HTTP 429" in detail:
        why = f"{source} asked us to slow down (too many requests)"
    elif re.search(r"HTTP 5\d\d", detail):
        why = f"{source} had a server error"
    else:
        why = f"{source} did not answer properly"
    return f"{why}, even after retrying. Pages already imported are kept: re-run it later."


def _permanent(source: str, detail: str) -> str:
    if detail.startswith("HTTP 404") or detail.endswith("(404)"):
        return f"{source} has no record with this id. Check the id and start a new import."
    if detail.startswith("Refused outbound request"):
        return "That address is not one of the sources bzpeer may fetch from."
    status = re.match(r"HTTP (\d{3})", detail)
    if status:
        return (
            f"{source} refused the request (HTTP {status.group(1)}). Retrying will not help: "
            "check the id or the query."
        )
    if detail.startswith(("Not an ", "Empty ", "This ")):
        return detail  # written for people already (a bad id, an empty query)
    return (
        f"{source} answered with something bzpeer cannot read. Retrying will not help; "
        "send the technical detail below to the developers."
    )


def _worker_lost(detail: str) -> str:
    if detail.endswith("gave up"):
        return "The worker running this import stopped several times; bzpeer gave up on it."
    return "The worker running this import stopped reporting; the run was started again."


def explain(error: dict, source: str = "The source") -> ExplainedError:
    """One entry of ``ImportRun.errors`` as a sentence, with the recorded text kept aside."""
    kind = str(error.get("kind") or "")
    detail = str(error.get("detail") or "")
    if kind == "TransientError":
        message = _transient(source, detail)
    elif kind == "PermanentError":
        message = _permanent(source, detail)
    elif kind == "WorkerLost":
        message = _worker_lost(detail)
    elif kind == "TextCut":
        # Not a failure: a text far longer than any real record's was kept shortened.
        message = f"A text longer than bzpeer keeps was shortened ({detail.removeprefix('cut: ')})."
    elif kind == "Cancelled":
        message = detail[:1].upper() + detail[1:] + "." if detail else "Cancelled."
    else:
        message = (
            "The import stopped on an unexpected error (a change in the data the source sends, "
            "or a bug in bzpeer). Pages already imported are kept. Send the technical detail "
            "below to the developers."
        )
    at = parse_datetime(error["at"]) if isinstance(error.get("at"), str) else None
    page = error.get("page") if isinstance(error.get("page"), int) else None
    technical = f"{kind}: {detail}" if kind else detail
    return ExplainedError(message=message, technical=technical, at=at, page=page)


SERVICES = {"openalex": "OpenAlex", "snapshot": "OpenAlex", "arxiv": "arXiv", "csl": "The file"}


def explain_run(run) -> list[ExplainedError]:
    source = SERVICES.get(run.source, "The source")
    return [explain(error, source) for error in run.errors or []]
