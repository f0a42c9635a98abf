from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Notification
from accounts.notifications import mark_notifications_read
from accounts.signin import safe_next, signin_redirect, signin_required
from follows import actions
from follows.feed import new_works_for
from follows.models import DigestSubscription, Follow
from works.models import Researcher


def _confirm_url(researcher, back: str) -> str:
    """The follow page a signed-out visitor comes back to after signing in."""
    url = reverse("follows:follow", args=[researcher.pk])
    if back != researcher.get_absolute_url():
        url += "?" + urlencode({"next": back})
    return url


def _button(request, researcher, following: bool):
    # The same partial the profile page includes, re-rendered in place, and the followers tile
    # of the trust snapshot swapped out of band so the count on the page agrees.
    return render(
        request,
        "follows/_follow_response.html",
        {"researcher": researcher, "is_following": following},
    )


@require_http_methods(["GET", "POST"])
def follow(request, pk: int):
    """POST follows. GET is the step a signed-out visitor who pressed Follow comes back to after
    signing in: it asks them to confirm, and never follows by itself (a link preview, a
    prefetch or a crawler must not follow anyone)."""
    researcher = get_object_or_404(Researcher.objects.canonical(), pk=pk)
    back = safe_next(request, researcher.get_absolute_url())
    if not request.user.is_authenticated:
        return signin_redirect(request, _confirm_url(researcher, back))
    if request.method == "GET":
        already = Follow.objects.filter(user=request.user, researcher=researcher).exists()
        return render(
            request,
            "follows/follow_confirm.html",
            {"researcher": researcher, "already": already, "back": back},
        )
    actions.follow(request.user, researcher)
    if request.htmx:
        return _button(request, researcher, True)
    return redirect(back)


@require_POST
def unfollow(request, pk: int):
    researcher = get_object_or_404(Researcher.objects.canonical(), pk=pk)
    back = safe_next(request, researcher.get_absolute_url())
    if not request.user.is_authenticated:
        return signin_redirect(request, back)
    actions.unfollow(request.user, researcher)
    if request.htmx:
        return _button(request, researcher, False)
    return redirect(back)


@signin_required
def following(request):
    follows = (
        Follow.objects.filter(user=request.user)
        .select_related("researcher__last_known_institution")
        .order_by("researcher__display_name", "pk")
    )
    subscription = DigestSubscription.objects.filter(user=request.user).first()
    return render(
        request,
        "follows/following.html",
        {
            "follows": follows,
            "digest_enabled": subscription.enabled if subscription else True,
        },
    )


@require_POST
def digest_settings(request):
    if not request.user.is_authenticated:
        return signin_redirect(request, "/following/")
    actions.set_digest_enabled(request.user, request.POST.get("enabled") == "1")
    return redirect("follows:following")


@signin_required
def feed(request):
    works = new_works_for(request.user)
    page = Paginator(works, settings.BZPEER_FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "follows/feed.html", {"page_obj": page})


@signin_required
def notifications(request):
    items = Notification.objects.filter(user=request.user)[:100]
    return render(request, "follows/notifications.html", {"notifications": items})


@require_POST
def notifications_read(request):
    if not request.user.is_authenticated:
        return signin_redirect(request, "/notifications/")
    mark_notifications_read(request.user)
    return redirect("follows:notifications")
