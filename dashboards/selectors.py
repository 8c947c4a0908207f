"""Reads that build the dashboard pages (docs/conventions.md: selectors). Every figure comes from `dashboards.figures`
(the rollups' read API, checked there against the reference functions); this module chooses the scopes and periods,
puts the answers into sections and tables, and applies the figure rules of `core.figures` (small counts outside
the owning organisation, one display rule for rates). Query counts are pinned by tests at two data sizes
(`tests/dashboards/test_pages*.py`).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.figures import is_small, rate_figure, shown_count
from dashboards import charts, figures, scorecard
from dashboards.figures import Scope
from dashboards.models import StageFact
from dashboards.periods import Period
from dashboards.rollups import rollup_sums
from dashboards.tables import Cell, PageTable, breakdown_table, cell, count, drill_url, median, rate, rupture_rows
from pathways.models import Basin, Organisation, Region, Session, Stage


@dataclass
class Section:
    id: str
    title: str
    intro: str = ""
    tables: list[PageTable] = field(default_factory=list)
    charts: list = field(default_factory=list)


@dataclass
class DashboardPage:
    """One dashboard: the figures of a scope over a period, beside the previous period and a comparison scope."""

    title: str
    kind: str  # "basin" or "organisation"
    period: Period
    previous: Period
    owner: bool  # the figures are the reader's own organisation's: exact counts
    cohort_label: str
    comparison_label: str
    freshness: datetime.datetime | None
    sections: list[Section]
    query: str  # the period's query string (links keep it)
    basin: Basin | None = None
    organisation: Organisation | None = None
    session: Session | None = None

    def table(self, name: str) -> PageTable | None:
        return next((t for section in self.sections for t in section.tables if t.name == name), None)


def cohort_label(period: Period) -> str:
    """How each rate names its cohort: "entrées en formation du 01/01/2026 au 31/12/2026"."""
    return _("entrées en formation %(period)s") % {"period": period.range_label}


def basin_page(*, basin: Basin, period: Period) -> DashboardPage:
    """A basin's dashboard for regional staff: aggregates only (small counts hidden), beside the previous period
    and the region."""
    scope = Scope(basin_id=basin.pk)
    previous = period.previous()
    drill = {"bassin": basin.pk, **period.as_query()}
    by_organisation = figures.breakdown(scope, period.start, period.end, "training_body")
    sections = _sections(
        scope=scope,
        period=period,
        previous=previous,
        comparison=Scope(region_id=basin.region_id),
        comparison_label=_("Région : %(name)s") % {"name": basin.region.name},
        owner=False,
        drill=drill,
    )
    sections[0].tables.append(
        breakdown_table(
            "organismes",
            _("Ruptures par organisme de formation (%(cohort)s)") % {"cohort": cohort_label(period)},
            _("Organisme"),
            by_organisation,
            owner=False,
        )
    )
    return DashboardPage(
        title=_("Bassin d'emploi : %(name)s") % {"name": basin.name},
        kind="basin",
        period=period,
        previous=previous,
        owner=False,
        cohort_label=cohort_label(period),
        comparison_label=_("Région : %(name)s") % {"name": basin.region.name},
        freshness=figures.freshness(basin.region_id),
        sections=sections,
        query=urlencode(period.as_query()),
        basin=basin,
    )


def organisation_page(
    *, organisation: Organisation, session: Session | None, basin: Basin | None, period: Period
) -> DashboardPage:
    """An organisation's dashboard for its own staff (exact counts), beside a basin it serves (small counts
    hidden). A training body's figures are the stages it holds (one session's, with `session`); a prescriber's,
    the stages of the people it prescribed."""
    if organisation.kind == Organisation.Kind.PRESCRIBER:
        scope = Scope(prescriber_id=organisation.pk)
    elif session is not None:
        scope = Scope(organisation_id=organisation.pk, session_ids=(session.pk,))
    else:
        scope = Scope(organisation_id=organisation.pk)
    previous = period.previous()
    if basin is not None:
        comparison, comparison_label = Scope(basin_id=basin.pk), _("Bassin : %(name)s") % {"name": basin.name}
    else:
        comparison = Scope(region_id=organisation.region_id)
        comparison_label = _("Région : %(name)s") % {"name": organisation.region.name}
    title = organisation.name
    drill = {"structure": organisation.pk, **period.as_query()}
    if session is not None:
        title = _("%(organisation)s · session %(session)s") % {"organisation": organisation.name, "session": session}
        drill["session"] = session.pk
    return DashboardPage(
        title=title,
        kind="organisation",
        period=period,
        previous=previous,
        owner=True,
        cohort_label=cohort_label(period),
        comparison_label=comparison_label,
        freshness=figures.freshness(organisation.region_id),
        sections=_sections(
            scope=scope,
            period=period,
            previous=previous,
            comparison=comparison,
            comparison_label=comparison_label,
            owner=True,
            drill=drill,
        ),
        query=urlencode(period.as_query()),
        basin=basin,
        organisation=organisation,
        session=session,
    )


def _sections(*, scope, period, previous, comparison, comparison_label, owner, drill) -> list[Section]:
    start, end = period.start, period.end
    cohort = cohort_label(period)
    rates = figures.compared_rates(scope, start, end, (previous.start, previous.end), comparison)
    current, before, by_month, beside = rates.current, rates.previous, rates.months, rates.comparison
    cohort_figures = figures.cohort_figures(scope, start, end)
    by_action = figures.breakdown(scope, start, end, "training_action")
    causes = figures.causes(scope, start, end)

    def link(figure, **extra):
        return drill_url(figure, drill, **extra)

    # Ruptures: this period, the previous one, the comparison scope.
    summary = PageTable(
        name="ruptures",
        title=_("Ruptures et taux de rupture (%(cohort)s), comparés à la période précédente et à l'échelon voisin")
        % {"cohort": cohort},
        headers=[_("Indicateur"), period.label, _("Période précédente (%(p)s)") % {"p": previous.label}],
    )
    summary.headers.append(comparison_label)
    rows_now = rupture_rows(current, owner=owner, link=link)
    rows_before = rupture_rows(before, owner=owner)
    rows_beside = rupture_rows(beside, owner=False)
    for (label, now), (_l1, was), (_l2, near) in zip(rows_now, rows_before, rows_beside, strict=True):
        summary.rows.append([cell(label), now, was, near])
    summary.note = _(
        "Le taux compte les abandons, les exclusions et les ruptures de contrat d'apprentissage qu'aucun nouveau "
        "contrat ni aucune étape n'a suivies ; interruptions et sorties positives sont comptées à part."
    )

    kinds = PageTable(
        name="natures",
        title=_("Ruptures par nature (%(cohort)s)") % {"cohort": cohort},
        headers=[_("Nature"), _("Ruptures"), _("dont comptées dans le taux")],
    )
    for row in causes.by_kind:
        kinds.rows.append([cell(row.label), count(row.ruptures, owner=owner), count(row.counted, owner=owner)])
    cause_table = PageTable(
        name="causes",
        title=_("Ruptures par famille de causes et cause principale (%(cohort)s)") % {"cohort": cohort},
        headers=[_("Cause"), _("Ruptures"), _("dont comptées dans le taux")],
    )
    for family in causes.by_family:
        cause_table.rows.append(
            [
                cell(family.label),
                count(family.ruptures, owner=owner),
                count(family.counted, owner=owner, href=link("ruptures", cause=family.code)),
            ]
        )
        for sub in causes.by_cause:
            if sub.code.split(".")[0] == family.code:
                cause_table.rows.append(
                    [
                        Cell(sub.label, level=1),
                        count(sub.ruptures, owner=owner),
                        count(sub.counted, owner=owner, href=link("ruptures", cause=sub.code)),
                    ]
                )
    months = breakdown_table(
        "mois",
        _("Ruptures par mois d'entrée (%(cohort)s)") % {"cohort": cohort},
        _("Mois"),
        by_month,
        owner=owner,
        link=lambda row, figure: link(figure, period="month", year=row.key.year, month=row.key.month),
    )
    actions = breakdown_table(
        "actions",
        _("Ruptures par action de formation (%(cohort)s)") % {"cohort": cohort},
        _("Action de formation"),
        by_action,
        owner=owner,
        link=lambda row, figure: link(figure, action=row.key) if row.key else "",
    )
    ruptures = Section(
        "ruptures",
        _("Ruptures"),
        _("Chaque taux porte sur les %(cohort)s.") % {"cohort": cohort},
        [summary, kinds, cause_table, months, actions],
        [
            *([_month_chart(by_month, owner=owner, period=period)] if by_month else []),
            *([_cause_chart(causes, owner=owner)] if causes.by_family else []),
        ],
    )
    return [
        ruptures,
        _activity_section(scope, period, owner=owner),
        _reactivity_section(scope, period, owner=owner, follow_ups=cohort_figures.follow_ups),
        _re_engagement_section(cohort_figures.re_engagement, period, owner=owner, link=link),
        _prevention_section(cohort_figures.prevention, period, owner=owner, link=link),
    ]


def _month_chart(rows, *, owner, period):
    labels, values = [], []
    for row in rows:
        labels.append(row.label)
        figure = rate_figure(row.rate.ruptures, row.rate.entrants, owner=owner)
        values.append(row.rate.rate if figure.shown else None)
    return charts.line_chart(
        title=_("Taux de rupture par mois d'entrée"),
        description=_("Pourcentage des entrées de chaque mois, %(period)s, qui ont abouti à une rupture comptée.")
        % {"period": period.range_label},
        labels=labels,
        series={_("Taux de rupture"): values},
        unit="%",
    )


def _cause_chart(causes, *, owner):
    labels = [row.label for row in causes.by_family]
    # A small count outside the owner is drawn as no value and written "< 5" in the data table.
    values = [
        shown_count(row.counted, owner=False) if not owner and is_small(row.counted) else row.counted
        for row in causes.by_family
    ]
    return charts.bar_chart(
        title=_("Ruptures comptées par famille de causes"),
        description=_("Nombre de ruptures comptées dans le taux, par famille de causes (cause principale)."),
        labels=labels,
        series={_("Ruptures comptées"): values},
    )


def _activity_section(scope, period, *, owner) -> Section:
    activity = figures.activity(scope, period.start, period.end)
    key = PageTable(
        name="activite",
        title=_("Activité %(period)s") % {"period": period.range_label},
        headers=[_("Indicateur"), _("Valeur")],
        rows=[
            [cell(_("Parcours actifs sur la période")), count(activity.active_pathways, owner=owner)],
            [cell(_("Entrées en formation")), count(activity.entrants, owner=owner)],
            [cell(_("Sorties d'étape")), count(activity.exits_total, owner=owner)],
            [cell(_("Étapes enchaînées après une attente")), count(activity.waits, owner=owner)],
            [
                cell(_("Attente médiane entre deux étapes")),
                median(activity.wait_median_days, activity.waits, owner=owner, unit=_("jours")),
            ],
            [
                cell(_("Attentes de plus de 30 jours")),
                rate(activity.waits_over_30_days, activity.waits, owner=owner, empty=_("aucune attente")),
            ],
        ],
    )
    exits = PageTable(
        name="sorties",
        title=_("Sorties d'étape par nature et destination, %(period)s") % {"period": period.range_label},
        headers=[_("Sortie"), _("Étapes")],
        rows=[[cell(row.label), count(row.count, owner=owner)] for row in activity.exits],
    )
    referents = PageTable(
        name="referents",
        title=_("Personnes suivies par référent·e (15 à 20 recommandées)"),
        headers=[_("Référent·es"), _("Nombre")],
        rows=[
            [cell(_("Moins de 15 personnes actives")), count(activity.referents_under_15, owner=owner)],
            [cell(_("De 15 à 20 personnes actives")), count(activity.referents_15_to_20, owner=owner)],
            [cell(_("Plus de 20 personnes actives")), count(activity.referents_over_20, owner=owner)],
            [cell(_("Ensemble des référent·es")), count(activity.referents, owner=owner)],
            [
                cell(_("Nombre médian de personnes suivies")),
                median(activity.caseload_median, activity.referents, owner=owner),
            ],
        ],
    )
    return Section("activite", _("Activité"), "", [key, exits, referents])


def _reactivity_section(scope, period, *, owner, follow_ups) -> Section:
    r = figures.reactivity(scope, period.start, period.end, follow_ups=follow_ups)
    table = PageTable(
        name="reactivite",
        title=_("Réactivité : alertes émises %(period)s et ruptures des entrées") % {"period": period.range_label},
        headers=[_("Indicateur"), _("Valeur")],
        rows=[
            [cell(_("Alertes émises")), count(r.alerts, owner=owner)],
            [
                cell(_("Délai médian entre la première absence injustifiée et l'alerte")),
                median(r.median_hours_from_first_absence, r.alerts, owner=owner, unit=_("h")),
            ],
            [
                cell(_("Délai médian entre l'alerte et sa prise en compte")),
                median(r.median_hours_to_acknowledgement, r.alerts, owner=owner, unit=_("h")),
            ],
            [
                cell(_("Alertes prises en compte sous 2 jours ouvrés")),
                rate(r.acknowledged_within_2_working_days, r.alerts, owner=owner, empty=_("aucune alerte")),
            ],
            [cell(_("Alertes escaladées")), rate(r.escalated, r.alerts, owner=owner, empty=_("aucune alerte"))],
            [
                cell(_("Ruptures précédées d'au moins une relance")),
                rate(r.ruptures_with_follow_up, r.ruptures, owner=owner, empty=_("aucune rupture")),
            ],
            [
                cell(_("Relances par rupture (moyenne)")),
                median(r.mean_follow_ups, r.ruptures, owner=owner),
            ],
        ],
    )
    return Section("reactivite", _("Réactivité"), "", [table])


def _re_engagement_section(r, period, *, owner, link) -> Section:
    table = PageTable(
        name="reprise",
        title=_("Reprise après une rupture comptée (%(cohort)s)") % {"cohort": cohort_label(period)},
        headers=[_("Indicateur"), _("Valeur")],
        rows=[
            [cell(_("Ruptures comptées")), count(r.ruptures, owner=owner, href=link("ruptures"))],
            [
                cell(_("Reprise (formation, autre formation, emploi) dans les 3 mois")),
                _linked(
                    rate(r.within_3_months, r.ruptures, owner=owner, empty=_("aucune rupture")),
                    link("reengages-3-mois") if r.within_3_months else "",
                ),
            ],
            [
                cell(_("Reprise dans les 6 mois")),
                _linked(
                    rate(r.within_6_months, r.ruptures, owner=owner, empty=_("aucune rupture")),
                    link("reengages-6-mois") if r.within_6_months else "",
                ),
            ],
        ],
    )
    return Section("reprise", _("Après la rupture"), "", [table])


def _prevention_section(p, period, *, owner, link) -> Section:
    w, wo = p.with_checklist_rate, p.without_checklist_rate
    part, non = p.participants_rate, p.non_participants_rate
    table = PageTable(
        name="prevention",
        title=_("Prévention (%(cohort)s)") % {"cohort": cohort_label(period)},
        headers=[_("Indicateur"), _("Valeur")],
        rows=[
            [
                cell(_("Couverture de la check-list (entrées en session)")),
                _linked(rate(p.with_checklist, p.in_session_entrants, owner=owner), link("avec-checklist")),
            ],
            [cell(_("Taux de rupture avec check-list")), rate(w.ruptures, w.entrants, owner=owner)],
            [cell(_("Taux de rupture sans check-list")), rate(wo.ruptures, wo.entrants, owner=owner)],
            [
                cell(_("Participation aux groupes de parole")),
                _linked(rate(p.participants, p.entrants, owner=owner), link("participants")),
            ],
            [cell(_("Taux de rupture des participant·es")), rate(part.ruptures, part.entrants, owner=owner)],
            [cell(_("Taux de rupture des non-participant·es")), rate(non.ruptures, non.entrants, owner=owner)],
        ],
        note=_(
            "Avec check-list : une check-list transmise au plus tard le jour de l'entrée. Participant·e : au moins "
            "un atelier ou une permanence suivis pendant l'étape, avant toute rupture."
        ),
    )
    return Section("prevention", _("Prévention"), "", [table])


def _linked(value: Cell, href: str) -> Cell:
    return Cell(value.text, href)


def organisation_basins(organisation: Organisation) -> list[Basin]:
    """The basins an organisation serves (`Organisation.basins`) or where its training actions run."""
    return list(
        Basin.objects.filter(Q(organisations=organisation) | Q(training_actions__training_body=organisation))
        .distinct()
        .order_by("name")
    )


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
    table: PageTable
    freshness: datetime.datetime | None
    cohort_label: str
    query: str


def region_page(*, region: Region, period: Period, basins) -> RegionPage:
    """The region's basins (those `basins` holds) with their key figures: entrants and rupture rate (one
    breakdown), alerts of the period (one grouped count over `figures.alert_facts`), the region's total."""
    scope = Scope(region_id=region.pk)
    rows = {row.key: row for row in figures.breakdown(scope, period.start, period.end, "basin")}
    alerts = dict(
        figures.alert_facts(scope, period.start, period.end)
        .values("basin_id")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("basin_id", "n")
    )
    total = figures.rate(scope, period.start, period.end)
    query = urlencode(period.as_query())
    table = PageTable(
        name="bassins",
        title=_("Chiffres clés par bassin d'emploi (%(cohort)s)") % {"cohort": cohort_label(period)},
        headers=[_("Bassin"), _("Entrées"), _("Ruptures comptées"), _("Taux de rupture"), _("Alertes émises")],
    )
    for basin in basins:
        row = rows.get(basin.pk)
        entrants, ruptures = (row.rate.entrants, row.rate.ruptures) if row else (0, 0)
        table.rows.append(
            [
                Cell(basin.name, f"{reverse('dashboards:basin', args=[basin.pk])}?{query}"),
                count(entrants, owner=False),
                count(ruptures, owner=False),
                rate(ruptures, entrants, owner=False),
                count(alerts.get(basin.pk, 0), owner=False),
            ]
        )
    table.footer = [
        cell(_("Région")),
        count(total.entrants, owner=False),
        count(total.ruptures, owner=False),
        rate(total.ruptures, total.entrants, owner=False),
        count(sum(alerts.values()), owner=False),
    ]
    return RegionPage(
        region=region,
        period=period,
        table=table,
        freshness=figures.freshness(region.pk),
        cohort_label=cohort_label(period),
        query=query,
    )


