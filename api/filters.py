"""The lists' filters (`?status=…`, `?since=…`): a bad value answers 400 with the field's error."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert
from pathways.models import Pathway, Stage, StageTransition
from ruptures.models import Rupture


class PathwayFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Pathway.Status.choices)
    since = django_filters.IsoDateTimeFilter(
        method="filter_since", label=_("Ouverts ou clôturés depuis (date et heure ISO 8601)")
    )

    class Meta:
        model = Pathway
        fields = ["status"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(Q(opened_at__gte=value) | Q(closed_at__gte=value))


class StageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Stage.Status.choices)
    pathway = django_filters.NumberFilter(field_name="pathway_id", label=_("Parcours"))
    since = django_filters.IsoDateTimeFilter(
        method="filter_since", label=_("Créées ou changées de statut depuis (date et heure ISO 8601)")
    )

    class Meta:
        model = Stage
        fields = ["status", "pathway"]

    def filter_since(self, queryset, name, value):
        changed = StageTransition.objects.filter(stage=OuterRef("pk"), at__gte=value)
        return queryset.filter(Q(created_at__gte=value) | Exists(changed))


class RuptureFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Rupture.Kind.choices)
    since = django_filters.IsoDateTimeFilter(
        field_name="declared_at", lookup_expr="gte", label=_("Déclarées depuis (date et heure ISO 8601)")
    )

    class Meta:
        model = Rupture
        fields = ["kind"]


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Alert.Status.choices)
    escalated = django_filters.BooleanFilter(
        field_name="escalated_at", lookup_expr="isnull", exclude=True, label=_("Signalées aux responsables")
    )
    since = django_filters.IsoDateTimeFilter(
        method="filter_since", label=_("Émises, prises en compte ou signalées depuis (date et heure ISO 8601)")
    )

    class Meta:
        model = Alert
        fields = ["status", "escalated"]

    def filter_since(self, queryset, name, value):
        return queryset.filter(Q(created_at__gte=value) | Q(acknowledged_at__gte=value) | Q(escalated_at__gte=value))
