"""The works-per-year chart labels its years and draws a lone year as one narrow bar."""

import re

import pytest
from django.template.loader import render_to_string

from tests.factories import AuthorshipFactory, ResearcherFactory

pytestmark = pytest.mark.django_db


def _chart(years) -> str:
    researcher = ResearcherFactory()
    for year in years:
        AuthorshipFactory(researcher=researcher, work__publication_year=year)
    return render_to_string("graph/_works_per_year.html", {"researcher": researcher})


def _labels(html) -> list[int]:
    return [int(y) for y in re.findall(r"<text [^>]*>(\d{4})</text>", html)]


def test_every_year_is_labelled_when_there_is_room():
    html = _chart([2014, 2014, 2016, 2021])
    assert _labels(html) == list(range(2014, 2022))
    assert "Works per year, 2014\u20132021 (most in one year: 2)" in html


def test_a_single_year_is_one_narrow_bar_labelled_once():
    html = _chart([2014, 2014])
    assert _labels(html) == [2014]
    assert "2014 ... 2014" not in html and "2014\u20132014" not in html
    assert "Works per year, 2014 (most in one year: 2)" in html
    assert re.search(r'<rect x="50%" [^>]*width="36"', html)


def test_a_long_career_labels_every_fifth_year():
    html = _chart([1990, 2019])
    assert _labels(html) == [1990, 1995, 2000, 2005, 2010, 2015]
    assert html.count("<rect") == 30
