"""The commitment scorecard (issue 18): for the charter's commitments that data can measure, one indicator per
signatory organisation of a region, read from the facts (`StageFact`, `AlertFact`), never from the raw tables.

**Signatories**: the organisations of the region with a *validated* signature of the region's charter version in
force (`charter.models.CharterVersion.objects.current`, `Signature.status`).

**The indicators** (`INDICATORS`, each hung on a commitment's stable code and defined on the definitions page,
`dashboards:indicators`, one anchored section each):

- FLUIDITÉ: the rupture rate of the stages the organisation holds (`ruptures.rates.rupture_rate` with
  `cohort_for(training_body=org)`: the `counted_rupture` entrants among the entrants), and beside it the rate among
  its in-session entrants with and without a checklist (`checklist.stats.effect`).
- ANTICIPATION: checklist coverage of its in-session entrants (`checklist.stats.coverage_total`).
- RÉALITÉ: among the qualifying trainings and apprenticeships that started in the period (held by the training body,
  or prescribed by the prescriber), the share preceded by a company immersion (`StageFact.preceded_by_immersion`).
- PRÉVENTION: among its in-session entrants, the share of speaking-group participants
  (`speaking_groups.stats.participated`, the facts' `participant`).
- RÉACTIVITÉ: of the alerts its inbox received in the period, the median delay from the stage's first unjustified
  absence to the alert, and the share acknowledged within 2 working days (`AlertFact`).
- TRAÇABILITÉ: among the stages that ended in the period (held, or prescribed), the share followed within 30 days by
  a chained stage or a positive exit (`StageFact.followed_within_30_days`).

Upper apps add indicators of their own (`register_indicator`, from their `AppConfig.ready`): PROXIMITÉ is measured
by `commissions.scorecard` (meetings held against the cadence, attendance, decisions closed on time). A registered
indicator is a peer of the ones above: same `Indicator`, same definitions page, same cells and display rules; its
`measure` returns, in a fixed number of queries, every organisation's counts at once (`Measured`).

The other commitments are listed with the reason data cannot measure them (`UNMEASURED`).

**Periods**: entrants by their start date (`started_on`), ended stages by their end date (`ended_on`), alerts by
their creation date (local calendar), all between `start` and `end` included.

**Small counts** (docs/design.md §6): every cell seen outside the organisation it describes, and the region's total,
follow the small-count rule; an organisation's own row is exact for its members (`Cell.exact`).

**Cost**: a constant number of queries whatever the number of organisations, stages and alerts (pinned by tests):
the version in force and its commitments, the signatures with their events, one aggregate of stage facts per
organisation, one per prescriber, two over the alerts, and each registered measure's own fixed number.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from charter.models import CharterVersion, Commitment, Signature
from core.figures import DASH, NBSP, is_small, number, percent, rate_figure, shown_count
from dashboards.models import AlertFact, RollupStamp, StageFact
from pathways.models import Organisation, Region

Kind = Organisation.Kind
TRAINING = frozenset({Kind.TRAINING_BODY})
TRAINING_AND_PRESCRIBING = frozenset({Kind.TRAINING_BODY, Kind.PRESCRIBER})

# The charter's commitments in their reference order (codes are stable across versions: `charter.reference`).
COMMITMENT_ORDER = [
    "fluidite",
    "anticipation",
    "realite",
    "prevention",
    "reversibilite",
    "reactivite",
    "neutralite",
    "tracabilite",
    "decentration",
    "proximite",
]


@dataclass(frozen=True)
class Indicator:
    slug: str  # the anchor of its section on the definitions page
    commitment: str  # the commitment's code
    title: str
    definition: str
    numerator: str
    denominator: str
    period: str
    applies_to: frozenset  # the organisation kinds it is measured for
    median: bool = False  # a median delay (in days), not a rate
    empty: str = ""  # the note of a cell with nothing to measure (default: "aucune entrée")
    # A registered indicator (`register_indicator`): its counts come from its measure's answer, by slug.
    measured: bool = False
    # Who it is measured for, when that is not a list of kinds ("structures membres d'une commission de bassin").
    applies_to_text: str = ""
    # What it counts is about people (entrants, alerts): the small-count rule applies outside the organisation. An
    # indicator on meetings or decisions counts no person and is always shown exact.
    about_people: bool = True

    @property
    def anchor(self) -> str:
        return f"indicateur-{self.slug}"

    @property
    def applies_to_label(self) -> str:
        if self.applies_to_text:
            return str(self.applies_to_text)
        return ", ".join(str(Kind(kind).label) for kind in Kind.values if kind in self.applies_to)


INDICATORS = [
    Indicator(
        slug="fluidite-taux-de-rupture",
        commitment="fluidite",
        title=_("Taux de rupture"),
        definition=_(
            "Le taux de rupture de l'application (le même partout) : parmi les étapes tenues par l'organisme qui ont "
            "réellement commencé dans la période, la part terminées par un abandon, une exclusion, ou une rupture de "
            "contrat d'apprentissage sans nouveau contrat ni étape enchaînée. Les interruptions et les sorties "
            "positives sont comptées à part, jamais dans le taux."
        ),
        numerator=_("ruptures comptées dans le taux"),
        denominator=_("entrants : étapes de l'organisme commencées dans la période"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING,
    ),
    Indicator(
        slug="fluidite-avec-check-list",
        commitment="fluidite",
        title=_("Taux de rupture avec check-list"),
        definition=_(
            "Le même taux de rupture, parmi les entrants en session de l'organisme dont la check-list de "
            "sécurisation a été transmise au plus tard le jour de leur entrée : l'engagement FLUIDITÉ veut que "
            "l'organisme ne soit pas pénalisé pour une rupture quand le dispositif d'anticipation était en place."
        ),
        numerator=_("ruptures comptées dans le taux, parmi eux"),
        denominator=_("entrants en session avec une check-list transmise avant l'entrée"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING,
    ),
    Indicator(
        slug="fluidite-sans-check-list",
        commitment="fluidite",
        title=_("Taux de rupture sans check-list"),
        definition=_(
            "Le même taux de rupture, parmi les entrants en session de l'organisme sans check-list transmise avant "
            "leur entrée."
        ),
        numerator=_("ruptures comptées dans le taux, parmi eux"),
        denominator=_("entrants en session sans check-list transmise avant l'entrée"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING,
    ),
    Indicator(
        slug="anticipation-couverture",
        commitment="anticipation",
        title=_("Couverture de la check-list"),
        definition=_(
            "Parmi les entrants en session de l'organisme (les étapes suivies dans une session qui ont réellement "
            "commencé dans la période), la part dont la check-list de sécurisation a été transmise au plus tard le "
            "jour de l'entrée : la définition du module check-list."
        ),
        numerator=_("entrants avec une check-list transmise avant l'entrée"),
        denominator=_("entrants en session"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING,
    ),
    Indicator(
        slug="realite-immersion",
        commitment="realite",
        title=_("Précédées d'une immersion"),
        definition=_(
            "Parmi les formations qualifiantes et les contrats d'apprentissage commencés dans la période (tenus par "
            "l'organisme de formation, ou prescrits par le prescripteur), la part précédés dans le même parcours "
            "d'une immersion en entreprise (PMSMP), non annulée, commencée avant le jour de leur début (une "
            "immersion commencée le même jour ne la précède pas)."
        ),
        numerator=_("étapes précédées d'une immersion en entreprise"),
        denominator=_("formations qualifiantes et contrats d'apprentissage commencés"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING_AND_PRESCRIBING,
    ),
    Indicator(
        slug="prevention-groupes-de-parole",
        commitment="prevention",
        title=_("Participation aux groupes de parole"),
        definition=_(
            "Parmi les entrants en session de l'organisme, la part qui a participé à un atelier collectif ou à une "
            "permanence d'un groupe de parole pendant son étape, avant toute rupture : la définition du module "
            "groupes de parole. Ce que la personne y a dit n'est jamais compté ni montré."
        ),
        numerator=_("entrants ayant participé à un groupe de parole"),
        denominator=_("entrants en session"),
        period=_("date de début effectif de l'étape"),
        applies_to=TRAINING,
    ),
    Indicator(
        slug="reactivite-delai-alerte",
        commitment="reactivite",
        title=_("Délai médian absence → alerte"),
        definition=_(
            "Pour les alertes reçues dans la boîte de la structure (le prescripteur du parcours, ou l'organisme de "
            "formation quand il n'y a pas de prescripteur), le délai médian entre la première absence injustifiée "
            "de l'étape et la création de l'alerte, en jours. La moitié des alertes est arrivée plus vite, "
            "l'autre moitié moins vite."
        ),
        numerator=_("délai médian, en jours"),
        denominator=_("alertes dont l'étape a une absence injustifiée avant l'alerte"),
        period=_("date de création de l'alerte"),
        applies_to=TRAINING_AND_PRESCRIBING,
        median=True,
        empty=_("aucune alerte"),
    ),
    Indicator(
        slug="reactivite-acquittement",
        commitment="reactivite",
        title=_("Alertes acquittées en 2 jours ouvrés"),
        definition=_(
            "Parmi les alertes reçues dans la boîte de la structure, la part acquittée au plus tard deux jours "
            "ouvrés après sa création (ni samedi, ni dimanche, ni jour férié : une alerte du vendredi acquittée le "
            "mardi suivant l'est en deux jours ouvrés)."
        ),
        numerator=_("alertes acquittées en 2 jours ouvrés au plus"),
        denominator=_("alertes reçues"),
        period=_("date de création de l'alerte"),
        applies_to=TRAINING_AND_PRESCRIBING,
        empty=_("aucune alerte"),
    ),
    Indicator(
        slug="tracabilite-suite-30-jours",
        commitment="tracabilite",
        title=_("Étapes suivies sous 30 jours"),
        definition=_(
            "Parmi les étapes terminées dans la période (achevées, abandonnées ou en sortie positive ; tenues par "
            "l'organisme de formation, ou prescrites par le prescripteur), la part terminées par une sortie "
            "positive, ou suivies d'une autre étape du même parcours, non annulée, commençant entre le jour de "
            "leur fin et 30 jours après, inclus (une étape qui commence 30 jours jour pour jour après la fin "
            "la suit ; à 31 jours, non). "
            "Chaque parcours a un référent par construction : ce n'est donc pas un indicateur."
        ),
        numerator=_("étapes suivies sous 30 jours"),
        denominator=_("étapes terminées"),
        period=_("date de fin effective de l'étape"),
        applies_to=TRAINING_AND_PRESCRIBING,
        empty=_("aucune étape terminée"),
    ),
]
INDICATORS_BY_SLUG = {indicator.slug: indicator for indicator in INDICATORS}
# The scorecard's columns: the indicators in the charter's order of their commitments.
ORDERED = [indicator for code in COMMITMENT_ORDER for indicator in INDICATORS if indicator.commitment == code]


@dataclass(frozen=True)
class Measured:
    """A registered indicator's figures over a region and a period: {organisation id: (numerator, denominator)} for
    the organisations it applies to, the region's total, and why the others have no figure (shown beside "—")."""

    by_organisation: dict[int, tuple[int, int]]
    total: tuple[int, int]
    reason: str = ""


