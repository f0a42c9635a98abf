"""The weekly re-import of followed and claimed records (follows.refresh, run by Celery beat)."""

import pytest

from follows import tasks as follows_tasks
from follows.models import Follow
from tests.factories import ResearcherFactory
from works import tasks as works_tasks
from works.models import ImportRun, Researcher

pytestmark = pytest.mark.django_db


def test_refresh_queues_claimed_and_followed_researchers_once(
    owner, follower, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(works_tasks.import_openalex_author, "delay", sent.append)
    monkeypatch.setattr(works_tasks.import_arxiv_for_researcher, "delay", sent.append)
    claimed = ResearcherFactory(owner=owner)
    followed = ResearcherFactory()
    ResearcherFactory()  # neither: not refreshed
    arxiv_only = ResearcherFactory(
        owner=follower, openalex_id=None, origin=Researcher.Origin.ARXIV, display_name="A. Name"
    )
    Follow.objects.create(user=follower, researcher=followed)
    with django_capture_on_commit_callbacks(execute=True):
        follows_tasks.refresh_followed_and_claimed_researchers.apply()
        follows_tasks.refresh_followed_and_claimed_researchers.apply()  # pending runs not doubled
    expected = {claimed.openalex_id, followed.openalex_id, 'au:"A. Name"'}
    assert set(ImportRun.objects.values_list("target", flat=True)) == expected
    assert ImportRun.objects.get(source="arxiv").researcher == arxiv_only
    assert len(sent) == len(expected)
