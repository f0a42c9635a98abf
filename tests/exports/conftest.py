import pytest

from tests.search.recorded import import_recorded


@pytest.fixture
def mearman(db):
    """Joseph Mearman and the rest of the recorded OpenAlex data, imported."""
    return import_recorded()