# measure(region, start, end) -> {indicator slug: Measured}: one call per scorecard, a fixed number of queries.
Measure = Callable[[Region, datetime.date, datetime.date], dict[str, Measured]]
MEASURES: list[Measure] = []


def register_indicator(commitment: str, *indicators: Indicator, measure: Measure) -> None:
    """Add the indicators of an upper app to `commitment` (called from its `AppConfig.ready`); `measure` computes
    all of them at once. Registering the same slugs again (a second `ready`) changes nothing."""
    fresh = [indicator for indicator in indicators if indicator.slug not in INDICATORS_BY_SLUG]
    if not fresh:
        return
    for indicator in fresh:
        if indicator.commitment != commitment or not indicator.measured:
            raise ValueError(f"{indicator.slug}: a registered indicator of {commitment} has measured=True")
        INDICATORS.append(indicator)
        INDICATORS_BY_SLUG[indicator.slug] = indicator
    MEASURES.append(measure)
    ORDERED[:] = [indicator for code in COMMITMENT_ORDER for indicator in INDICATORS if indicator.commitment == code]
    UNMEASURED.pop(commitment, None)


# Commitments the application's data cannot measure, and why (a commitment an upper app registers indicators for
# leaves this list: PROXIMITÉ, with the basin commissions).
COMMISSIONS = "proximite"
UNMEASURED = {
    "reversibilite": _(
        "Non mesurable par les données de l'application : ce qui se dit en groupe de parole sur la formation "
        "reste anonyme et confidentiel (NEUTRALITÉ) ; l'application n'en tire aucun chiffre par structure."
    ),
    "neutralite": _(
        "Non mesurable par les données de l'application : c'est une règle de l'application elle-même (les notes "
        "des intervenant·es ne sont jamais visibles des organismes ni des prescripteurs), pas un chiffre."
    ),
    "decentration": _(
        "Non mesurable par les données de l'application : chaque parcours a un référent unique à travers les "
        "structures par construction ; aucun chiffre ne distinguerait les signataires."
    ),
}


