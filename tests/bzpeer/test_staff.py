"""The one staff check: staff status opens the door, a named permission decides; superusers hold
every permission. The views outside claims that use it answer as it says."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template
from django.urls import reverse

from bzpeer.staff import has_staff_permission, require_staff_permission
from tests.factories import ResearcherFactory
from works.models import ImportRun

pytestmark = pytest.mark.django_db


def _user(django_user_model, username, *, perms=(), **flags):
    user = django_user_model.objects.create_user(username, **flags)
    for name in perms:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return django_user_model.objects.get(pk=user.pk)


def test_staff_status_alone_grants_nothing(bare_staff):
    assert not has_staff_permission(bare_staff, "claims.view_claim")
    with pytest.raises(PermissionDenied):
        require_staff_permission(bare_staff, "claims.view_claim")
    with pytest.raises(Http404):
        require_staff_permission(bare_staff, "claims.view_claim", refuse=Http404)


def test_a_permission_counts_only_for_active_staff(django_user_model):
    perm = "claims.view_claim"
    assert has_staff_permission(_user(django_user_model, "a", perms=[perm], is_staff=True), perm)
    assert not has_staff_permission(_user(django_user_model, "b", perms=[perm]), perm)
    inactive = _user(django_user_model, "c", perms=[perm], is_staff=True, is_active=False)
    assert not has_staff_permission(inactive, perm)
    assert not has_staff_permission(AnonymousUser(), perm)
    assert not has_staff_permission(None, perm)


def test_superusers_hold_every_permission(staff_reviewer):
    for perm in ("claims.view_claim", "claims.change_claim", "claims.verify_record"):
        assert has_staff_permission(staff_reviewer, perm)
        require_staff_permission(staff_reviewer, perm)


def test_the_template_filter_makes_the_same_check(bare_staff, claim_reader):
    template = Template(
        '{% load staff_tags %}{% if u|has_staff_perm:"claims.view_claim" %}y{% endif %}'
    )
    assert template.render(Context({"u": claim_reader})) == "y"
    assert template.render(Context({"u": bare_staff})) == ""
    assert template.render(Context({"u": AnonymousUser()})) == ""


def test_the_run_progress_needs_the_view_permission_on_runs(client, django_user_model, bare_staff):
    run = ImportRun.objects.create(source="openalex", target="A1000", status="running")
    url = reverse("works:run_progress", args=[run.pk])
    client.force_login(bare_staff)
    assert client.get(url).status_code == 403
    client.force_login(
        _user(django_user_model, "viewer", perms=["works.view_importrun"], is_staff=True)
    )
    assert client.get(url).status_code == 200


def test_curation_views_need_the_change_permission_on_researchers(client, django_user_model):
    researcher = ResearcherFactory()
    url = reverse("admin:works_researcher_split", args=[researcher.pk])
    viewer = _user(django_user_model, "viewer", perms=["works.view_researcher"], is_staff=True)
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    curator = _user(
        django_user_model,
        "curator",
        perms=["works.view_researcher", "works.change_researcher"],
        is_staff=True,
    )
    client.force_login(curator)
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:works_researcher_split", args=[0])).status_code == 404
