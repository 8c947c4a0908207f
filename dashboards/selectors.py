"""Reads that build the dashboard pages (CONVENTIONS.md: selectors). Every figure comes from `dashboards.figures`
(the rollups' read API, checked against the reference functions); this module only chooses the scopes and periods
and puts the answers together. Query counts are pinned by tests at two data sizes (`tests/dashboards/test_pages*`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards import figures
from dashboards.figures import Scope
from dashboards.models import StageFact
from dashboards.periods import Period
from pathways.models import Basin, Organisation, Region, Session, Stage
from ruptures.models import Rupture


@dataclass
class DashboardPage:
    """One dashboard: the figures of `scope` over `period`, beside the previous period and a comparison scope."""

    title: str
    kind: str  # "basin" or "organisation"
    scope: Scope
    period: Period
    previous: Period
    owner: bool  # the figures are the reader's own organisation's: exact counts
    cohort_label: str
    comparison_label: str
    comparison_owner: bool
    rate: object
    previous_rate: object
    comparison_rate: object
    prevention: object
    re_engagement: object
    causes: object
    activity: object
    reactivity: object
    by_action: list
    by_organisation: list
    by_month: list
    freshness: datetime.datetime | None
    basin: Basin | None = None
    organisation: Organisation | None = None
    session: Session | None = None
    drill: dict = field(default_factory=dict)  # the query parameters naming the scope, for drill-down links


def cohort_label(period: Period) -> str:
    """How each rate names its cohort: "entrées en formation du 01/01/2026 au 31/12/2026"."""
    return _("entrées en formation %(period)s") % {"period": period.range_label}


def _figures(scope: Scope, period: Period) -> dict:
    start, end = period.start, period.end
    return {
        "rate": figures.rate(scope, start, end),
        "prevention": figures.prevention(scope, start, end),
        "re_engagement": figures.re_engagement(scope, start, end),
        "causes": figures.causes(scope, start, end),
        "activity": figures.activity(scope, start, end),
        "reactivity": figures.reactivity(scope, start, end),
        "by_month": figures.breakdown(scope, start, end, "month"),
    }


def basin_page(*, basin: Basin, period: Period) -> DashboardPage:
    """A basin's dashboard for regional staff: aggregates only (small counts hidden), beside the region."""
    scope = Scope(basin_id=basin.pk)
    previous = period.previous()
    return DashboardPage(
        title=_("Bassin d'emploi : %(name)s") % {"name": basin.name},
        kind="basin",
        scope=scope,
        period=period,
        previous=previous,
        owner=False,
        cohort_label=cohort_label(period),
        comparison_label=_("Région : %(name)s") % {"name": basin.region.name},
        comparison_owner=False,
        previous_rate=figures.rate(scope, previous.start, previous.end),
        comparison_rate=figures.rate(Scope(region_id=basin.region_id), period.start, period.end),
        by_action=figures.breakdown(scope, period.start, period.end, "training_action"),
        by_organisation=figures.breakdown(scope, period.start, period.end, "organisation"),
        freshness=figures.freshness(basin.region_id),
        basin=basin,
        drill={"bassin": basin.pk},
        **_figures(scope, period),
    )


def organisation_page(
    *, organisation: Organisation, session: Session | None, basin: Basin | None, period: Period
) -> DashboardPage:
    """An organisation's dashboard for its own staff: exact counts; a basin it serves beside (small counts hidden).
    A training body's figures are the stages it holds (one session's, with `session`); a prescriber's, the stages
    of the people it prescribed."""
    if organisation.kind == Organisation.Kind.PRESCRIBER:
        scope = Scope(prescriber_id=organisation.pk)
    elif session is not None:
        scope = Scope(organisation_id=organisation.pk, session_ids=(session.pk,))
    else:
        scope = Scope(organisation_id=organisation.pk)
    previous = period.previous()
    comparison = Scope(basin_id=basin.pk) if basin else Scope(region_id=organisation.region_id)
    title = organisation.name
    if session is not None:
        title = _("%(organisation)s · session %(session)s") % {"organisation": organisation.name, "session": session}
    drill = {"structure": organisation.pk}
    if session is not None:
        drill["session"] = session.pk
    return DashboardPage(
        title=title,
        kind="organisation",
        scope=scope,
        period=period,
        previous=previous,
        owner=True,
        cohort_label=cohort_label(period),
        comparison_label=(
            _("Bassin : %(name)s") % {"name": basin.name}
            if basin
            else _("Région : %(name)s") % {"name": organisation.region.name}
        ),
        comparison_owner=False,
        previous_rate=figures.rate(scope, previous.start, previous.end),
        comparison_rate=figures.rate(comparison, period.start, period.end),
        by_action=figures.breakdown(scope, period.start, period.end, "training_action"),
        by_organisation=[],
        freshness=figures.freshness(organisation.region_id),
        basin=basin,
        organisation=organisation,
        session=session,
        drill=drill,
        **_figures(scope, period),
    )