# --------------------------------------------------------------------------------------------------------------
# Cells: one figure with its counts, shown with the one display rule and the small-count rule.


@dataclass(frozen=True)
class Cell:
    """One organisation's figure for one indicator: a rate (`numerator` / `denominator`) or a median delay in days
    over `denominator` alerts. Shown through `core.figures` (the one display rule and the small-count rule)."""

    numerator: int | None
    denominator: int
    value: float | None  # percent (one decimal) or days
    exact: bool  # seen by the organisation it describes: no small-count rule (`owner`)
    applicable: bool = True
    median: bool = False
    empty: str = ""  # the note when there is nothing to measure
    reason: str = ""  # why a registered indicator does not apply to this organisation (shown beside "—")
    link: "CellLink | None" = None  # the list behind the figure (`link_cells`)
    more: tuple["CellLink", ...] = ()  # other lists behind it (its cohort)

    @property
    def hidden(self) -> bool:
        """The small-count rule: outside its organisation, a figure over 1 to 4 people (or alerts), or a rate whose
        numerator is 1 to 4, is not shown."""
        if self.exact:
            return False
        return is_small(self.denominator) or (not self.median and is_small(self.numerator))

    def _rate(self):
        return rate_figure(self.numerator, self.denominator, owner=self.exact, empty=str(self.empty) or None)

    @property
    def value_text(self) -> str:
        if not self.applicable or self.value is None or self.hidden:
            return DASH
        if self.median:
            return _("%(days)s j") % {"days": number(self.value, decimals=1)}
        return self._rate().percent

    @property
    def counts_text(self) -> str:
        """The counts beside the figure ("25 / 353", "sur 12 alertes"), or why there is no figure."""
        if not self.applicable:
            return ""
        if self.median:
            if not self.denominator:
                return str(self.empty)
            return _("sur %(n)s") % {"n": shown_count(self.denominator, owner=self.exact)}
        figure = self._rate()
        return ", ".join(part for part in (figure.counts, figure.note) if part)

    @property
    def text(self) -> str:
        """ "7,1 % (25 / 353)", "2,5 j (sur 12)", "— (< 5 / 12, petit effectif)"; "—" when not applicable, with
        its reason if it has one ("— (pas membre d'une commission de bassin)")."""
        if not self.applicable:
            return f"{DASH}{NBSP}({self.reason})" if self.reason else DASH
        if not self.median:
            return str(self._rate())
        return f"{self.value_text}{NBSP}({self.counts_text})"


