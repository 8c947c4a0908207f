"""The test data's own guarantees: the pages' leak checks look for marker names (`tests.conftest.SECRET_ZOE`…), so
no person or member drawn at random may carry one."""

import pytest

from tests.accounts import factories as account_factories
from tests.accounts.factories import RESERVED_FIRST_NAMES, UserFactory
from tests.conftest import SECRET_ZOE
from tests.pathways.factories import BeneficiaryFactory


@pytest.mark.parametrize("factory_class", [BeneficiaryFactory, UserFactory])
def test_a_random_first_name_is_never_a_marker_name(monkeypatch, factory_class):
    """Faker's French first names hold "Zoé" and "Inès" (about 1 draw in 200 each): a person of the world's training
    body drawn as "Zoé" made the objection walk report a leak that was not one."""
    assert SECRET_ZOE in RESERVED_FIRST_NAMES
    draws = iter(["Zoé", "Inès", "Nadia", "Léa"])
    monkeypatch.setattr(account_factories._faker, "first_name", lambda: next(draws))
    assert factory_class.build().first_name == "Léa"


@pytest.mark.parametrize("factory_class", [BeneficiaryFactory, UserFactory])
def test_a_random_last_name_is_never_the_world_person_s(monkeypatch, factory_class):
    """Faker's French last names hold "Martin" (1 draw in 400): an adviser drawn as Martin, named in an error report,
    was taken for the world's person (Zoé Martin) by the log tests."""
    draws = iter(["Martin", "Lefèvre", "Durand"])
    monkeypatch.setattr(account_factories._faker, "last_name", lambda: next(draws))
    assert factory_class.build().last_name == "Durand"


def test_an_explicit_first_name_is_kept():
    assert BeneficiaryFactory.build(first_name="Zoé").first_name == "Zoé"
