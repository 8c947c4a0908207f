"""The personal-data registry (accounts.personal_data): nothing forgotten, export and anonymisation by source."""

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts import personal_data
from accounts.personal_data import ANONYMISED, ANONYMISED_DATE, ANONYMISED_NAME, JsonText
from pathways.models import Beneficiary, JoinRequest

PERSON_ROOT = "pathways.Beneficiary"


def _holds_text_or_file(model) -> list[str]:
    found = []
    for f in model._meta.concrete_fields:
        if isinstance(f, models.FileField | models.JSONField | models.TextField):
            found.append(f.name)
        elif isinstance(f, models.CharField) and not f.choices and f.editable and not f.primary_key:
            found.append(f.name)
    return found


def test_every_model_linked_to_a_person_with_text_or_files_is_declared():
    """A model with a foreign key to a person-bearing model (the person, or any declared source) and a free text,
    a JSON value or a file is either declared or listed as holding no personal data: new models cannot be
    forgotten by the retention job and the right of access."""
    declared = {src.model for src in personal_data.sources()}
    bearing = {src.model for src in personal_data.sources() if src.person is not None} | {PERSON_ROOT}
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        if label in declared or label in personal_data.NO_PERSONAL_DATA:
            continue
        links = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model._meta.label in bearing
        ]
        texts = _holds_text_or_file(model)
        if links and texts:
            missing.append(f"{label} (via {', '.join(links)}: {', '.join(texts)})")
    assert missing == []


def test_every_declaration_reaches_its_person_and_names_real_fields(db):
    person = Beneficiary(pk=0)
    for src in personal_data.sources():
        model = src.model_class
        for name in [*src.fields, *src.files]:
            model._meta.get_field(name)  # raises if it does not exist
        if src.person is not None:
            str(src.for_person(person).query)  # raises if the lookup is wrong
        lookups = {f"{src.region_path()}__isnull": True}
        if src.clock:
            lookups[f"{src.clock}__isnull"] = True
        if src.confidential:
            lookups[src.author] = 0  # the structure that wrote it (the export of another structure leaves it out)
        str(model._base_manager.filter(**lookups).query)
        if src.orphan_clock:  # the rows that reach no person, on their own clock
            orphans = {f"{src.orphan_clock}__isnull": True}
            if src.orphan_region:
                orphans[f"{src.orphan_region}__isnull"] = True
            str(model._base_manager.filter(src.reaches_nobody(), **orphans).query)
        assert src.category in personal_data.Category.values


def test_json_scrub_keeps_codes_and_replaces_personal_keys():
    value = {"a1": {"answer": "risk", "comment": "Dettes", "owner": "Léa Petit", "due": ""}, "count": 2}
    assert JsonText(("comment", "owner")).scrub(value) == {
        "a1": {"answer": "risk", "comment": ANONYMISED, "owner": ANONYMISED, "due": ""},
        "count": 2,
    }


def test_export_lists_the_persons_data_with_readable_labels(world):
    world.notification.stage = world.stage
    world.notification.save()
    sections = {s["model"]: s for s in personal_data.export(world.beneficiary)}
    identity = sections["pathways.Beneficiary"]["rows"][0]
    assert identity["prénom"] == "Zoé"
    assert "Zoé MARTIN" in sections["pathways.JoinRequest"]["rows"][0].values()
    assert "notifications.Notification" in sections


def test_anonymise_person_replaces_names_contacts_free_text_and_history(world):
    person = world.beneficiary
    person.email, person.phone = "zoe@example.org", "0601020304"
    person.save()  # written to the change history
    JoinRequest.objects.filter(pk=world.join_request.pk).update(message="Elle a des dettes")
    world.notification.stage = world.stage
    world.notification.save()

    done = personal_data.anonymise_person(person)

    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.email, person.phone) == (
        ANONYMISED_NAME,
        ANONYMISED_NAME,
        "",
        "",
    )
    assert person.birth_date == ANONYMISED_DATE
    join = JoinRequest.objects.get(pk=world.join_request.pk)
    assert (join.typed_name, join.message) == (ANONYMISED_NAME, ANONYMISED)
    world.notification.refresh_from_db()
    assert world.notification.params["person"] == ANONYMISED
    assert world.notification.params["stage_kind"] == "qualifying_training"
    history = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Beneficiary), object_pk=str(person.pk)
    )
    assert history.exists()
    for entry in history:
        assert "Zoé" not in str(entry.changes) and "zoe@example.org" not in str(entry.changes)
        assert entry.object_repr == ANONYMISED
    assert done["pathways.Beneficiary"] == 1
    # Running it again changes nothing.
    assert personal_data.anonymise_person(person) == {}


def test_registering_a_model_twice_differently_is_refused():
    src = personal_data.source("pathways.Pathway")
    with pytest.raises(ValueError):
        personal_data.register(personal_data.PersonalData(model=src.model, person="x", category="pathway", label="x"))
