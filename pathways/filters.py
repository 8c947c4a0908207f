"""Search and filters of the lists (django-filter). Querysets arrive already scoped by the view."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathways.models import Basin, Beneficiary, Organisation, Pathway, Programme, Session, Stage
from pathways.services.people import fold

# What a search box takes: a few words of a name, an e-mail or a phone number.
SEARCH_MAX_LENGTH = 100


def _search_people(queryset, prefix, value):
    """Match on name (accents and case ignored), e-mail or phone."""
    words = [w for w in value.split() if w]
    for word in words:
        folded = fold(word)
        queryset = queryset.filter(
            Q(**{f"{prefix}name_key__contains": folded})
            | Q(**{f"{prefix}email__icontains": word})
            | Q(**{f"{prefix}phone__contains": word.replace(" ", "")})
        )
    return queryset


class BeneficiaryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="search", max_length=SEARCH_MAX_LENGTH)
    pathway_status = django_filters.ChoiceFilter(
        label=_("Parcours"),
        choices=[("open", _("En cours")), ("closed", _("Tous clôturés"))],
        method="filter_pathway_status",
        empty_label=_("Tous"),
    )

    class Meta:
        model = Beneficiary
        fields = ["q", "pathway_status"]

    def search(self, queryset, name, value):
        return _search_people(queryset, "", value)

    def filter_pathway_status(self, queryset, name, value):
        has_open = Q(pathways__status=Pathway.Status.OPEN)
        if value == "open":
            return queryset.filter(has_open).distinct()
        return queryset.exclude(has_open)


class PathwayFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher une personne"), method="search", max_length=SEARCH_MAX_LENGTH)
    status = django_filters.ChoiceFilter(label=_("Statut"), choices=Pathway.Status.choices, empty_label=_("Tous"))
    mine = django_filters.ChoiceFilter(
        label=_("Mon rôle"),
        choices=[("referent", _("J'en suis référent·e")), ("adviser", _("J'en suis conseiller·ère"))],
        method="filter_mine",
        empty_label=_("Tous ceux que je vois"),
    )
    stage_status = django_filters.ChoiceFilter(
        label=_("Avec une étape"),
        choices=Stage.Status.choices,
        method="filter_stage_status",
        empty_label=_("Peu importe"),
    )
    prescribing_organisation = django_filters.ModelChoiceFilter(
        label=_("Prescripteur"), queryset=Organisation.objects.filter(kind=Organisation.Kind.PRESCRIBER)
    )

    class Meta:
        model = Pathway
        fields = ["q", "status", "mine", "stage_status", "prescribing_organisation"]

    def __init__(self, *args, user=None, region_ids=(), **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.filters["prescribing_organisation"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.PRESCRIBER, region__in=region_ids
        ).order_by("name")

    def search(self, queryset, name, value):
        return _search_people(queryset, "beneficiary__", value)

    def filter_mine(self, queryset, name, value):
        if value == "referent":
            return queryset.filter(referent=self.user)
        return queryset.filter(prescribing_adviser=self.user)

    def filter_stage_status(self, queryset, name, value):
        return queryset.filter(pk__in=Stage.objects.filter(status=value).values("pathway_id"))


class SessionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Rechercher"), method="search", max_length=SEARCH_MAX_LENGTH)
    period = django_filters.ChoiceFilter(
        label=_("Période"),
        choices=[("current", _("En cours")), ("upcoming", _("À venir")), ("past", _("Terminées"))],
        method="filter_period",
        empty_label=_("Toutes"),
    )
    training_body = django_filters.ModelChoiceFilter(
        label=_("Organisme"),
        field_name="training_action__training_body",
        queryset=Organisation.objects.none(),
    )
    basin = django_filters.ModelChoiceFilter(
        label=_("Bassin"), field_name="training_action__basin", queryset=Basin.objects.none()
    )
    programme = django_filters.ModelChoiceFilter(
        label=_("Dispositif"), field_name="training_action__programme", queryset=Programme.objects.all()
    )

    class Meta:
        model = Session
        fields = ["q", "period", "training_body", "basin", "programme"]

    def __init__(self, *args, region_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["training_body"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.TRAINING_BODY, region__in=region_ids
        ).order_by("name")
        self.filters["basin"].queryset = Basin.objects.filter(region__in=region_ids).order_by("name")
        self.filters["programme"].queryset = Programme.objects.order_by("name")

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(training_action__title__icontains=word)
                | Q(label__icontains=word)
                | Q(training_action__training_body__name__icontains=word)
                | Q(training_action__formacode=word)
            )
        return queryset

    def filter_period(self, queryset, name, value):
        today = timezone.localdate()
        if value == "current":
            return queryset.filter(start_date__lte=today, end_date__gte=today)
        if value == "upcoming":
            return queryset.filter(start_date__gt=today)
        return queryset.filter(end_date__lt=today)
