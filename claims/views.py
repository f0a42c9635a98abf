"""Claim, review, owner and invitation pages. Every state change is a POST that calls an
action in ``claims.actions`` or ``claims.invitations``; objects come from ``claims.access``."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.signin import signin_redirect, signin_required
from bzpeer.staff import has_staff_permission, require_staff_permission
from claims import access, actions, identity, invitations
from claims.corrections import CorrectionError
from claims.email_domains import domains_for_researcher
from claims.forms import ClaimForm, DecisionForm, InvitationForm, RecordEditForm
from claims.models import Claim, Invitation, SenderBlock
from works.models import Researcher


def _staff_permission_required(perm: str):
    """Signed-out users sign in and come back; anyone else without ``perm`` as staff gets a 404
    (staff status alone included)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return signin_redirect(request, request.get_full_path())
            require_staff_permission(request.user, perm, refuse=Http404)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _orcid_sign_in_available(request) -> bool:
    from allauth.socialaccount.adapter import get_adapter

    return any(p.id == "orcid" for p in get_adapter(request).list_providers(request))


# Claiming -------------------------------------------------------------------------------------


def claim_start(request, pk: int):
    """GET: the claim form. POST: open the claim."""
    researcher = get_object_or_404(
        Researcher.objects.canonical().select_related("last_known_institution"), pk=pk
    )
    if not request.user.is_authenticated:
        return signin_redirect(request, request.path)
    if researcher.is_claimed:
        messages.info(request, "This record is already claimed.")
        return redirect(researcher)
    user_orcid = actions.orcid_for_user(request.user)
    form = ClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = actions.submit_claim(
                request.user,
                researcher,
                form.cleaned_data["evidence"],
                institutional_email=form.cleaned_data["institutional_email"],
                note=form.cleaned_data["note"],
                links=form.links(),
            )
        except actions.ClaimError as error:
            # Shown next to the evidence it is about, and in the summary above the form.
            form.add_error(_CLAIM_ERROR_FIELD.get(form.cleaned_data["evidence"]), str(error))
        else:
            if claim.status == Claim.Status.APPROVED:
                messages.success(request, "Your ORCID matches: you now own this record.")
                return redirect(researcher)
            if claim.status == Claim.Status.AWAITING_EMAIL:
                messages.success(
                    request,
                    f"We sent a confirmation link to {claim.institutional_email}. "
                    "Open it while signed in to continue.",
                )
            else:
                messages.success(request, "Your claim is waiting for staff review.")
            return redirect("claims:detail", claim.pk)
    return render(
        request,
        "claims/claim_form.html",
        {
            "researcher": researcher,
            "form": form,
            "user_orcid": user_orcid,
            "orcid_available": _orcid_sign_in_available(request),
            "email_domains": sorted(domains_for_researcher(researcher)),
        },
        status=400 if request.method == "POST" else 200,
    )


_CLAIM_ERROR_FIELD = {
    Claim.Evidence.ORCID: "evidence",
    Claim.Evidence.EMAIL: "institutional_email",
    Claim.Evidence.OTHER: "note",
}


@signin_required
def my_claims(request):
    claims = Claim.objects.filter(claimant=request.user).select_related("researcher")
    owned = Researcher.objects.filter(owner=request.user).first()
    return render(request, "claims/my_claims.html", {"claims": claims, "owned": owned})


@signin_required
def claim_detail(request, pk: int):
    claim = access.get_claim_for_user(request.user, pk)
    events = claim.events.select_related("actor__profile")
    return render(
        request,
        "claims/claim_detail.html",
        {
            "claim": claim,
            "events": events,
            "can_review": has_staff_permission(request.user, access.DECIDE_CLAIMS)
            and claim.claimant_id != request.user.pk,
            "decision_form": DecisionForm(),
        },
    )


@require_POST
def claim_withdraw(request, pk: int):
    if not request.user.is_authenticated:
        return signin_redirect(request, f"/claims/{pk}/")
    claim = access.get_claim_for_user(request.user, pk)
    try:
        actions.withdraw_claim(claim, request.user)
    except actions.ClaimError as error:
        messages.error(request, str(error))
        return redirect("claims:detail", claim.pk)
    messages.success(request, "Claim withdrawn.")
    return redirect("claims:detail", claim.pk)


