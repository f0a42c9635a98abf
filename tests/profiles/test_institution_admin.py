"""Staff type an institution's email domains as plain text, not as a JSON list."""

import pytest
from django.urls import reverse

from claims.email_domains import domains_for_institution
from tests.factories import InstitutionFactory
from works.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_reviewer):
    client.force_login(staff_reviewer)
    return client


def _form_data(institution, domains: str) -> dict:
    return {
        "display_name": institution.display_name,
        "openalex_id": institution.openalex_id or "",
        "ror": institution.ror or "",
        "country_code": institution.country_code or "",
        "type": institution.type or "",
        "homepage_url": institution.homepage_url or "",
        "email_domains": domains,
    }


def test_domains_one_per_line_or_with_commas_are_stored_as_a_clean_list(staff_client):
    bangor = InstitutionFactory(display_name="Bangor University", email_domains=[])
    url = reverse("admin:works_institution_change", args=[bangor.pk])
    response = staff_client.post(
        url, _form_data(bangor, "Bangor.ac.uk\n@students.bangor.ac.uk, bangor.ac.uk.\n\n")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bangor.refresh_from_db()
    assert bangor.email_domains == ["bangor.ac.uk", "students.bangor.ac.uk"]
    assert domains_for_institution(bangor) == {"bangor.ac.uk", "students.bangor.ac.uk"}

    # The form shows them back one per line, in a plain text box (no JSON to type).
    page = staff_client.get(url).content.decode()
    assert '<textarea name="email_domains"' in page
    assert ">\nbangor.ac.uk\nstudents.bangor.ac.uk</textarea>" in page
    assert "[&quot;" not in page


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("ada@bangor.ac.uk", "ada@bangor.ac.uk (an address"),
        ("localhost", "localhost"),
        ("bangor..ac.uk", "bangor..ac.uk"),
        ('["bangor.ac.uk"]', "[&quot;bangor.ac.uk&quot;]"),
        ("-bad-.ac.uk", "-bad-.ac.uk"),
    ],
)
def test_something_that_is_not_a_domain_is_refused_by_name(staff_client, typed, named):
    bangor = InstitutionFactory(email_domains=["bangor.ac.uk"])
    url = reverse("admin:works_institution_change", args=[bangor.pk])
    response = staff_client.post(url, _form_data(bangor, typed))
    assert response.status_code == 200
    assert f"Not an email domain: {named}" in response.content.decode()
    assert Institution.objects.get(pk=bangor.pk).email_domains == ["bangor.ac.uk"]


def test_an_empty_box_clears_the_list_and_the_homepage_counts_again(staff_client):
    bangor = InstitutionFactory(
        email_domains=["old.example"], homepage_url="https://www.bangor.ac.uk/"
    )
    url = reverse("admin:works_institution_change", args=[bangor.pk])
    assert staff_client.post(url, _form_data(bangor, "")).status_code == 302
    bangor.refresh_from_db()
    assert bangor.email_domains == []
    assert domains_for_institution(bangor) == {"bangor.ac.uk"}


def test_an_international_domain_is_stored_in_its_ascii_form(staff_client):
    uni = InstitutionFactory(email_domains=[])
    url = reverse("admin:works_institution_change", args=[uni.pk])
    assert staff_client.post(url, _form_data(uni, "münchen.de")).status_code == 302
    uni.refresh_from_db()
    assert uni.email_domains == ["xn--mnchen-3ya.de"]
