"""PROXIMITÉ on the commitment scorecard (issue 19): the basin commissions' three indicators, registered on
`dashboards.scorecard` from `CommissionsConfig.ready` (the dashboards may not import this app).

- **Meetings held against the cadence** (a basin-level figure): for each commission of the region's basins, the
  meetings held in the period (status "held", by their local date) over the meetings expected: the weeks of the
  period during which the commission existed (from its setup or its first meeting, whichever is earlier) divided by
  the commission's cadence, rounded down, at least 1; none for a commission set up after the period. An
  organisation's cell is the sum over the commissions it is a member of (for a member of one commission: that
  commission's figure, the same for all its members); the region's total sums every commission of its basins. A
  cancelled meeting is not held.
- **Attendance per member organisation**: the held meetings of its commissions in the period where at least one of
  its delegates was recorded present, over the held meetings of its commissions in the period.
- **Decisions closed on time**: the decisions whose owner is one of the organisation's delegates at that
  commission, due in the period and already due (the due date passed) or done, whose to-do was marked done on or
  before the due date (local date of `Todo.done_at`), over those decisions. A decision whose to-do was cancelled is
  not counted; one whose owner is no longer a delegate counts in the region's total only.

Organisations that are members of no commission of the region get "—" with the reason. Four queries whatever the
number of commissions, meetings and decisions: the commissions with their held meetings, their members, the
attendance, the decisions (each grouped in the database), and nothing per row.
"""

import datetime
from collections import defaultdict

from django.db.models import CharField, Count, Exists, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission, Decision, Delegate, Meeting, MeetingAttendance
from dashboards.scorecard import Indicator, Measured, register_indicator
from notifications.models import Todo
from pathways.models import Organisation, Region

EVERY_KIND = frozenset(Organisation.Kind.values)
NOT_A_MEMBER = _("pas membre d'une commission de bassin")
MEMBERS = _("Structures membres d'une commission de bassin de la région (de tout type)")

MEETINGS = "proximite-reunions-tenues"
ATTENDANCE = "proximite-presence"
DECISIONS = "proximite-decisions-a-temps"

INDICATORS = [
    Indicator(
        slug=MEETINGS,
        commitment="proximite",
        title=_("Réunions tenues / rythme"),
        definition=_(
            "Pour la commission de chaque bassin, les réunions tenues dans la période (présences enregistrées ; une "
            "réunion annulée ou seulement prévue ne compte pas) rapportées aux réunions attendues : les semaines de "
            "la période où la commission existait (depuis sa création ou sa première réunion) divisées par le rythme "
            "de la commission (une réunion toutes les N semaines), arrondies à l'entier inférieur, au moins 1 ; "
            "aucune pour une commission créée après la période. C'est un chiffre du bassin : chaque structure "
            "membre a celui de sa commission (la somme de ses commissions si elle est membre de plusieurs) ; il "
            "peut dépasser 100 % quand la commission s'est réunie plus souvent que son rythme. Une structure "
            "membre d'aucune commission de bassin de la région n'a pas de chiffre (« — »)."
        ),
        numerator=_("réunions tenues de ses commissions"),
        denominator=_("réunions attendues selon le rythme de chaque commission"),
        period=_("date de la réunion"),
        applies_to=EVERY_KIND,
        applies_to_text=MEMBERS,
        empty=_("aucune réunion attendue"),
        measured=True,
        about_people=False,
    ),
    Indicator(
        slug=ATTENDANCE,
        commitment="proximite",
        title=_("Présence en commission"),
        definition=_(
            "Parmi les réunions tenues dans la période par les commissions dont la structure est membre, la part où "
            "au moins un·e de ses délégué·es a été noté·e présent·e. Une structure membre d'aucune commission de "
            "bassin de la région n'a pas de chiffre (« — »)."
        ),
        numerator=_("réunions tenues où la structure était représentée"),
        denominator=_("réunions tenues de ses commissions"),
        period=_("date de la réunion"),
        applies_to=EVERY_KIND,
        applies_to_text=MEMBERS,
        empty=_("aucune réunion tenue"),
        measured=True,
        about_people=False,
    ),
    Indicator(
        slug=DECISIONS,
        commitment="proximite",
        title=_("Décisions faites à temps"),
        definition=_(
            "Parmi les décisions de commission confiées à un·e délégué·e de la structure, dont l'échéance tombe dans "
            "la période et est passée (ou qui sont déjà faites), la part dont l'action de suivi a été marquée faite "
            "par la personne qui s'en charge au plus tard le jour de l'échéance. Une décision dont l'action a été "
            "annulée ne compte pas ; celle d'une personne qui n'est plus délégué·e ne compte que dans l'ensemble de "
            "la région. Une structure membre d'aucune commission de bassin de la région n'a pas de chiffre (« — »)."
        ),
        numerator=_("décisions faites au plus tard à l'échéance"),
        denominator=_("décisions échues dans la période, ou déjà faites"),
        period=_("date d'échéance de la décision"),
        applies_to=EVERY_KIND,
        applies_to_text=MEMBERS,
        empty=_("aucune décision échue"),
        measured=True,
        about_people=False,
    ),
]