# --------------------------------------------------------------------------------------------------------------
# Drill-down: the rows behind a figure


@dataclass(frozen=True)
class Figure:
    label: str
    condition: Q
    dated_by: str = "started_on"  # the facts' date the period applies to (`ended_on`: stages ended in it)
    alerts: bool = False  # a list of alert facts (those the organisation's inbox received), not of stage facts
    column: str = ""  # a column the list shows beside the usual ones ("followed", "delay")


def _rows_of(column: str) -> Q:
    """The condition on the facts that a rollup column counts (`dashboards.rollups.rollup_sums`): a list behind a
    figure holds exactly the rows the figure counted."""
    return rollup_sums()[column].filter or Q()


# The figures a dashboard links to a list, by their name in the URL.
FIGURES = {
    "entrees": Figure(gettext_lazy("Entrées en formation"), _rows_of("entrants")),
    "ruptures": Figure(gettext_lazy("Ruptures comptées dans le taux"), _rows_of("ruptures")),
    # A stage may be interrupted more than once: the list holds each interrupted stage once.
    "interruptions": Figure(gettext_lazy("Étapes interrompues (interruptions)"), Q(interruptions__gt=0)),
    "sorties-positives": Figure(gettext_lazy("Sorties anticipées positives"), _rows_of("positive_exits")),
    "ruptures-suivies": Figure(
        gettext_lazy("Ruptures de contrat suivies d'un nouveau contrat ou d'une étape"),
        _rows_of("contract_breaks_followed"),
    ),
    "avec-checklist": Figure(gettext_lazy("Entrées en session avec check-list"), _rows_of("checklist_entrants")),
    "participants": Figure(gettext_lazy("Participant·es aux groupes de parole"), _rows_of("participant_entrants")),
    "reengages-3-mois": Figure(
        gettext_lazy("Ruptures suivies d'une reprise dans les 3 mois"), _rows_of("re_engaged_3_months")
    ),
    "reengages-6-mois": Figure(
        gettext_lazy("Ruptures suivies d'une reprise dans les 6 mois"), _rows_of("re_engaged_6_months")
    ),
}


