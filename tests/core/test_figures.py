"""The figure rules (core.figures): small counts, percentages and the one rate display rule, in French and English,
and the suppression of rates derived from small counts outside the owning organisation."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from core.figures import NBSP, count_cell, percent, rate_figure, rate_value, shown_count, shown_rate
from ruptures import rates

N = NBSP


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [(25, 353, 7.1), (1, 8, 12.5), (49, 400, 12.3), (1, 3, 33.3), (2, 3, 66.7), (0, 7, 0.0), (0, 0, None)],
)
def test_percent_rounds_half_up_to_one_decimal(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


def test_the_rupture_rate_module_rounds_with_the_same_function():
    assert rates.percent is percent


@pytest.mark.parametrize(
    "value, owner, shown",
    [
        (None, False, "0"),
        (0, False, "0"),
        (1, False, "< 5"),
        (4, False, "< 5"),
        (5, False, "5"),
        (12, False, "12"),
        (3, True, "3"),
        (0, True, "0"),
        (1234, True, f"1{N}234"),
        (1234, False, f"1{N}234"),
    ],
)
def test_a_count_under_five_is_hidden_outside_the_owner_and_zero_stays_zero(value, owner, shown):
    with translation.override("fr"):
        assert shown_count(value, owner=owner) == shown


def test_counts_are_grouped_the_english_way_in_english():
    with translation.override("en"):
        assert shown_count(1234, owner=True) == "1,234"
        assert shown_count(2, owner=False) == gettext("< %(n)s") % {"n": 5}


@override_settings(SMALL_COUNT_THRESHOLD=10)
def test_the_threshold_is_a_setting():
    with translation.override("fr"):
        assert shown_count(9, owner=False) == "< 10"
        assert shown_rate(9, 400, owner=False) == f"—{N}(< 10{N}/{N}400, petit effectif)"


def test_a_rate_is_a_percentage_to_one_decimal_with_its_counts_in_french():
    with translation.override("fr"):
        assert shown_rate(25, 353, owner=False) == f"7,1{N}%{N}(25{N}/{N}353)"
        assert shown_rate(1250, 10000, owner=True) == f"12,5{N}%{N}(1{N}250{N}/{N}10{N}000)"
        assert shown_rate(0, 353, owner=False) == f"0,0{N}%{N}(0{N}/{N}353)"


def test_a_rate_is_written_the_english_way_in_english():
    with translation.override("en"):
        assert shown_rate(25, 353, owner=False) == f"7.1%{N}(25{N}/{N}353)"
        assert shown_rate(1250, 10000, owner=True) == f"12.5%{N}(1,250{N}/{N}10,000)"


def test_a_rate_without_entrants_is_a_dash_with_a_note():
    with translation.override("fr"):
        assert shown_rate(0, 0, owner=True) == f"—{N}(aucune entrée)"
        assert shown_rate(None, None, owner=False) == f"—{N}(aucune entrée)"
        assert shown_rate(0, 0, owner=True, empty="aucune rupture") == f"—{N}(aucune rupture)"
    with translation.override("en"):
        assert shown_rate(0, 0, owner=True) == f"—{N}({gettext('aucune entrée')})"


@pytest.mark.parametrize(
    "numerator, denominator, shown",
    [
        (3, 353, f"—{N}(< 5{N}/{N}353, petit effectif)"),  # 3 ruptures: the percentage would give them back
        (2, 4, f"—{N}(< 5{N}/{N}< 5, petit effectif)"),  # a cohort of 4 people
        (0, 4, f"—{N}(0{N}/{N}< 5, petit effectif)"),
        (5, 353, f"1,4{N}%{N}(5{N}/{N}353)"),
    ],
)
def test_a_rate_derived_from_a_small_count_is_not_shown_outside_the_owner(numerator, denominator, shown):
    with translation.override("fr"):
        assert shown_rate(numerator, denominator, owner=False) == shown
        assert rate_figure(numerator, denominator, owner=False).shown == ("%" in shown)


def test_the_owner_sees_a_rate_of_small_counts():
    with translation.override("fr"):
        assert shown_rate(3, 4, owner=True) == f"75,0{N}%{N}(3{N}/{N}4)"
    with translation.override("en"):
        figure = rate_figure(3, 4, owner=True)
        assert (figure.percent, figure.counts, figure.note, figure.shown) == ("75.0%", f"3{N}/{N}4", "", True)


def test_the_suppressed_rate_keeps_its_note_in_english():
    with translation.override("en"):
        figure = rate_figure(3, 353, owner=False)
        assert (figure.percent, figure.note, figure.shown) == ("—", gettext("petit effectif"), False)


def render(source, **context):
    return Template("{% load figures %}" + source).render(Context(context))


def test_the_template_tags_apply_the_same_rules():
    with translation.override("fr"):
        assert render("{{ n|shown_count:owner }}", n=3, owner=False) == "&lt; 5"
        assert render("{{ n|shown_count:owner }}", n=3, owner=True) == "3"
        assert render("{{ n|shown_count }}", n=3) == "&lt; 5"
        assert render("{% rate a b owner %}", a=25, b=353, owner=False) == f"7,1{N}%{N}(25{N}/{N}353)"
        assert render("{% rate a b owner %}", a=3, b=353, owner=False) == f"—{N}(&lt; 5{N}/{N}353, petit effectif)"
        assert render('{% rate a b True empty="aucune rupture" %}', a=0, b=0) == f"—{N}(aucune rupture)"
        assert render("{{ p|percent_text }}", p=7.1) == f"7,1{N}%"
        assert render("{{ p|percent_text }}", p=None) == "—"
    with translation.override("en"):
        assert render("{% rate a b owner %}", a=25, b=353, owner=True) == f"7.1%{N}(25{N}/{N}353)"


def test_the_small_count_filter_is_the_same_rule():
    source = "{% load core_tags %}{{ n|small_count }} {{ m|small_count }} {{ z|small_count }}"
    assert render(source, n=4, m=6, z=None) == "&lt; 5 6 0"


def test_the_parts_of_a_rate_are_available_to_a_template():
    source = "{% rate_figure a b owner as r %}[{{ r.percent }}|{{ r.counts }}|{{ r.note }}|{{ r.shown }}]"
    with translation.override("fr"):
        assert render(source, a=25, b=353, owner=False) == f"[7,1{N}%|25{N}/{N}353||True]"
        assert render(source, a=3, b=353, owner=False) == f"[—|&lt; 5{N}/{N}353|petit effectif|False]"


@pytest.mark.parametrize(
    "value, owner, cell", [(None, False, 0), (0, False, 0), (3, False, "< 5"), (3, True, 3), (1234, False, 1234)]
)
def test_a_count_cell_stays_a_number_unless_it_is_hidden(value, owner, cell):
    with translation.override("fr"):
        assert count_cell(value, owner=owner) == cell


def test_a_rate_cell_is_the_percentage_or_the_shown_text_when_suppressed():
    with translation.override("fr"):
        assert rate_value(25, 353, owner=False) == 7.1
        assert rate_value(0, 353, owner=False) == 0.0
        assert rate_value(3, 353, owner=True) == 0.8
        assert rate_value(3, 353, owner=False) == f"—{N}(< 5{N}/{N}353, petit effectif)"
        assert rate_value(0, 0, owner=False) is None
