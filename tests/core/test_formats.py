"""How pages write what people read: dates day first in both languages (04/12/2026 is 4 December), the required-field
asterisk explained (issue 21, found in a browser)."""

import datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

DECEMBER_4 = datetime.date(2026, 12, 4)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_short_dates_are_day_first_in_every_language(language):
    with translation.override(language):
        rendered = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": DECEMBER_4}))
    assert rendered == "04/12/2026"


def test_english_long_dates_put_the_day_before_the_month():
    with translation.override("en"):
        rendered = Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": DECEMBER_4}))
    assert rendered == "4 Dec 2026"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_typed_date_is_read_day_first_in_every_language(language):
    class Form(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        form = Form(data={"day": "04/12/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DECEMBER_4


@pytest.mark.django_db
def test_a_form_with_required_fields_explains_the_asterisk(world, client_for):
    """Crispy forms put an asterisk after a required field's label; the page says what it means before the form
    (issue 21, RGAA 11.10)."""
    from django.urls import reverse

    page = client_for(world.user("prescriber_adviser")).get(reverse("pathways:beneficiary_create")).content.decode()
    assert "asteriskField" in page
    note = page.index("Les champs marqués d'un astérisque")
    assert note < page.index('class="asteriskField">*</span>')  # before the first field's asterisk