@require_POST
def claim_resend_email(request, pk: int):
    if not request.user.is_authenticated:
        return signin_redirect(request, f"/claims/{pk}/")
    claim = access.get_claim_for_user(request.user, pk)
    try:
        actions.resend_claim_email(claim, request.user)
    except actions.ClaimError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new link is on its way to {claim.institutional_email}.")
    return redirect("claims:detail", claim.pk)


def verify_email(request, token: str):
    """GET: a page naming the address and the record, with a confirm button (mail scanners
    follow links). POST: confirm."""
    if not request.user.is_authenticated:
        messages.info(
            request,
            "Sign in with the account you claimed the record from to confirm your institutional "
            "address. You will come back to the confirmation link after.",
        )
        return signin_redirect(request, request.path)
    try:
        if request.method == "POST":
            claim = actions.verify_claim_email(request.user, token)
            messages.success(
                request, "Address confirmed. Your claim is now waiting for staff review."
            )
            return redirect("claims:detail", claim.pk)
        claim = actions.claim_for_email_link(request.user, token)
    except actions.ClaimError as error:
        return render(request, "claims/verify_email.html", {"error": str(error)}, status=400)
    return render(request, "claims/verify_email.html", {"token": token, "claim": claim})


# Staff review ---------------------------------------------------------------------------------


@_staff_permission_required(access.READ_CLAIMS)
def review_queue(request):
    claims = (
        Claim.objects.filter(status__in=Claim.OPEN_STATUSES)
        .select_related("researcher", "claimant__profile")
        .order_by("created_at", "pk")
    )
    return render(request, "claims/review_queue.html", {"claims": claims})


def _decide(request, pk: int, decide, success: str):
    """Approve or reject through the claim action; a refusal becomes a message, not an error."""
    claim = access.get_claim_for_reviewer(request.user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        decide(claim, request.user, form.cleaned_data.get("reason", ""))
    except actions.ClaimError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success.format(claim=claim))
    return redirect("claims:detail", claim.pk)


@require_POST
@_staff_permission_required(access.DECIDE_CLAIMS)
def claim_approve(request, pk: int):
    return _decide(
        request,
        pk,
        actions.approve_claim,
        "Approved: {claim.claimant} now owns {claim.researcher}.",
    )


@require_POST
@_staff_permission_required(access.DECIDE_CLAIMS)
def claim_reject(request, pk: int):
    return _decide(request, pk, actions.reject_claim, "Claim rejected; the claimant was told why.")