def expected_meetings(
    cadence_weeks: int, start: datetime.date, end: datetime.date, *, since: datetime.date | None = None
) -> int:
    """The meetings a commission meeting every `cadence_weeks` weeks is expected to hold in [start, end]: the
    period's length in weeks over the cadence, rounded down, at least 1. `since`: the day the commission began (its
    setup or first meeting); the period is counted from then, and nothing is expected before it began."""
    if since is not None:
        if since > end:
            return 0
        start = max(start, since)
    days = (end - start).days + 1
    return max(1, days // (7 * cadence_weeks))


def _began(created_at, first_meeting) -> datetime.date:
    """The local day a commission began: its setup, or its first meeting when that was recorded earlier."""
    moments = [moment for moment in (created_at, first_meeting) if moment is not None]
    return timezone.localtime(min(moments)).date()


def _day_bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def measure(region: Region, start: datetime.date, end: datetime.date, *, today=None) -> dict[str, Measured]:
    """The three PROXIMITÉ indicators of every organisation of `region` over [start, end] (module docstring)."""
    today = today or timezone.localdate()
    low, high = _day_bounds(start, end)
    in_period = Q(starts_at__gte=low, starts_at__lt=high)
    held_here = Q(meetings__status=Meeting.Status.HELD, meetings__starts_at__gte=low, meetings__starts_at__lt=high)
    commissions = {
        pk: (held, expected_meetings(cadence, start, end, since=_began(created_at, first_meeting)))
        for pk, cadence, held, created_at, first_meeting in Commission.objects.filter(basin__region=region)
        .annotate(
            held=Count("meetings", filter=held_here),
            first_meeting=Min("meetings__starts_at", filter=~Q(meetings__status=Meeting.Status.CANCELLED)),
        )
        .values_list("pk", "cadence_weeks", "held", "created_at", "first_meeting")
    }
    members = set(
        Commission.organisations.through.objects.filter(commission__in=list(commissions)).values_list(
            "commission_id", "organisation_id"
        )
    )
    meetings: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # org: [held, expected]
    attendance: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # org: [represented, held]
    for commission, org in members:
        held, expected = commissions[commission]
        meetings[org][0] += held
        meetings[org][1] += expected
        attendance[org][1] += held
    held_meetings = Meeting.objects.filter(in_period, commission__in=list(commissions), status=Meeting.Status.HELD)
    for commission, org, represented in (
        MeetingAttendance.objects.filter(present=True, meeting__in=held_meetings)
        .values("meeting__commission", "organisation")
        .annotate(represented=Count("meeting", distinct=True))
        .values_list("meeting__commission", "organisation", "represented")
    ):
        if (commission, org) in members:
            attendance[org][0] += represented

    todo = Todo.objects.filter(
        source_key=Concat(Value("commission-decision:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())
    )
    owner_org = Delegate.objects.filter(commission=OuterRef("meeting__commission"), user=OuterRef("owner")).order_by(
        "pk"
    )
    decisions = (
        Decision.objects.filter(meeting__commission__in=list(commissions), due_on__range=(start, end))
        .annotate(
            done_on=Subquery(todo.filter(done_at__isnull=False).annotate(day=TruncDate("done_at")).values("day")[:1]),
            cancelled=Exists(todo.filter(cancelled_at__isnull=False, done_at__isnull=True)),
            owner_organisation=Subquery(owner_org.values("organisation")[:1]),
        )
        .filter(cancelled=False)
        .filter(Q(due_on__lt=today) | Q(done_on__isnull=False))
        .values("owner_organisation")
        .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(done_on__lte=F("due_on"))))
    )
    closed: dict[int, list[int]] = {org: [0, 0] for org in meetings}
    closed_total = [0, 0]
    for row in decisions:
        org = row["owner_organisation"]
        closed_total[0] += row["on_time"]
        closed_total[1] += row["due"]
        if org in closed:
            closed[org][0] += row["on_time"]
            closed[org][1] += row["due"]

    def pairs(figures):
        return {org: (numerator, denominator) for org, (numerator, denominator) in figures.items()}

    held_total = sum(held for held, _expected in commissions.values())
    expected_total = sum(expected for _held, expected in commissions.values())
    return {
        MEETINGS: Measured(pairs(meetings), (held_total, expected_total), NOT_A_MEMBER),
        ATTENDANCE: Measured(
            pairs(attendance),
            (sum(a for a, _h in attendance.values()), sum(h for _a, h in attendance.values())),
            NOT_A_MEMBER,
        ),
        DECISIONS: Measured(pairs(closed), tuple(closed_total), NOT_A_MEMBER),
    }


def _measure(region, start, end):
    return measure(region, start, end)


def register() -> None:
    register_indicator("proximite", *INDICATORS, measure=_measure)
