import pytest

from tests.charter.factories import first_version


@pytest.fixture
def v1(db):
    return first_version()


@pytest.fixture
def officer(world):
    return world.user("regional_officer")


@pytest.fixture
def representative(world):
    """The prescriber's legal representative (its organisation manager)."""
    return world.user("legal_representative")
