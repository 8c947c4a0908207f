import pytest

from tests.charter.factories import first_version


@pytest.fixture
def world(world):
    """The shared world, where the Région (the world's funder) runs the scheme: its regional officers validate
    the charter's signatures and publish its versions."""
    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    return world


@pytest.fixture
def v1(world):
    return first_version(world.region)


@pytest.fixture
def officer(world):
    return world.user("regional_officer")


@pytest.fixture
def representative(world):
    """The prescriber's legal representative (its organisation manager)."""
    return world.user("legal_representative")
