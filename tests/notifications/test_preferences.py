"""The preferences page: each person chooses e-mail and SMS for themselves; SMS needs a phone number."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.models import ChannelPreference, Notification
from notifications.services import channel_preferences, preferences_save, wanted_channels
from tests.accounts.factories import UserFactory

Channel = Notification.Channel
URL = reverse("notifications:preferences")


@pytest.fixture
def with_phone(db):
    return UserFactory(phone="0612345678")


@pytest.fixture
def without_phone(db):
    return UserFactory(phone="")


def saved(user):
    return dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))


def test_the_page_shows_the_defaults_email_on_sms_off(client_for, with_phone):
    response = client_for(with_phone).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email"].value() is True and form["sms"].value() is False
    content = response.content.decode()
    assert "Recevoir les alertes par e-mail" in content
    assert "Recevoir les alertes par SMS" in content
    assert 'for="id_sms"' in content and 'for="id_phone"' in content  # every field has its label


def test_saving_the_choices(client_for, with_phone):
    response = client_for(with_phone).post(URL, {"sms": "on", "phone": "06 12 34 56 78"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Vos préférences de notification sont enregistrées." in response.content.decode()
    assert saved(with_phone) == {Channel.EMAIL: False, Channel.SMS: True}
    assert wanted_channels([with_phone], list(Channel)) == {with_phone.pk: {Channel.IN_APP, Channel.SMS}}
    # Saving again updates the same rows.
    client_for(with_phone).post(URL, {"email": "on", "phone": "0612345678"})
    assert saved(with_phone) == {Channel.EMAIL: True, Channel.SMS: False}
    assert ChannelPreference.objects.filter(user=with_phone).count() == 2


def test_without_a_phone_the_sms_box_is_disabled_with_an_explanation(client_for, without_phone):
    response = client_for(without_phone).get(URL)
    form = response.context["form"]
    assert form.fields["sms"].disabled
    content = response.content.decode()
    assert "a pas de numéro de téléphone. Indiquez-le ci-dessous" in content
    assert 'name="sms"' in content and "disabled" in content


def test_sms_cannot_be_enabled_without_a_phone(client_for, without_phone):
    client_for(without_phone).post(URL, {"email": "on", "sms": "on", "phone": ""})
    assert saved(without_phone) == {Channel.EMAIL: True, Channel.SMS: False}
    assert Channel.SMS not in wanted_channels([without_phone], list(Channel))[without_phone.pk]


def test_removing_the_phone_while_keeping_sms_is_refused(client_for, with_phone):
    response = client_for(with_phone).post(URL, {"email": "on", "sms": "on", "phone": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["sms"] == [
        "Pour recevoir les alertes par SMS, indiquez votre numéro de téléphone."
    ]
    with_phone.refresh_from_db()
    assert with_phone.phone == "0612345678" and saved(with_phone) == {}


def test_the_phone_is_saved_then_sms_can_be_enabled(client_for, without_phone):
    client = client_for(without_phone)
    client.post(URL, {"email": "on", "phone": "+33 6 12 34 56 78"})
    without_phone.refresh_from_db()
    assert without_phone.phone == "+33612345678"
    assert client.get(URL).context["form"].fields["sms"].disabled is False
    client.post(URL, {"email": "on", "sms": "on", "phone": "0612345678"})
    assert saved(without_phone) == {Channel.EMAIL: True, Channel.SMS: True}


def test_a_wrong_phone_number_is_explained_in_french(client_for, with_phone):
    response = client_for(with_phone).post(URL, {"email": "on", "phone": "12 34"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Numéro de téléphone non valide : saisissez un numéro français (ex. 06 12 34 56 78) ou, pour l'étranger, "
        "l'indicatif du pays (ex. +32 470 12 34 56)."
    ]
    assert "Le formulaire contient des erreurs" in response.content.decode()
    with_phone.refresh_from_db()
    assert with_phone.phone == "0612345678" and saved(with_phone) == {}


def test_the_service_checks_the_phone_and_saves_nothing_on_error(with_phone):
    with pytest.raises(ValidationError) as raised:
        preferences_save(user=with_phone, email=False, sms=True, phone="")
    assert "sms" in raised.value.error_dict
    with pytest.raises(ValidationError) as raised:
        preferences_save(user=with_phone, email=False, sms=False, phone="123")
    assert "phone" in raised.value.error_dict
    with_phone.refresh_from_db()
    assert with_phone.phone == "0612345678" and saved(with_phone) == {}
    assert channel_preferences(with_phone) == {Channel.EMAIL: True, Channel.SMS: False}


def test_each_person_only_changes_their_own_preferences(client_for, with_phone, without_phone):
    client_for(with_phone).post(URL, {"phone": "0612345678"})
    assert saved(without_phone) == {}


def test_the_inbox_links_to_the_preferences(client_for, with_phone):
    content = client_for(with_phone).get(reverse("notifications:inbox")).content.decode()
    assert f'href="{URL}"' in content


def test_wrong_method_and_anonymous(client_for, with_phone):
    assert client_for(with_phone).put(URL).status_code == 405
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