def _scorecard_figure(label, count: str, **extra) -> Figure:
    """A scorecard count's list: its rows and its period as the scorecard counts them (`scorecard.STAGE_ROWS`)."""
    dated_by, condition = scorecard.STAGE_ROWS[count]
    return Figure(label, condition, dated_by=dated_by, **extra)


def _alert_figure(label, count: str, **extra) -> Figure:
    return Figure(label, scorecard.ALERT_ROWS[count], alerts=True, **extra)


# The lists behind the commitment scorecard's cells (`scorecard.CELL_FIGURES`), by their name in the URL.
FIGURES.update(
    {
        "engagements-ruptures": _scorecard_figure(gettext_lazy("Ruptures comptées dans le taux"), "ruptures"),
        "engagements-ruptures-avec-checklist": _scorecard_figure(
            gettext_lazy("Ruptures comptées parmi les entrées en session avec check-list"), "checklist_ruptures"
        ),
        "engagements-ruptures-sans-checklist": _scorecard_figure(
            gettext_lazy("Ruptures comptées parmi les entrées en session sans check-list"), "no_checklist_ruptures"
        ),
        "engagements-avec-checklist": _scorecard_figure(
            gettext_lazy("Entrées en session avec une check-list transmise avant l'entrée"), "checklist"
        ),
        "engagements-immersion": _scorecard_figure(
            gettext_lazy("Formations qualifiantes et contrats d'apprentissage précédés d'une immersion"), "immersion"
        ),
        "engagements-cohorte-immersion": _scorecard_figure(
            gettext_lazy("Formations qualifiantes et contrats d'apprentissage commencés"),
            "immersion_cohort",
            column="immersion",
        ),
        "engagements-participants": _scorecard_figure(
            gettext_lazy("Entrées en session ayant participé à un groupe de parole"), "participants"
        ),
        "engagements-suivies": _scorecard_figure(
            gettext_lazy("Étapes terminées suivies sous 30 jours"), "followed", column="followed"
        ),
        "engagements-terminees": _scorecard_figure(
            gettext_lazy("Étapes terminées, suivies ou non sous 30 jours"), "ended", column="followed"
        ),
        "engagements-alertes-delais": _alert_figure(
            gettext_lazy("Alertes reçues et leur délai depuis la première absence injustifiée"), "delays"
        ),
        "engagements-alertes-acquittees": _alert_figure(
            gettext_lazy("Alertes reçues acquittées en 2 jours ouvrés au plus"), "acknowledged"
        ),
    }
)


