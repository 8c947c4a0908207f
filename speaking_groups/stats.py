"""The speaking groups' figures (issue 17, docs/design.md §4 and §6), on the rupture rate's definition
(`ruptures.rates`, never a second implementation).

- **Participant** (`participated`, registered as the rate's "speaking_group_participant" split): a stage with at
  least one collective workshop (not cancelled) attended, or one drop-in booking in status attended, dated between
  the stage's `actual_start` and its rupture's `occurred_on` (both included), or, without a rupture, its effective
  end, or else today.
- **With a post-rupture case** (`has_post_rupture_case`, registered as the re-engagement's "with_post_rupture_case"
  split): a `PostRuptureCase` opened on the stage's rupture.
- **Participation** of a set of sessions (`participation`): among the people enrolled in them who entered (the
  rate's cohort: stages that really started, over all time unless a period is given), the share of participants,
  and the rupture rate among participants vs non-participants (`rupture_rate`, with its counts). Four queries
  whatever the number of people.
- **Small counts** (docs/design.md §6): a count shown outside the owning organisation (the support structure) is "< 5"
  under five (`shown_count`: `core.figures.shown_count`, the project's one rule, which the templates' filters call).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.figures import shown_count
from pathways.models import Session, Stage
from ruptures.rates import RuptureRate, percent, rupture_rate
from speaking_groups.models import DropInBooking, PostRuptureCase, SpeakingGroup, WorkshopAttendance

# The whole calendar, when a caller gives no period.
ALL_TIME = (datetime.date(1900, 1, 1), datetime.date(9999, 12, 31))


def _window_end():
    """On attendance or booking rows (with a `stage`): the last day of the stage that counts, its rupture's date, or
    its effective end, or today (an annotation, so that the stage's rupture is a left join)."""
    return Coalesce("stage__ruptures__occurred_on", "stage__actual_end", Value(timezone.localdate()))


def participated() -> Q:
    """On a Stage queryset: the stage's person attended a workshop or a drop-in during the stage, before any
    rupture (the "speaking_group_participant" split of `ruptures.rates`)."""
    workshops = (
        WorkshopAttendance.objects.filter(stage=OuterRef("pk"), workshop__cancelled_at__isnull=True)
        .annotate(window_end=_window_end())
        .filter(workshop__date__gte=F("stage__actual_start"), workshop__date__lte=F("window_end"))
    )
    drop_ins = (
        DropInBooking.objects.filter(stage=OuterRef("pk"), status=DropInBooking.Status.ATTENDED)
        .annotate(window_end=_window_end())
        .filter(date__gte=F("stage__actual_start"), date__lte=F("window_end"))
    )
    return Q(Exists(workshops)) | Q(Exists(drop_ins))


def has_post_rupture_case() -> Q:
    """On a Stage queryset: a post-rupture case was opened on the stage's rupture (the re-engagement's split)."""
    return Q(Exists(PostRuptureCase.objects.filter(rupture__stage=OuterRef("pk"))))


@dataclass(frozen=True)
class Participation:
    entrants: int  # the people of the sessions who entered (the rate's cohort)
    participants: int
    participants_rate: RuptureRate
    non_participants_rate: RuptureRate

    @property
    def share(self) -> float | None:
        """Participants in percent of the entrants (one decimal, `ruptures.rates.percent`)."""
        return percent(self.participants, self.entrants)


def session_stages(sessions) -> QuerySet[Stage]:
    """The stages enrolled in `sessions` (Session instances, primary keys or a queryset)."""
    if isinstance(sessions, QuerySet):
        return Stage.objects.filter(enrolment__session__in=sessions.values("pk"))
    return Stage.objects.filter(enrolment__session__in=[getattr(s, "pk", s) for s in sessions])


def participation(*, sessions, start: datetime.date | None = None, end: datetime.date | None = None) -> Participation:
    """Participation of the people of `sessions` and their rupture rate, participants vs non-participants, for the
    stages started between `start` and `end` (default: all time). Four queries."""
    start = start or ALL_TIME[0]
    end = end or ALL_TIME[1]
    stages = session_stages(sessions)
    participants = rupture_rate(start=start, end=end, stages=stages, speaking_group_participant=True)
    others = rupture_rate(start=start, end=end, stages=stages, speaking_group_participant=False)
    return Participation(
        entrants=participants.entrants + others.entrants,
        participants=participants.entrants,
        participants_rate=participants,
        non_participants_rate=others,
    )


def group_participation(group: SpeakingGroup, **period) -> Participation:
    return participation(sessions=Session.objects.filter(speaking_groups=group), **period)


def participants_shown(group: SpeakingGroup, *, owner: bool = False) -> str:
    """The group's number of participants as its training body's staff see it on the group page ("< 5" under five,
    no names); `owner=True` for the support structure's facilitators (one query)."""
    from speaking_groups.selectors import participant_count

    return shown_count(participant_count(group), owner=owner)
