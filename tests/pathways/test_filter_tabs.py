"""The filter tabs above the inbox, the to-do list and the members list (`core_tags.filter_tabs`)."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from tests.accounts.factories import UserFactory

TABS = '{% load core_tags %}{% filter_tabs "filtre" show "a-faire" "À faire" "faites" "Faites" %}'


def test_the_current_tab_is_marked_for_everyone_and_for_screen_readers():
    html = Template(TABS).render(Context({"show": "faites"}))
    assert html.count('aria-current="page"') == 1
    assert '<a class="nav-link active"\n         aria-current="page"\n         href="?filtre=faites">Faites</a>' in html
    assert 'href="?filtre=a-faire">À faire</a>' in html


def test_an_unknown_value_marks_no_tab():
    assert "aria-current" not in Template(TABS).render(Context({"show": "autre"}))


def test_choices_come_in_value_label_pairs():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load core_tags %}{% filter_tabs "filtre" show "a-faire" %}').render(Context({}))


@pytest.mark.django_db
def test_the_inbox_marks_all_notifications_as_the_tab_shown_by_default(client):
    client.force_login(UserFactory())
    html = client.get(reverse("notifications:inbox"), {"filtre": "nimporte"}).content.decode()
    assert html.count('aria-current="page"') >= 1
    assert 'aria-current="page"\n         href="?filtre=toutes">Toutes</a>' in html
