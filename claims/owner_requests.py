"""What a record's owner asks for on /my-record/ beyond editing it: add a missing work, merge
another record that is also them; and the staff page that decides the merge requests.

The owner's forms are plain POSTs that come back to the page with a message; with htmx the
section alone is swapped (``templates/claims/_record_add_work.html`` and
``_record_merge_request.html``, rendered by the page through the ``record_additions`` tags and
by these views alike).
"""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.signin import signin_redirect, signin_required
from bzpeer.staff import require_staff_permission
from claims import access, added_works, merge_requests
from claims.corrections import CorrectionError
from claims.models import MergeRequest
from works.models import Researcher


def add_work_context(researcher: Researcher) -> dict:
    return {"researcher": researcher, "additions": added_works.recent_additions(researcher)}


def merge_request_context(researcher: Researcher) -> dict:
    requests = MergeRequest.objects.filter(record=researcher).select_related("other")[:5]
    return {"researcher": researcher, "merge_requests": requests}


def _answer(request, researcher, template, context, anchor, message, *, error=False):
    if request.htmx:
        # htmx swaps only successful answers: a refusal comes back as a 200 with its message.
        context = context(researcher) | {"notice": message, "notice_error": error}
        return render(request, template, context)
    (messages.error if error else messages.success)(request, message)
    return redirect(f"{reverse('claims:record_edit')}#{anchor}")


def _owned_record(request):
    if not request.user.is_authenticated:
        return None
    return access.get_owned_researcher_for_user(request.user)


@require_POST
def add_work(request):
    """Add a work by DOI or arXiv id: looked up, imported and put on the owner's record."""
    researcher = _owned_record(request)
    if researcher is None:
        return signin_redirect(request, reverse("claims:record_edit"))
    try:
        addition = added_works.add_missing_work(
            request.user,
            researcher,
            doi=request.POST.get("doi", ""),
            arxiv_id=request.POST.get("arxiv_id", ""),
        )
        message, error = addition.message, addition.state in ("not_found", "failed")
    except CorrectionError as refusal:
        message, error = str(refusal), True
    return _answer(
        request,
        researcher,
        "claims/_record_add_work.html",
        add_work_context,
        "record-add-work",
        message,
        error=error,
    )


@require_POST
def merge_request(request):
    """Ask for another record (by id) to be merged into the owner's."""
    researcher = _owned_record(request)
    if researcher is None:
        return signin_redirect(request, reverse("claims:record_edit"))
    try:
        made = merge_requests.request_merge(
            request.user,
            researcher,
            request.POST.get("researcher", "").strip().lstrip("#"),
            request.POST.get("note", ""),
        )
    except CorrectionError as refusal:
        message, error = str(refusal), True
    else:
        message, error = _merge_message(made), made.status == MergeRequest.Status.REFUSED
    return _answer(
        request,
        researcher,
        "claims/_record_merge_request.html",
        merge_request_context,
        "record-merge-request",
        message,
        error=error,
    )


def _merge_message(made: MergeRequest) -> str:
    name = f"{made.other.display_name} (#{made.other_id})"
    if made.status == MergeRequest.Status.APPLIED:
        return f"{name} is merged into your record: its ORCID iD is the one you signed in with."
    if made.status == MergeRequest.Status.REFUSED:
        return f"Refused: {made.reason}"
    return f"Asked for {name}: staff will look at the evidence and decide."


# Staff ------------------------------------------------------------------------------------------


@signin_required
def review_merge_requests(request):
    """The merge requests waiting for staff, with each record's ids, ORCID and works."""
    require_staff_permission(request.user, access.DECIDE_CLAIMS, refuse=Http404)
    pending = (
        MergeRequest.objects.filter(status=MergeRequest.Status.PENDING)
        .select_related("requester", "record", "other")
        .annotate(
            record_works=Count("record__authorships", distinct=True),
            other_works=Count("other__authorships", distinct=True),
        )
        .order_by("created_at", "pk")
    )
    return render(request, "claims/merge_requests.html", {"merge_requests": pending})


def _decide(request, pk: int, decide, done: str):
    if not request.user.is_authenticated:
        return signin_redirect(request, reverse("claims:merge_requests"))
    made = merge_requests.get_merge_request_for_reviewer(request.user, pk)
    try:
        decide(made)
    except CorrectionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done.format(name=made.other.display_name, pk=made.other_id))
    return redirect("claims:merge_requests")


@require_POST
def approve_merge_request(request, pk: int):
    return _decide(
        request,
        pk,
        lambda made: merge_requests.approve_merge_request(made, request.user),
        "Merged {name} (#{pk}); the researcher is told.",
    )


@require_POST
def refuse_merge_request(request, pk: int):
    return _decide(
        request,
        pk,
        lambda made: merge_requests.refuse_merge_request(
            made, request.user, request.POST.get("reason", "")
        ),
        "Refused the request for {name} (#{pk}); the researcher is told why.",
    )