@dataclass(frozen=True)
class CellLink:
    href: str
    text: str  # what the link shows (a secondary link's own words; the figure itself for the main one)
    label: str  # its accessible name's words: "Voir les 25 ruptures de <organisation>"


@dataclass(frozen=True)
class CellList:
    """A list behind an indicator's cells: its drill-down figure (`dashboards.selectors.FIGURES`), which count of
    the cell it holds, the link's accessible name (with `count` and `organisation`) and a secondary link's text."""

    figure: str
    of: str  # "numerator" or "denominator"
    label: object
    text: str = ""


# The lists behind the cells of the indicators computed from the facts (registered ones have none: PROXIMITÉ counts
# meetings and decisions, not people). The first is the cell's own list, the others are links beside it.
CELL_LISTS = {
    "fluidite-taux-de-rupture": [
        CellList(
            "engagements-ruptures",
            "numerator",
            ngettext_lazy(
                "Voir la rupture comptée de %(organisation)s",
                "Voir les %(count)s ruptures comptées de %(organisation)s",
                "count",
            ),
        )
    ],
    "fluidite-avec-check-list": [
        CellList(
            "engagements-ruptures-avec-checklist",
            "numerator",
            ngettext_lazy(
                "Voir la rupture comptée parmi les entrées avec check-list de %(organisation)s",
                "Voir les %(count)s ruptures comptées parmi les entrées avec check-list de %(organisation)s",
                "count",
            ),
        )
    ],
    "fluidite-sans-check-list": [
        CellList(
            "engagements-ruptures-sans-checklist",
            "numerator",
            ngettext_lazy(
                "Voir la rupture comptée parmi les entrées sans check-list de %(organisation)s",
                "Voir les %(count)s ruptures comptées parmi les entrées sans check-list de %(organisation)s",
                "count",
            ),
        )
    ],
    "anticipation-couverture": [
        CellList(
            "engagements-avec-checklist",
            "numerator",
            ngettext_lazy(
                "Voir l'entrée avec check-list de %(organisation)s",
                "Voir les %(count)s entrées avec check-list de %(organisation)s",
                "count",
            ),
        )
    ],
    "realite-immersion": [
        CellList(
            "engagements-immersion",
            "numerator",
            ngettext_lazy(
                "Voir l'étape précédée d'une immersion de %(organisation)s",
                "Voir les %(count)s étapes précédées d'une immersion de %(organisation)s",
                "count",
            ),
        ),
        CellList(
            "engagements-cohorte-immersion",
            "denominator",
            ngettext_lazy(
                "Voir la formation ou le contrat commencé de %(organisation)s",
                "Voir les %(count)s formations et contrats commencés de %(organisation)s",
                "count",
            ),
            _("cohorte"),
        ),
    ],
    "prevention-groupes-de-parole": [
        CellList(
            "engagements-participants",
            "numerator",
            ngettext_lazy(
                "Voir la participation aux groupes de parole de %(organisation)s",
                "Voir les %(count)s participant·es aux groupes de parole de %(organisation)s",
                "count",
            ),
        )
    ],
    "reactivite-delai-alerte": [
        CellList(
            "engagements-alertes-delais",
            "denominator",
            ngettext_lazy(
                "Voir l'alerte et son délai de %(organisation)s",
                "Voir les %(count)s alertes et leurs délais de %(organisation)s",
                "count",
            ),
        )
    ],
    "reactivite-acquittement": [
        CellList(
            "engagements-alertes-acquittees",
            "numerator",
            ngettext_lazy(
                "Voir l'alerte acquittée en 2 jours ouvrés de %(organisation)s",
                "Voir les %(count)s alertes acquittées en 2 jours ouvrés de %(organisation)s",
                "count",
            ),
        )
    ],
    "tracabilite-suite-30-jours": [
        CellList(
            "engagements-suivies",
            "numerator",
            ngettext_lazy(
                "Voir l'étape suivie sous 30 jours de %(organisation)s",
                "Voir les %(count)s étapes suivies sous 30 jours de %(organisation)s",
                "count",
            ),
        ),
        CellList(
            "engagements-terminees",
            "denominator",
            ngettext_lazy(
                "Voir l'étape terminée, suivie ou non, de %(organisation)s",
                "Voir les %(count)s étapes terminées, suivies ou non, de %(organisation)s",
                "count",
            ),
            _("étapes terminées"),
        ),
    ],
}


