"""Reads that build the checklist's pages: the training body's list of entrants and where their checklist stands.
They return plain data (dataclasses) in a number of queries that does not grow with the rows (pinned by tests);
the view only validates the filters and renders."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from checklist import services
from checklist.models import Checklist, ChecklistRevision
from checklist.stats import Coverage, coverage
from pathways.models import Stage

# The list shows the coverage of the entrants of the last days.
COVERAGE_DAYS = 90

# The list's filter on where the checklist stands (`forms.StatusFilterForm`'s values).
MISSING, DRAFT, SUBMITTED, AT_RISK = "missing", "draft", "submitted", "risk"


@dataclass(frozen=True)
class EntrantRow:
    """One entrant of the list: their stage taken in a session, and where its checklist stands."""

    pk: int  # the stage
    person: str
    person_id: int  # for the access log of the list
    organisation_id: int  # the stage's training body
    pathway_url: str
    session_title: str
    planned_start: datetime.date
    actual_start: datetime.date | None
    checklist_pk: int | None  # the checklist started for the stage (its last version), if any
    submitted_at: datetime.datetime | None  # its last submission, if any
    risk_count: int  # points at risk in that submission

    @property
    def started(self) -> bool:
        return self.checklist_pk is not None


@dataclass
class ChecklistList:
    """The list page: the entrants of the user's training bodies (a page of `EntrantRow`s) and the coverage of
    the last `COVERAGE_DAYS` days. `is_staff` is False for those who fill no checklist: they see neither."""

    is_staff: bool
    page: Page
    today: datetime.date
    coverage_since: datetime.date
    coverage: list[Coverage] = field(default_factory=list)


def _entrants(user, organisations: set[int]):
    """The stages taken in a session, not ended, held by `organisations`, with where their checklist stands:
    those without a submitted checklist first, then by start."""
    return (
        Stage.objects.for_user(user)
        .filter(organisation__in=organisations, enrolment__isnull=False, status__in=Stage.ACTIVE_STATUSES)
        .select_related("pathway__beneficiary", "enrolment__session__training_action")
        .annotate(
            has_checklist=Exists(Checklist.objects.filter(stage=OuterRef("pk"))),
            submitted=services.submitted(),
            # As the row's badge: the last revision of a checklist has points at risk (not one superseded since).
            at_risk=Exists(
                ChecklistRevision.objects.filter(checklist__stage=OuterRef("pk"))
                .exclude(risk_items=[])
                .exclude(
                    Exists(
                        ChecklistRevision.objects.filter(checklist=OuterRef("checklist"), number__gt=OuterRef("number"))
                    )
                )
            ),
        )
        .order_by("submitted", "planned_start", "pathway__beneficiary__last_name", "pk")
    )


def _filtered(stages, *, state: str, q: str):
    if state == MISSING:
        stages = stages.filter(submitted=False)
    elif state == DRAFT:
        stages = stages.filter(has_checklist=True, submitted=False)
    elif state == SUBMITTED:
        stages = stages.filter(submitted=True)
    elif state == AT_RISK:
        stages = stages.filter(at_risk=True)
    for word in q.split():
        stages = stages.filter(
            Q(pathway__beneficiary__last_name__icontains=word) | Q(pathway__beneficiary__first_name__icontains=word)
        )
    return stages


def _row(stage: Stage) -> EntrantRow:
    checklist = stage.checklist_list[0] if stage.checklist_list else None
    revision = checklist.newest[0] if checklist is not None and checklist.newest else None
    return EntrantRow(
        pk=stage.pk,
        person=stage.pathway.beneficiary.full_name,
        person_id=stage.pathway.beneficiary_id,
        organisation_id=stage.organisation_id,
        pathway_url=stage.pathway.get_absolute_url(),
        session_title=stage.enrolment.session.training_action.title,
        planned_start=stage.planned_start,
        actual_start=stage.actual_start,
        checklist_pk=checklist.pk if checklist is not None else None,
        submitted_at=revision.submitted_at if revision is not None else None,
        risk_count=len(revision.risk_items) if revision is not None else 0,
    )


def _entrant_stages(user, organisations, *, state: str, q: str):
    return _filtered(_entrants(user, organisations), state=state, q=q).prefetch_related(
        Prefetch(
            "checklists",
            queryset=Checklist.objects.order_by("-template__version").prefetch_related(
                # The row shows the last revision's date and risk count: not every revision's answers.
                Prefetch(
                    "revisions",
                    queryset=ChecklistRevision.objects.defer("answers").order_by("-number"),
                    to_attr="newest",
                )
            ),
            to_attr="checklist_list",
        )
    )


def entrant_rows(user, *, state: str = "", q: str = ""):
    """Every entrant of the list (not one page) as stages, filtered like the page: its export (`row(stage)` gives
    each one's `EntrantRow`). Nobody for those who fill no checklist."""
    organisations = services.filling_organisations(user)
    if not organisations:
        return Stage.objects.none()
    return _entrant_stages(user, organisations, state=state, q=q)


row = _row


def checklist_list(
    user, *, state: str = "", q: str = "", page: str | int | None = None, today: datetime.date | None = None
) -> ChecklistList:
    """The entrants of the training bodies where `user` is staff (`services.filling_organisations`), filtered by
    where their checklist stands (`state`) and by name (`q`), the page `page`; and how those training bodies did over
    the last three months (entrants with a checklist submitted before their start)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=COVERAGE_DAYS)
    organisations = services.filling_organisations(user)
    if not organisations:
        return ChecklistList(
            is_staff=False, page=Paginator([], settings.PAGINATE_BY).get_page(1), today=today, coverage_since=since
        )
    stages = _entrant_stages(user, organisations, state=state, q=q)
    chosen = Paginator(stages, settings.PAGINATE_BY).get_page(page)
    chosen.object_list = [_row(stage) for stage in chosen.object_list]
    covered = coverage(
        start=since, end=today, by="training_body", stages=Stage.objects.filter(organisation__in=organisations)
    )
    return ChecklistList(is_staff=True, page=chosen, today=today, coverage_since=since, coverage=covered)