@require_http_methods(["GET", "POST"])
@_staff_permission_required(access.VERIFY_RECORDS)
def record_verify(request, pk: int):
    """GET: a confirmation page naming the record and its owner. POST: grant (or, with
    ``verified=0``, withdraw) L4. One click on a profile never grants it."""
    researcher = access.get_researcher_for_verifier(request.user, pk)
    if request.method == "POST":
        verified = request.POST.get("verified", "1") == "1"
        try:
            actions.set_staff_verified(researcher, request.user, verified)
        except actions.ClaimError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "Staff verification granted (L4)." if verified else "Staff verification withdrawn.",
            )
        return redirect(researcher)
    approved = (
        Claim.objects.filter(researcher=researcher, status=Claim.Status.APPROVED)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return render(
        request,
        "claims/record_verify.html",
        {
            "researcher": researcher,
            "approved_claim": approved,
            "own_record": researcher.owner_id == request.user.pk,
        },
    )


# The owner ------------------------------------------------------------------------------------


@signin_required
def record_edit(request):
    """GET: the owner's page. POST: save the edit form; with htmx the form alone comes back
    (saved, or with its errors), without it a redirect back here with a message."""
    researcher = access.get_owned_researcher_for_user(request.user)
    if request.method != "POST":
        form = RecordEditForm(initial=RecordEditForm.initial_for(researcher), researcher=researcher)
        return render(request, "claims/record_edit.html", {"researcher": researcher, "form": form})
    form = RecordEditForm(request.POST, researcher=researcher)
    if form.is_valid():
        try:
            researcher = identity.edit_record(researcher, request.user, form.changes())
        except identity.RecordEditError as error:
            for field, message in error.errors.items():
                field = _EDIT_ERROR_FIELD.get(field, field)
                form.add_error(field if field in form.fields else None, message)
        except (actions.ClaimError, CorrectionError) as error:
            form.add_error(None, str(error))
        else:
            if request.htmx:
                form = RecordEditForm(
                    initial=RecordEditForm.initial_for(researcher), researcher=researcher
                )
                context = {"researcher": researcher, "form": form, "saved": True}
                return render(request, "claims/_record_identity.html", context)
            messages.success(request, "Saved.")
            return redirect("claims:record_edit")
    context = {"researcher": researcher, "form": form}
    if request.htmx:  # htmx swaps only successful answers: the errors come back as a 200
        return render(request, "claims/_record_identity.html", context)
    return render(request, "claims/record_edit.html", context, status=400)


# The form field that shows an error about each edited field.
_EDIT_ERROR_FIELD = {"hidden_name_variants": "shown_name_variants", "links": "link_url_1"}


@require_POST
def record_release(request):
    if not request.user.is_authenticated:
        return signin_redirect(request, "/my-record/")
    researcher = access.get_owned_researcher_for_user(request.user)
    try:
        actions.release_record(researcher, request.user)
    except actions.ClaimError as error:
        messages.error(request, str(error))
        return redirect("claims:record_edit")
    messages.success(request, "You released the record; it is unclaimed again.")
    return redirect(researcher)


# Invitations ----------------------------------------------------------------------------------


def invitation_send(request, pk: int):
    """GET: the invitation form. POST: send it."""
    researcher = get_object_or_404(Researcher.objects.canonical(), pk=pk)
    if not request.user.is_authenticated:
        return signin_redirect(request, researcher.get_absolute_url())
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.send_invitation(
                request.user,
                researcher,
                form.cleaned_data["subject"],
                form.cleaned_data["message"],
            )
        except invitations.InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Invitation sent.")
            return redirect("claims:invitation_detail", invitation.pk)
    return render(
        request,
        "claims/invitation_form.html",
        {"researcher": researcher, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@signin_required
def inbox(request):
    # The profile holds the name people chose, shown for every sender.
    received = Invitation.objects.filter(recipient=request.user).select_related(
        "sender__profile", "researcher"
    )
    sent = Invitation.objects.filter(sender=request.user).select_related("researcher")
    blocks = SenderBlock.objects.filter(owner=request.user).select_related("sender__profile")
    return render(
        request,
        "claims/inbox.html",
        {"received": received[:100], "sent": sent[:100], "blocks": blocks},
    )


@signin_required
def invitation_detail(request, pk: int):
    invitation = access.get_invitation_for_user(request.user, pk)
    return render(
        request,
        "claims/invitation_detail.html",
        {"invitation": invitation, "is_recipient": invitation.recipient_id == request.user.pk},
    )


@require_POST
def invitation_answer(request, pk: int):
    if not request.user.is_authenticated:
        return signin_redirect(request, f"/invitations/{pk}/")
    invitation = access.get_invitation_for_recipient(request.user, pk)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, "Choose accept or decline.")
        return redirect("claims:invitation_detail", invitation.pk)
    try:
        invitations.answer_invitation(invitation, request.user, accept=decision == "accept")
    except invitations.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Accepted." if decision == "accept" else "Declined.")
    return redirect("claims:invitation_detail", invitation.pk)


@require_POST
def invitation_block_sender(request, pk: int):
    if not request.user.is_authenticated:
        return signin_redirect(request, f"/invitations/{pk}/")
    invitation = access.get_invitation_for_recipient(request.user, pk)
    try:
        invitations.block_sender(request.user, invitation.sender)
    except invitations.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You will get no more invitations from this sender.")
    return redirect("claims:inbox")


@require_POST
def unblock(request, pk: int):
    if not request.user.is_authenticated:
        return signin_redirect(request, "/invitations/")
    invitations.unblock_sender(request.user, pk)
    messages.success(request, "Unblocked.")
    return redirect("claims:inbox")