@dataclass
class Drilldown:
    figure: Figure
    name: str
    period: Period
    total: int
    owner: bool
    rows: object  # the facts whose person the reader may see (a queryset to paginate)
    scope_label: str

    @property
    def shown_total(self) -> str:
        return shown_count(self.total, owner=self.owner)


def drilldown(*, user, name: str, scope: Scope, scope_label: str, period: Period, owner: bool, cause: str = ""):
    """The facts behind figure `name` (stage facts over the figure's period, or for an alert figure the alerts the
    scope's inbox received), and those of them whose person `user` may see (the scoping layer)."""
    figure = FIGURES[name]
    if figure.alerts:
        facts = received_alerts(scope, period.start, period.end).filter(figure.condition)
        related, order = ("stage__pathway__beneficiary", "organisation"), ("-created_at", "pk")
    else:
        if figure.dated_by == "started_on":
            facts = figures.facts(scope, period.start, period.end)
        else:
            facts = StageFact.objects.filter(
                scope.condition(), **{f"{figure.dated_by}__range": (period.start, period.end)}
            )
        facts = facts.filter(figure.condition)
        related = ("stage__pathway__beneficiary", "organisation", "training_action")
        order = (f"-{figure.dated_by}", "pk")
    if cause:
        facts = facts.filter(Q(main_cause=cause) | Q(main_cause__startswith=f"{cause}."))
    rows = facts.filter(stage__in=Stage.objects.for_user(user).values("pk")).select_related(*related).order_by(*order)
    return Drilldown(
        figure=figure,
        name=name,
        period=period,
        total=facts.count(),
        owner=owner,
        rows=rows,
        scope_label=scope_label,
    )


def received_alerts(scope: Scope, start: datetime.date, end: datetime.date):
    """The alerts created in the period (`scorecard.received_alerts`, as the scorecard counts them) in the scope: its
    region and basin, and an organisation's or a prescriber's inbox (the organisation the alert was sent to)."""
    alerts = scorecard.received_alerts(start, end)
    if scope.region_id is not None:
        alerts = alerts.filter(region_id=scope.region_id)
    if scope.basin_id is not None:
        alerts = alerts.filter(basin_id=scope.basin_id)
    inbox = scope.prescriber_id if scope.prescriber_id is not None else scope.organisation_id
    if inbox is not None:
        alerts = alerts.filter(organisation_id=inbox)
    stage_scope = Scope(training_action_id=scope.training_action_id, session_ids=scope.session_ids)
    if stage_scope != Scope():
        alerts = alerts.filter(stage_id__in=StageFact.objects.filter(stage_scope.condition()).values("stage_id"))
    return alerts