def link_cells(card: "Scorecard", query: dict) -> None:
    """Link each organisation row's cells to the lists behind them, for that organisation and the card's period
    (`query`: the period's parameters); no query. A cell hidden by the small-count rule, or with nothing to list,
    gets no link."""
    from dashboards.tables import drill_url

    for row in card.rows:
        if row.pk is None:
            continue
        params = {"engagements": card.region.code, "structure": row.pk, **query}
        for position, (indicator, cell) in enumerate(zip(card.indicators, row.cells, strict=True)):
            lists = CELL_LISTS.get(indicator.slug)
            if not lists or indicator.measured or not cell.applicable or cell.hidden:
                continue
            links = []
            for item in lists:
                count = cell.numerator if item.of == "numerator" else cell.denominator
                if count:
                    label = str(item.label % {"count": count, "organisation": row.name})
                    links.append((item, CellLink(drill_url(item.figure, params), str(item.text), label)))
            main = next((link for item, link in links if item is lists[0]), None)
            more = tuple(link for item, link in links if item is not lists[0])
            row.cells[position] = replace(cell, link=main, more=more)


def rate_cell(
    numerator: int, denominator: int, *, exact: bool, applicable: bool = True, empty: str = "", reason: str = ""
) -> Cell:
    return Cell(numerator, denominator, percent(numerator, denominator), exact, applicable, empty=empty, reason=reason)


def median_cell(
    median_hours: float | None, count: int, *, exact: bool, applicable: bool = True, empty: str = ""
) -> Cell:
    days = None if median_hours is None else median_hours / 24
    return Cell(None, count, days, exact, applicable, median=True, empty=empty)


# --------------------------------------------------------------------------------------------------------------
# The figures, from the facts


class Median(Aggregate):
    """PostgreSQL's median (the mean of the two middle values for an even count, as `statistics.median`)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class Counts:
    """The sums behind one row's cells."""

    entrants: int = 0
    ruptures: int = 0
    in_session: int = 0
    checklist: int = 0
    checklist_ruptures: int = 0
    no_checklist_ruptures: int = 0
    participants: int = 0
    immersion_cohort: int = 0
    immersion: int = 0
    ended: int = 0
    followed: int = 0
    alerts: int = 0
    acknowledged: int = 0
    delays: int = 0
    median_hours: float | None = None

    def add(self, other: "Counts", names) -> None:
        for name in names:
            setattr(self, name, getattr(self, name) + getattr(other, name))


