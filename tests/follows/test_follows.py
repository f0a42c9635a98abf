"""Following researchers: the button, the count, /following/, /feed/ and notifications."""

import pytest
from django.urls import reverse

from follows import actions
from follows.models import Follow, Notification
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory

pytestmark = pytest.mark.django_db


def test_following_twice_is_one_follow_and_the_count_is_kept(follower):
    researcher = ResearcherFactory()
    assert actions.follow(follower, researcher) is True
    assert actions.follow(follower, researcher) is False
    researcher.refresh_from_db()
    assert researcher.followers_count == 1
    assert Follow.objects.count() == 1
    assert actions.unfollow(follower, researcher) is True
    assert actions.unfollow(follower, researcher) is False
    researcher.refresh_from_db()
    assert researcher.followers_count == 0


def test_a_plain_post_follows_and_redirects_back(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    response = client.post(reverse("follows:follow", args=[researcher.pk]))
    assert response.status_code == 302
    assert response["Location"] == researcher.get_absolute_url()
    researcher.refresh_from_db()
    assert researcher.followers_count == 1


def test_an_htmx_post_returns_the_button_partial_with_the_new_count(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    response = client.post(reverse("follows:follow", args=[researcher.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="follow-button-{researcher.pk}"' in html
    assert 'aria-pressed="true"' in html
    assert "Follow researcher" in html
    assert '<span class="count" data-followers-count>1</span>' in html
    response = client.post(
        reverse("follows:unfollow", args=[researcher.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'aria-pressed="false"' in html
    assert '<span class="count" data-followers-count>0</span>' in html


def test_next_must_stay_on_this_site(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    response = client.post(
        reverse("follows:follow", args=[researcher.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == researcher.get_absolute_url()


def test_signed_out_visitors_are_sent_to_sign_in_and_back(client):
    researcher = ResearcherFactory()
    response = client.post(reverse("follows:follow", args=[researcher.pk]))
    assert response.status_code == 302
    assert response["Location"] == (f"/accounts/login/?next=/researchers/{researcher.pk}/")
    response = client.post(reverse("follows:follow", args=[researcher.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert not Follow.objects.exists()


def test_follow_refuses_get(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    assert client.get(reverse("follows:follow", args=[researcher.pk])).status_code == 405
    assert not Follow.objects.exists()


def test_the_button_partial_shows_the_count_and_the_signed_out_link(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    researcher = ResearcherFactory(followers_count=7)
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string(
        "follows/_follow_button.html",
        {"researcher": researcher, "user": request.user},
        request=request,
    )
    assert "Follow researcher" in html
    assert ">7</span>" in html
    assert f"/accounts/login/?next=/researchers/{researcher.pk}/" in html.replace("%2F", "/")


def test_the_following_page_lists_followed_researchers_in_constant_queries(
    client, follower, django_assert_max_num_queries
):
    researchers = ResearcherFactory.create_batch(12)
    for researcher in researchers:
        actions.follow(follower, researcher)
    client.force_login(follower)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("follows:following"))
    html = response.content.decode()
    for researcher in researchers:
        assert researcher.get_absolute_url() in html


def test_the_feed_lists_works_by_followed_researchers_in_constant_queries(
    client, follower, django_assert_max_num_queries
):
    followed = ResearcherFactory.create_batch(3)
    other = ResearcherFactory()
    for researcher in followed:
        actions.follow(follower, researcher)
        for _ in range(4):
            AuthorshipFactory(researcher=researcher)
    unseen = AuthorshipFactory(researcher=other).work
    # A work two followed researchers share is listed once.
    shared = WorkFactory(title="Shared paper")
    AuthorshipFactory(work=shared, researcher=followed[0], order=0)
    AuthorshipFactory(work=shared, researcher=followed[1], order=1)
    hidden = AuthorshipFactory(researcher=followed[2], work=WorkFactory(is_hidden=True)).work
    client.force_login(follower)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("follows:feed"))
    html = response.content.decode()
    assert html.count("Shared paper") == 1
    assert unseen.title not in html
    assert hidden.title not in html
    assert html.count('class="feed__item"') == 13


def test_the_feed_needs_signing_in(client):
    response = client.get(reverse("follows:feed"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/feed/"


def test_notifications_list_and_mark_read(client, follower):
    actions.notify(follower, Notification.Kind.CLAIM_DECIDED, "Your claim was <b>approved</b>.")
    client.force_login(follower)
    html = client.get(reverse("follows:notifications")).content.decode()
    assert "Your claim was &lt;b&gt;approved&lt;/b&gt;." in html
    client.post(reverse("follows:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
