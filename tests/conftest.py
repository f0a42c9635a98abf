"""The shared cast of users, and paths to the recorded upstream data."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
OPENALEX = FIXTURES / "openalex"
ARXIV = FIXTURES / "arxiv"


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("stranger", "stranger@example.org", "pw-123456!")


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("owner", "owner@bangor.ac.uk", "pw-123456!")


@pytest.fixture
def follower(django_user_model):
    return django_user_model.objects.create_user("follower", "follower@example.org", "pw-123456!")


@pytest.fixture
def staff_reviewer(django_user_model):
    return django_user_model.objects.create_user(
        "reviewer", "reviewer@example.org", "pw-123456!", is_staff=True, is_superuser=True
    )