STAGE_SUMS = (
    "entrants",
    "ruptures",
    "in_session",
    "checklist",
    "checklist_ruptures",
    "no_checklist_ruptures",
    "participants",
    "immersion_cohort",
    "immersion",
    "ended",
    "followed",
)
# What a prescriber is measured on: the stages of the pathways it prescribed.
PRESCRIBED_SUMS = ("immersion_cohort", "immersion", "ended", "followed")


# The rows each count of the scorecard counts, by the facts' date the period applies to: one definition, read by
# the sums below and by the drill-down lists behind the cells (`dashboards.selectors.FIGURES`).
_SESSION = Q(in_session=True)
STAGE_ROWS: dict[str, tuple[str, Q]] = {
    "entrants": ("started_on", Q()),
    "ruptures": ("started_on", Q(counted_rupture=True)),
    "in_session": ("started_on", _SESSION),
    "checklist": ("started_on", _SESSION & Q(with_checklist=True)),
    "checklist_ruptures": ("started_on", _SESSION & Q(with_checklist=True, counted_rupture=True)),
    "no_checklist_ruptures": ("started_on", _SESSION & Q(with_checklist=False, counted_rupture=True)),
    "participants": ("started_on", _SESSION & Q(participant=True)),
    "immersion_cohort": ("started_on", Q(preceded_by_immersion__isnull=False)),
    "immersion": ("started_on", Q(preceded_by_immersion=True)),
    "ended": ("ended_on", Q(followed_within_30_days__isnull=False)),
    "followed": ("ended_on", Q(followed_within_30_days=True)),
}
# The alerts each count of the scorecard counts, among the alerts an inbox received in the period.
ALERT_ROWS: dict[str, Q] = {
    "alerts": Q(),
    "acknowledged": Q(acknowledged_within_2_working_days=True),
    "delays": Q(hours_from_first_absence__isnull=False),
}


def stage_rows(name: str, start: datetime.date, end: datetime.date) -> Q:
    """The condition on `StageFact` of count `name` over [start, end]: its period and its rows."""
    dated_by, condition = STAGE_ROWS[name]
    return Q(**{f"{dated_by}__range": (start, end)}) & condition


def received_alerts(start: datetime.date, end: datetime.date):
    """The alert facts created in the period (local calendar days), as the scorecard counts them."""
    low, high = _day_bounds(start, end)
    return AlertFact.objects.filter(created_at__gte=low, created_at__lt=high)


def _stage_aggregates(start: datetime.date, end: datetime.date):
    began = Q(started_on__range=(start, end))
    ended = Q(ended_on__range=(start, end))
    sums = {name: Count("pk", filter=stage_rows(name, start, end)) for name in STAGE_ROWS}
    # Prefixed: an annotation must not take the name of a column the other sums filter on (`in_session`).
    return began | ended, {f"sum_{name}": value for name, value in sums.items()}


def _counts(row: dict) -> Counts:
    return Counts(**{name.removeprefix("sum_"): value for name, value in row.items()})


def _day_bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def _alert_counts(region: Region, start: datetime.date, end: datetime.date):
    """({inbox organisation id: Counts}, the region's Counts) of the alerts created in the period: two queries."""
    alerts = received_alerts(start, end).filter(region=region)
    sums = {name: Count("pk", filter=condition or None) for name, condition in ALERT_ROWS.items()}
    by_org: dict[int, Counts] = {}
    if connection.vendor == "postgresql":
        for row in alerts.values("organisation").annotate(**sums, median_hours=Median("hours_from_first_absence")):
            org = row.pop("organisation")
            by_org[org] = Counts(**row)
        total = Counts(**alerts.aggregate(**sums, median_hours=Median("hours_from_first_absence")))
        return by_org, total
    # Other databases (SQLite, the embedded default) have no median: the delays are read and sorted here.
    delays: dict[int | None, list[float]] = defaultdict(list)
    total = Counts()
    for org, hours, acknowledged in alerts.values_list(
        "organisation", "hours_from_first_absence", "acknowledged_within_2_working_days"
    ):
        for counts in (by_org.setdefault(org, Counts()), total):
            counts.alerts += 1
            counts.acknowledged += int(acknowledged)
            counts.delays += int(hours is not None)
        if hours is not None:
            delays[org].append(hours)
            delays["total"].append(hours)
    for org, counts in by_org.items():
        counts.median_hours = statistics.median(delays[org]) if delays[org] else None
    total.median_hours = statistics.median(delays["total"]) if delays["total"] else None
    return by_org, total


