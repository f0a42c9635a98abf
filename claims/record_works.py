"""The owner's works on /my-record/: each with a "Not mine" button, and the works they took off
with "Undo". Plain POST forms that come back to the page with a message; with htmx the section
alone is swapped (``templates/claims/_record_not_mine.html``, rendered by the page through the
``not_mine_section`` tag and by these views alike)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.signin import signin_redirect
from claims import access, corrections
from works.models import Researcher, Work


def section_context(researcher: Researcher, page_number=1) -> dict:
    """What the section shows: a page of the record's works (newest first), and the works its
    owner marked not theirs. Four queries whatever the number of works."""
    works = (
        Work.objects.filter(authorships__researcher=researcher)
        .distinct()
        .only("pk", "title", "publication_year")
        .order_by("-publication_year", "title", "pk")
    )
    page = Paginator(works, settings.BZPEER_WORKS_PER_PAGE).get_page(page_number)
    return {
        "researcher": researcher,
        "works_page": page,
        "removed": corrections.removed_works(researcher),
    }


def _answer(request, researcher: Researcher, message: str, *, error: bool = False):
    page = request.POST.get("works_page") or 1
    if request.htmx:
        context = section_context(researcher, page) | {"notice": message, "notice_error": error}
        # htmx swaps only successful answers: a refusal comes back as a 200 with its message.
        return render(request, "claims/_record_not_mine.html", context)
    (messages.error if error else messages.success)(request, message)
    return redirect(f"{reverse('claims:record_edit')}?works_page={page}#record-works")


def _correct(request, work_pk: int, action, done: str):
    if not request.user.is_authenticated:
        return signin_redirect(request, reverse("claims:record_edit"))
    researcher = access.get_owned_researcher_for_user(request.user)
    try:
        action(request.user, researcher, work_pk)
    except corrections.CorrectionError as error:
        return _answer(request, researcher, str(error), error=True)
    return _answer(request, researcher, done)


@require_POST
def not_mine(request, work_pk: int):
    return _correct(
        request,
        work_pk,
        corrections.mark_not_mine,
        "Removed from your record. Your co-authors keep it; Undo puts it back.",
    )


@require_POST
def mine_again(request, work_pk: int):
    return _correct(request, work_pk, corrections.undo_not_mine, "Back on your record.")
