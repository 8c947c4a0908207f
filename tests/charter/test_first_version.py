"""A region's first version of the charter is the reference text, as seed 000 gives it."""

import hashlib

import pytest
from django.utils import translation

from charter.models import CharterVersion

pytestmark = pytest.mark.django_db

TITLES = [
    "FLUIDITÉ",
    "ANTICIPATION",
    "RÉALITÉ",
    "PRÉVENTION",
    "RÉVERSIBILITÉ",
    "RÉACTIVITÉ",
    "NEUTRALITÉ",
    "TRAÇABILITÉ",
    "DÉCENTRATION",
    "PROXIMITÉ",
]
CODES = [
    "fluidite",
    "anticipation",
    "realite",
    "prevention",
    "reversibilite",
    "reactivite",
    "neutralite",
    "tracabilite",
    "decentration",
    "proximite",
]


def test_a_regions_version_1_has_the_ten_commitments_in_order(world, v1):
    assert CharterVersion.objects.current(world.region) == v1
    assert v1.is_published
    commitments = list(v1.commitments.order_by("position"))
    assert [c.position for c in commitments] == list(range(1, 11))
    assert [c.title_fr for c in commitments] == TITLES
    assert [c.code for c in commitments] == CODES


def test_the_french_texts_are_seed_000_verbatim(v1):
    texts = dict(v1.commitments.values_list("code", "text_fr"))
    assert texts["fluidite"] == (
        "alléger la sélectivité à l'entrée en formation en ne pénalisant pas l'OF en cas de rupture si mise en "
        "place du dispositif d'anticipation"
    )
    assert texts["realite"] == "maintenir l’immersion en entreprise au cœur de la définition du projet"
    assert texts["reactivite"] == (
        'prévoir une procédure simplifiée de signalement de rupture "en temps réel" (après relances) aux '
        "prescripteurs/financeur"
    )
    assert texts["tracabilite"] == "« chaîner » la formation dans l’ensemble du parcours du bénéficiaire"
    assert texts["proximite"].startswith("réunir périodiquement les intervenants de chaque bassin de formation")


def test_english_readers_get_the_translation_and_french_ones_the_original(v1):
    commitment = v1.commitments.get(code="anticipation")
    assert all(c.title_en and c.text_en for c in v1.commitments.all())
    with translation.override("en"):
        assert commitment.title == "ANTICIPATION"
        assert commitment.text.startswith("review the participants' administrative situations")
        assert v1.title == "Charter of good practice"
    with translation.override("fr"):
        assert commitment.text.startswith("faire le point des situations administratives")
        assert v1.title == "Charte des bonnes pratiques"


def test_the_signed_text_is_the_french_one_whatever_the_language(v1):
    with translation.override("en"):
        english = v1.signed_text()
    french = v1.signed_text()
    assert english == french
    assert french.startswith("Charte des bonnes pratiques — version 1\n\n")
    assert "\n\n6. RÉACTIVITÉ : prévoir une procédure simplifiée" in french
    assert hashlib.sha256(french.encode()).hexdigest() == hashlib.sha256(english.encode()).hexdigest()


def test_the_charter_page_shows_the_commitments_in_the_readers_language(world, client_for, v1):
    trainer = world.user("trainer")
    trainer.language = "fr"
    trainer.save()
    page = client_for(trainer).get("/charte/").content.decode()
    assert page.index("FLUIDITÉ") < page.index("ANTICIPATION") < page.index("PROXIMITÉ")
    assert "maintenir l’immersion en entreprise" in page
    trainer.language = "en"
    trainer.save()
    english = client_for(trainer).get("/charte/").content.decode()
    assert "keep company immersion at the heart of defining the project" in english
    # The exact French text stays on the page: it is what is signed.
    assert "maintenir l’immersion en entreprise" in english