def organisation_counts(region: Region, start: datetime.date, end: datetime.date):
    """({organisation id: Counts}, the region's Counts) over the period, from the facts in four queries."""
    period, sums = _stage_aggregates(start, end)
    facts = StageFact.objects.filter(region=region).filter(period)
    counts: dict[int, Counts] = defaultdict(Counts)
    total = Counts()
    for row in facts.values("organisation").annotate(**sums):
        org = row.pop("organisation")
        held = _counts(row)
        counts[org].add(held, STAGE_SUMS)
        total.add(held, STAGE_SUMS)  # each stage is held by one organisation: the region's total
    prescribed_sums = {f"sum_{name}": sums[f"sum_{name}"] for name in PRESCRIBED_SUMS}
    prescribed = {}
    for row in facts.filter(prescriber__isnull=False).values("prescriber").annotate(**prescribed_sums):
        org = row.pop("prescriber")
        prescribed[org] = _counts(row)
    alerts, alert_total = _alert_counts(region, start, end)
    for name in ("alerts", "acknowledged", "delays", "median_hours"):
        setattr(total, name, getattr(alert_total, name))
    return counts, prescribed, alerts, total


def _cells(counts: Counts, *, exact: bool, kinds, measured=None, org: int | None = None) -> list[Cell]:
    """The cells of one row, in the order of `ORDERED`; `kinds` the organisation kinds measured (None: the
    region's total, measured on every indicator); `measured` the registered measures' answers ({slug: Measured}),
    read for organisation `org` (None: the region's total)."""
    c = counts
    measured = measured or {}
    figures = {
        "fluidite-taux-de-rupture": (c.ruptures, c.entrants),
        "fluidite-avec-check-list": (c.checklist_ruptures, c.checklist),
        "fluidite-sans-check-list": (c.no_checklist_ruptures, c.in_session - c.checklist),
        "anticipation-couverture": (c.checklist, c.in_session),
        "realite-immersion": (c.immersion, c.immersion_cohort),
        "prevention-groupes-de-parole": (c.participants, c.in_session),
        "reactivite-acquittement": (c.acknowledged, c.alerts),
        "tracabilite-suite-30-jours": (c.followed, c.ended),
    }
    cells = []
    for indicator in ORDERED:
        applicable = kinds is None or bool(indicator.applies_to & kinds)
        if indicator.measured:
            figures_of = measured.get(indicator.slug) or Measured({}, (0, 0))
            pair = figures_of.total if org is None else figures_of.by_organisation.get(org)
            if pair is None or not applicable:
                reason = figures_of.reason if applicable else ""
                cells.append(rate_cell(0, 0, exact=exact, applicable=False, empty=indicator.empty, reason=reason))
            else:
                cells.append(rate_cell(*pair, exact=exact or not indicator.about_people, empty=indicator.empty))
        elif indicator.median:
            cells.append(
                median_cell(c.median_hours, c.delays, exact=exact, applicable=applicable, empty=indicator.empty)
            )
        else:
            numerator, denominator = figures[indicator.slug]
            cells.append(rate_cell(numerator, denominator, exact=exact, applicable=applicable, empty=indicator.empty))
    return cells


# --------------------------------------------------------------------------------------------------------------
# The page


@dataclass(frozen=True)
class CommitmentColumn:
    code: str
    position: int | None
    title: str
    indicators: list[Indicator]


@dataclass(frozen=True)
class UnmeasuredCommitment:
    code: str
    position: int | None
    title: str
    reason: str
    commissions: bool


@dataclass(frozen=True)
class Row:
    pk: int | None
    name: str
    kind_label: str
    cells: list[Cell]
    own: bool = False  # the viewer's own organisation (exact figures)


@dataclass
class Scorecard:
    region: Region
    start: datetime.date
    end: datetime.date
    version: CharterVersion | None
    commitments: list[CommitmentColumn]
    indicators: list[Indicator]
    unmeasured: list[UnmeasuredCommitment]
    rows: list[Row]
    total: Row
    signatories: int  # how many organisations signed the version in force (validated)
    own_only: bool = False  # an organisation manager's view: their organisation(s) and the region's total
    refreshed_at: datetime.datetime | None = field(default=None)
    # Signatories no indicator applies to (a funder, a support structure): named under the table, not a row of "—".
    without_indicator: list[str] = field(default_factory=list)


def _commitment_titles(version: CharterVersion | None) -> dict[str, tuple[int | None, str]]:
    """{code: (position, title)} of the version in force; the reference titles when the region has none."""
    if version is not None:
        return {c.code: (c.position, c.title) for c in version.commitments.all()}
    from charter.reference import COMMITMENTS

    return {code: (position, title) for position, (code, title, *_rest) in enumerate(COMMITMENTS, start=1)}


