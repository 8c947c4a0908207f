"""The dashboards' period selector: a GET form (`dashboards.periods` says what each choice means)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dates
from django.utils.translation import gettext_lazy as _

from dashboards import periods

MONTHS = list(dates.MONTHS.items())  # translated lazily: "janvier", "January"
QUARTERS = [(number, _("T%(n)s") % {"n": number}) for number in range(1, 5)]
FIRST_YEAR = 2000


class PeriodForm(forms.Form):
    """`PeriodForm(request.GET, today=…)`; `form.chosen` is the chosen period, or the default (the last 12 whole
    months) when nothing or something invalid was asked (the errors are then shown beside the form)."""

    period = forms.ChoiceField(label=_("Période"), choices=periods.KINDS, required=False)
    year = forms.IntegerField(label=_("Année"), required=False, min_value=FIRST_YEAR)
    month = forms.TypedChoiceField(label=_("Mois"), choices=MONTHS, coerce=int, required=False)
    quarter = forms.TypedChoiceField(label=_("Trimestre"), choices=QUARTERS, coerce=int, required=False)
    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, today: datetime.date, **kwargs):
        self.today = today
        super().__init__(data if data else None, **kwargs)
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": today.year})
        last_month = periods.add_months(today, -1)
        self.initial = {
            "period": periods.LAST_12,
            "year": today.year,
            "month": last_month.month,
            "quarter": (today.month - 1) // 3 + 1,
            **self.initial,
        }

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year > self.today.year:
            raise ValidationError(_("Choisissez une année passée ou l'année en cours."), code="future")
        return year

    def clean(self):
        data = super().clean()
        kind = data.get("period") or periods.LAST_12
        year = data.get("year") or self.today.year
        try:
            if kind == periods.MONTH:
                data["chosen"] = periods.month(year, data.get("month") or self.today.month)
            elif kind == periods.QUARTER:
                data["chosen"] = periods.quarter(year, data.get("quarter") or (self.today.month - 1) // 3 + 1)
            elif kind == periods.YEAR:
                data["chosen"] = periods.year(year)
            elif kind == periods.CUSTOM:
                data["chosen"] = self._custom(data.get("start"), data.get("end"))
            else:
                data["chosen"] = periods.last_12_months(self.today)
        except ValueError as error:
            raise ValidationError(_("Cette période n'existe pas."), code="invalid") from error
        return data

    def _custom(self, start, end):
        if start is None or end is None:
            raise ValidationError(_("Indiquez les deux dates de la période."), code="required")
        if start > end:
            raise ValidationError(_("La période commence après sa fin."), code="order")
        if (end - start).days >= periods.MAX_DAYS:
            raise ValidationError(_("Choisissez une période de dix ans au plus."), code="too_long")
        return periods.custom(start, end)

    @property
    def chosen(self) -> periods.Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["chosen"]
        return periods.default(self.today)
