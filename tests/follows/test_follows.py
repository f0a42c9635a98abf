"""Following researchers: the button, the count, /following/, /feed/ and notifications."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import notifications
from accounts.models import Notification
from follows import actions
from follows.models import Follow
from tests.factories import AuthorshipFactory, ResearcherFactory, WorkFactory
from works.models import Work

THIS_YEAR = timezone.now().year

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


def test_an_htmx_post_returns_the_button_and_the_followers_tile(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    response = client.post(reverse("follows:follow", args=[researcher.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="follow-button-{researcher.pk}"' in html
    # The button says what pressing it does now, and the state is said in words.
    assert ">Unfollow<" in html
    assert f"You follow <bdi>{researcher.display_name}</bdi>." in html
    assert ">Follow<" not in html
    # The trust snapshot's followers tile is swapped out of band, so the page agrees.
    tile = re.search(rf'<li class="stat" id="followers-stat-{researcher.pk}"[^>]*>.*?</li>', html)
    assert tile and 'hx-swap-oob="true"' in tile.group(0)
    assert "data-followers-count>1</span>" in tile.group(0)
    assert ">follower</span>" in tile.group(0)

    response = client.post(
        reverse("follows:unfollow", args=[researcher.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert ">Follow<" in html and "You follow" not in html
    assert "data-followers-count>0</span>" in html


def test_next_must_stay_on_this_site(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    response = client.post(
        reverse("follows:follow", args=[researcher.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == researcher.get_absolute_url()


def test_signed_out_visitors_sign_in_then_confirm_the_follow(client, follower):
    researcher = ResearcherFactory()
    follow_url = reverse("follows:follow", args=[researcher.pk])
    # Pressing Follow (the link, or a stale form's POST) keeps the intent through sign-in.
    for response in (client.get(follow_url), client.post(follow_url)):
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={follow_url}"
    response = client.post(follow_url, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/accounts/login/?next={follow_url}"
    assert not Follow.objects.exists()

    client.force_login(follower)
    page = client.get(follow_url)  # where sign-in returns: a question, not a follow
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Follow <bdi>{researcher.display_name}</bdi>?" in html
    assert f'<form method="post" action="{follow_url}">' in html
    assert not Follow.objects.exists()

    response = client.post(follow_url, {"next": researcher.get_absolute_url()})
    assert response["Location"] == researcher.get_absolute_url()
    assert Follow.objects.filter(user=follower, researcher=researcher).exists()
    assert (
        f"You follow <bdi>{researcher.display_name}</bdi>"
        in client.get(follow_url).content.decode()
    )


def test_a_get_never_follows(client, follower):
    researcher = ResearcherFactory()
    client.force_login(follower)
    assert client.get(reverse("follows:follow", args=[researcher.pk])).status_code == 200
    assert client.get(reverse("follows:unfollow", args=[researcher.pk])).status_code == 405
    assert not Follow.objects.exists()


def test_the_button_partial_links_signed_out_visitors_to_the_follow_page(rf):
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
    assert f'href="/researchers/{researcher.pk}/follow/"' in html
    assert ">Follow<" in html


def test_the_profile_shows_the_followers_tile_once(client):
    researcher = ResearcherFactory(followers_count=7)
    html = client.get(researcher.get_absolute_url()).content.decode()
    assert html.count(f'id="followers-stat-{researcher.pk}"') == 1
    assert "data-followers-count>7</span>" in html


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
            AuthorshipFactory(researcher=researcher, work__publication_year=THIS_YEAR)
    unseen = AuthorshipFactory(researcher=other, work__publication_year=THIS_YEAR).work
    # A work two followed researchers share is listed once.
    shared = WorkFactory(title="Shared paper", publication_year=THIS_YEAR)
    AuthorshipFactory(work=shared, researcher=followed[0], order=0)
    AuthorshipFactory(work=shared, researcher=followed[1], order=1)
    hidden = AuthorshipFactory(
        researcher=followed[2], work=WorkFactory(is_hidden=True, publication_year=THIS_YEAR)
    ).work
    client.force_login(follower)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("follows:feed"))
    html = response.content.decode()
    assert html.count("Shared paper") == 1
    assert unseen.title not in html
    assert hidden.title not in html
    assert html.count('class="feed__item"') == 13


def _age(work, days: int) -> None:
    """Pretend bzpeer imported ``work`` ``days`` ago."""
    Work.objects.filter(pk=work.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_following_someone_does_not_fill_the_feed_with_their_back_catalogue(client, follower):
    researcher = ResearcherFactory()
    back_catalogue = [
        AuthorshipFactory(researcher=researcher, work__publication_year=year).work
        for year in (2014, 2019, THIS_YEAR)
    ]
    for work in back_catalogue:
        _age(work, 30)
    actions.follow(follower, researcher)
    new = AuthorshipFactory(researcher=researcher, work__publication_year=THIS_YEAR).work
    # Found by a later import, but published long before the follow: not news.
    old_found_later = AuthorshipFactory(researcher=researcher, work__publication_year=2009).work
    undated = AuthorshipFactory(researcher=researcher, work__publication_year=None).work
    client.force_login(follower)
    html = client.get(reverse("follows:feed")).content.decode()
    assert new.title in html
    assert undated.title in html
    assert old_found_later.title not in html
    for work in back_catalogue:
        assert work.title not in html


def test_the_feed_is_newest_publication_first_and_titles_link_to_the_work(client, follower):
    researcher = ResearcherFactory()
    actions.follow(follower, researcher)
    last_year = AuthorshipFactory(
        researcher=researcher, work__title="Last year", work__publication_year=THIS_YEAR - 1
    ).work
    spring = AuthorshipFactory(
        researcher=researcher,
        work__title="This spring",
        work__publication_year=THIS_YEAR,
        work__publication_date=date(THIS_YEAR, 3, 1),
    ).work
    january = AuthorshipFactory(
        researcher=researcher,
        work__title="This January",
        work__publication_year=THIS_YEAR,
        work__publication_date=date(THIS_YEAR, 1, 5),
    ).work
    # Imported first, but published most recently of all: still first.
    for minutes, work in ((1, january), (2, last_year)):
        Work.objects.filter(pk=work.pk).update(
            created_at=timezone.now() + timedelta(minutes=minutes)
        )
    client.force_login(follower)
    html = client.get(reverse("follows:feed")).content.decode()
    titles = re.findall(r'<h2 class="feed__title"[^>]*><a href="([^"]+)">([^<]+)</a>', html)
    assert titles == [
        (f"/works/{spring.pk}/", "This spring"),
        (f"/works/{january.pk}/", "This January"),
        (f"/works/{last_year.pk}/", "Last year"),
    ]


def test_the_feed_needs_signing_in(client):
    response = client.get(reverse("follows:feed"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/feed/"


def test_notifications_list_and_mark_read(client, follower):
    notifications.notify(
        follower, Notification.Kind.CLAIM_DECIDED, "Your claim was <b>approved</b>."
    )
    client.force_login(follower)
    html = client.get(reverse("follows:notifications")).content.decode()
    assert "Your claim was &lt;b&gt;approved&lt;/b&gt;." in html
    client.post(reverse("follows:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_each_unfollow_button_names_its_researcher(client, follower):
    for name in ("Ada Lovelace", "Grace Hopper"):
        actions.follow(follower, ResearcherFactory(display_name=name))
    client.force_login(follower)
    html = client.get(reverse("follows:following")).content.decode()
    names = re.findall(
        r'>Unfollow<span class="visually-hidden"> <bdi>([^<]+)</bdi></span></button>', html
    )
    assert names == ["Ada Lovelace", "Grace Hopper"]
