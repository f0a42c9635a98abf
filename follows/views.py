from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from follows import actions
from follows.models import DigestSubscription, Follow, Notification
from follows.signin import safe_next, signin_redirect, signin_required
from profiles.models import Researcher
from works.models import Authorship, Work


def _follow_action(request, pk: int, follow: bool):
    researcher = get_object_or_404(Researcher.objects.canonical(), pk=pk)
    back = safe_next(request, researcher.get_absolute_url())
    if not request.user.is_authenticated:
        return signin_redirect(request, back)
    if follow:
        actions.follow(request.user, researcher)
    else:
        actions.unfollow(request.user, researcher)
    if request.htmx:
        # The same partial the profile page includes, re-rendered in place.
        return render(
            request,
            "follows/_follow_button.html",
            {"researcher": researcher, "is_following": follow},
        )
    return redirect(back)


@require_POST
def follow(request, pk: int):
    return _follow_action(request, pk, follow=True)


@require_POST
def unfollow(request, pk: int):
    return _follow_action(request, pk, follow=False)


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
    followed_ids = Follow.objects.filter(user=request.user).values("researcher_id")
    works = (
        Work.objects.visible()
        .filter(authorships__researcher_id__in=followed_ids)
        .distinct()
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.filter(researcher_id__in=followed_ids).select_related(
                    "researcher"
                ),
                to_attr="followed_authorships",
            )
        )
        .order_by("-created_at", "-pk")
    )
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
    actions.mark_notifications_read(request.user)
    return redirect("follows:notifications")