def organisation_basins(organisation: Organisation) -> list[Basin]:
    """The basins an organisation serves (`Organisation.basins`), else those of its training actions."""
    basins = list(
        Basin.objects.filter(
            Q(organisations=organisation) | Q(training_actions__training_body=organisation)
        ).distinct()
    )
    return sorted(basins, key=lambda basin: basin.name)


def organisation_sessions(organisation: Organisation, period: Period) -> list[Session]:
    """A training body's sessions that overlap the period (the per-session choice)."""
    if organisation.kind != Organisation.Kind.TRAINING_BODY:
        return []
    return list(
        Session.objects.filter(
            training_action__training_body=organisation, start_date__lte=period.end, end_date__gte=period.start
        )
        .select_related("training_action")
        .order_by("start_date", "pk")
    )


# --------------------------------------------------------------------------------------------------------------
# The region's map


@dataclass
class RegionPage:
    region: Region
    period: Period
    rows: list  # (basin, RuptureRate, activity)
    total: object
    freshness: datetime.datetime | None
    cohort_label: str


def region_page(*, region: Region, period: Period) -> RegionPage:
    scope = Scope(region_id=region.pk)
    return RegionPage(
        region=region,
        period=period,
        rows=figures.breakdown(scope, period.start, period.end, "basin"),
        total=figures.rate(scope, period.start, period.end),
        freshness=figures.freshness(region.pk),
        cohort_label=cohort_label(period),
    )


# --------------------------------------------------------------------------------------------------------------
# Drill-down: the rows behind a figure


@dataclass(frozen=True)
class Figure:
    label: str
    condition: Q


RuptureKind = Rupture.Kind

# The figures a dashboard links to a list, by the name in the URL; each is a condition on the facts of the cohort.
FIGURES = {
    "entrees": Figure(gettext_lazy("Entrées en formation"), Q()),
    "ruptures": Figure(gettext_lazy("Ruptures comptées dans le taux"), Q(counted_rupture=True)),
    "interruptions": Figure(gettext_lazy("Interruptions"), Q(rupture_kind=RuptureKind.INTERRUPTION)),
    "sorties-positives": Figure(gettext_lazy("Sorties anticipées positives"), Q(rupture_kind=RuptureKind.POSITIVE_EXIT)),
    "ruptures-suivies": Figure(
        gettext_lazy("Ruptures de contrat suivies d'un nouveau contrat ou d'une étape"), Q(contract_break_followed=True)
    ),
    "avec-checklist": Figure(gettext_lazy("Entrées avec check-list"), Q(in_session=True, with_checklist=True)),
    "sans-checklist": Figure(gettext_lazy("Entrées sans check-list"), Q(in_session=True, with_checklist=False)),
    "participants": Figure(gettext_lazy("Participant·es aux groupes de parole"), Q(participant=True)),
    "reengages-3-mois": Figure(
        gettext_lazy("Ruptures suivies d'une reprise dans les 3 mois"), Q(counted_rupture=True, re_engaged_3_months=True)
    ),
    "reengages-6-mois": Figure(
        gettext_lazy("Ruptures suivies d'une reprise dans les 6 mois"), Q(counted_rupture=True, re_engaged_6_months=True)
    ),
}


@dataclass
class Drilldown:
    figure: Figure
    name: str
    period: Period
    total: int
    owner: bool
    rows: object  # the named rows the reader may see (a queryset to paginate)
    scope_label: str


def drilldown(*, user, name: str, scope: Scope, scope_label: str, period: Period, owner: bool, cause: str = ""):
    """The facts behind figure `name`, and those of them whose person `user` may see (the scoping layer)."""
    figure = FIGURES[name]
    facts = figures.facts(scope, period.start, period.end).filter(figure.condition)
    if cause:
        facts = facts.filter(Q(main_cause=cause) | Q(main_cause__startswith=f"{cause}."))
    visible = Stage.objects.for_user(user).values("pk")
    rows = (
        StageFact.objects.filter(pk__in=facts.values("pk"))
        .filter(stage__in=visible)
        .select_related("stage__pathway__beneficiary", "organisation", "training_action")
        .order_by("-started_on", "pk")
    )
    return Drilldown(
        figure=figure,
        name=name,
        period=period,
        total=facts.count(),
        owner=owner,
        rows=rows,
        scope_label=scope_label,
    )
