"""The retention job (accounts.retention) reaches the places a person's data lands that no person's anonymisation
reaches: an anonymous hotline call, a long list's export and its filters."""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.personal_data import ANONYMISED
from pathways.models import ListExportDocument
from speaking_groups.models import HotlineCall
from tests.accounts.test_retention import at, run_on

NOTE = "Appelle pour sa voisine, Mme Durand, expulsée demain"


def test_an_anonymous_hotline_call_is_anonymised_a_year_after_the_call(world):
    called = world.today - relativedelta(months=3)
    call = HotlineCall.objects.create(
        support_organisation=world.support,
        called_at=at(called),
        duration_minutes=15,
        topic="conditions",
        outcome=HotlineCall.Outcome.choices[0][0],
        notes=NOTE,
    )
    due = called + relativedelta(months=12)  # facilitator notes: one year, the call being its own case

    run_on(due - datetime.timedelta(days=1))
    assert HotlineCall.objects.get(pk=call.pk).notes == NOTE

    report = run_on(due)
    assert HotlineCall.objects.get(pk=call.pk).notes == ANONYMISED
    assert report.rows["speaking_groups.HotlineCall"] == 1
    # the call's figures stay
    kept = HotlineCall.objects.get(pk=call.pk)
    assert (kept.topic, kept.duration_minutes, kept.called_at) == (call.topic, 15, call.called_at)


def test_a_list_exports_filters_and_file_go_a_month_after_the_request(world):
    document = ListExportDocument.objects.create(
        list_name="people", params="q=Martin&statut=ouvert", format="csv", requested_by=world.user("trainer")
    )
    document.file.save("personnes.csv", ContentFile(b"Zoe;Martin\n"), save=True)
    requested = world.today - datetime.timedelta(days=3)
    ListExportDocument.objects.filter(pk=document.pk).update(requested_at=at(requested))
    due = requested + relativedelta(months=1)

    run_on(due - datetime.timedelta(days=1))
    assert ListExportDocument.objects.get(pk=document.pk).params == "q=Martin&statut=ouvert"

    run_on(due)
    kept = ListExportDocument.objects.get(pk=document.pk)
    assert (kept.params, kept.file.name) == (ANONYMISED, "")
    assert not default_storage.exists(document.file.name)


def _places_holding(text: str) -> list[str]:
    """Every text, JSON and file-name column of every table (the change history, notifications and to-dos
    included) that holds `text`: one query per column."""
    from django.apps import apps
    from django.db import connection, models

    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            for column in model._meta.concrete_fields:
                if not isinstance(column, models.CharField | models.TextField | models.JSONField | models.FileField):
                    continue
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} WHERE CAST({quote(column.column)} AS TEXT) "
                    "LIKE %s",
                    [f"%{text}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{model._meta.label}.{column.name}")
    return found


def test_once_a_person_is_anonymised_nothing_of_her_is_left_in_any_table(world, adversaries):
    """The markers put in the person's contacts, her rupture's comment and her alert's follow-up note (copied into
    notifications and the change history) are found in the database before, and nowhere after; the other people's
    are untouched."""
    from accounts.personal_data import anonymise_person
    from pathways.models import Beneficiary
    from tests.conftest import SECRET_COMMENT, SECRET_NOTE, SECRET_OTHER_BODY

    person = Beneficiary.objects.get(pk=world.beneficiary.pk)
    person.email = "marqueur-contact-zoe@example.org"
    person.save()  # written to the change history too
    markers = [SECRET_COMMENT, SECRET_NOTE, "marqueur-contact-zoe"]
    for marker in markers:
        assert _places_holding(marker), marker

    anonymise_person(person)

    assert {marker: _places_holding(marker) for marker in markers} == dict.fromkeys(markers, [])
    assert _places_holding(SECRET_OTHER_BODY)
