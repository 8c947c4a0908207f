import pytest
from rest_framework.test import APIClient

from api.services import token_create


def make_token(world, organisation, **kwargs):
    """A token of `organisation`, made by a manager (the world's training body's, else one added): (row, secret)."""
    from pathways.models import Membership
    from tests.conftest import _member

    manager = (
        Membership.objects.active()
        .filter(organisation=organisation, role=Membership.Role.ORG_MANAGER)
        .select_related("user")
        .first()
    )
    manager = manager.user if manager else _member(organisation, Membership.Role.ORG_MANAGER).user
    return token_create(organisation=organisation, name=kwargs.pop("name", "Logiciel"), by=manager, **kwargs)


@pytest.fixture
def api_client():
    """`api_client(secret)`: a DRF test client sending `Authorization: Bearer <secret>` (none for None)."""

    def make(secret=None, **headers):
        client = APIClient()
        if secret is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}", **headers)
        elif headers:
            client.credentials(**headers)
        return client

    return make


@pytest.fixture
def body_token(world):
    """The world's training body's token: (row, secret)."""
    return make_token(world, world.training_body)
