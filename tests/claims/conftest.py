import pytest

from tests.factories import InstitutionFactory, ResearcherFactory


@pytest.fixture
def bangor():
    return InstitutionFactory(
        display_name="Bangor University", homepage_url="https://www.bangor.ac.uk/"
    )


@pytest.fixture
def record(bangor):
    """An unclaimed record at an institution whose email domain is bangor.ac.uk."""
    return ResearcherFactory(
        display_name="Ada Researcher", orcid="0000-0002-1825-0097", last_known_institution=bangor
    )