def signatories(version: CharterVersion | None) -> list[Organisation]:
    """The organisations with a validated signature of `version` (two queries: signatures, their events)."""
    if version is None:
        return []
    signatures = (
        Signature.objects.filter(version=version)
        .select_related("organisation")
        .prefetch_related("events")
        .order_by("organisation__name", "organisation__pk")
    )
    return [s.organisation for s in signatures if s.status == Signature.Status.VALIDATED]


def build_scorecard(
    *, region: Region, start: datetime.date, end: datetime.date, own: list[Organisation] | None = None
) -> Scorecard:
    """The scorecard of `region` over [start, end]. `own` None: regional staff, every signatory's row with the
    small-count rule. `own` a list: an organisation manager, only their organisations' rows, exact, beside the
    region's total."""
    version = (
        CharterVersion.objects.of_region(region)
        .published()
        .prefetch_related(Prefetch("commitments", Commitment.objects.order_by("position")))
        .order_by("-number")
        .first()
    )
    titles = _commitment_titles(version)
    columns = []
    for code in COMMITMENT_ORDER:
        indicators = [i for i in INDICATORS if i.commitment == code]
        if indicators:
            position, title = titles.get(code, (None, code))
            columns.append(CommitmentColumn(code, position, title, indicators))
    unmeasured = [
        UnmeasuredCommitment(code, *titles.get(code, (None, code)), reason, code == COMMISSIONS)
        for code, reason in UNMEASURED.items()
    ]
    unmeasured.sort(key=lambda c: (c.position or 99, c.code))
    signed = signatories(version)
    counts, prescribed, alerts, total_counts = organisation_counts(region, start, end)
    measured = {}
    for measure in MEASURES:
        measured.update(measure(region, start, end))
    organisations = signed if own is None else sorted(own, key=lambda org: org.name)
    rows = []
    for org in organisations:
        row_counts = Counts()
        kinds = frozenset({org.kind})
        if org.kind == Kind.PRESCRIBER:
            row_counts.add(prescribed.get(org.pk, Counts()), PRESCRIBED_SUMS)
        else:
            row_counts.add(counts.get(org.pk, Counts()), STAGE_SUMS)
        inbox = alerts.get(org.pk, Counts())
        for name in ("alerts", "acknowledged", "delays", "median_hours"):
            setattr(row_counts, name, getattr(inbox, name))
        exact = own is not None
        row_cells = _cells(row_counts, exact=exact, kinds=kinds, measured=measured, org=org.pk)
        rows.append(Row(org.pk, org.name, org.get_kind_display(), row_cells, exact))
    total = Row(None, _("Ensemble de la région"), "", _cells(total_counts, exact=False, kinds=None, measured=measured))
    without_indicator = []
    if own is None:
        without_indicator = [row.name for row in rows if not any(cell.applicable for cell in row.cells)]
        rows = [row for row in rows if any(cell.applicable for cell in row.cells)]
    return Scorecard(
        region=region,
        start=start,
        end=end,
        version=version,
        commitments=columns,
        indicators=ORDERED,
        unmeasured=unmeasured,
        rows=rows,
        total=total,
        signatories=len(signed),
        own_only=own is not None,
        refreshed_at=RollupStamp.objects.filter(region=region).values_list("refreshed_at", flat=True).first(),
        without_indicator=without_indicator,
    )


def definitions() -> list[CommitmentColumn | UnmeasuredCommitment]:
    """The definitions page's sections, in the charter's reference order (no query)."""
    titles = _commitment_titles(None)
    sections = []
    for code in COMMITMENT_ORDER:
        position, title = titles[code]
        indicators = [i for i in INDICATORS if i.commitment == code]
        if indicators:
            sections.append(CommitmentColumn(code, position, title, indicators))
        else:
            sections.append(UnmeasuredCommitment(code, position, title, UNMEASURED.get(code, ""), code == COMMISSIONS))
    return sections


def scorecard_table(card: Scorecard):
    """The scorecard as a downloadable table (`core.exports`): each cell as the page shows it, small counts
    included ("< 5"), then the region's total."""
    from core.exports import Table

    titles = {column.code: column.title for column in card.commitments}
    headers = [
        str(_("Structure")),
        str(_("Type")),
        *[f"{titles[indicator.commitment]} · {indicator.title}" for indicator in card.indicators],
    ]
    rows = [[row.name, row.kind_label, *[cell.text for cell in row.cells]] for row in [*card.rows, card.total]]
    title = _("Engagements %(region)s %(start)s au %(end)s") % {
        "region": card.region.name,
        "start": card.start.isoformat(),
        "end": card.end.isoformat(),
    }
    return Table(title=str(title), headers=headers, rows=rows)
