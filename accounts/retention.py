"""Retention: how long each category of personal data is kept, and the daily job that anonymises what expired.

Durations are per category (`accounts.personal_data.Category`), in months: `settings.RETENTION_DEFAULT_MONTHS`,
overridden per region by `accounts.RetentionPolicy` (set by the region's DPO, `pathways.views.retention`, or in the
admin). Two clocks run:

- **the person's**: once every pathway of a person is closed, their named data is kept `pathway` months after the
  last activity (the latest pathway closure; the person's creation if they never had a pathway). Their referents
  are told `settings.RETENTION_NOTICE_DAYS` days before (the notice hooks, filled by `notifications`); on the due
  day everything declared about the person is anonymised (`accounts.personal_data.anonymise_person`) and the person
  is flagged (`PersonRetention.anonymised_at`), never processed again. A person never told is told first and
  anonymised `RETENTION_NOTICE_DAYS` days later, so the referent always has that notice.
- **a row that reaches no person** (an anonymous hotline call, a commission's own point, a to-do about no stage):
  anonymised on the declaration's `orphan_clock`, as nobody's anonymisation ever reaches it.
- **a row's own**: a declaration with a `clock` (facilitator notes after the case closes, monthly statements and
  commission reports after they were built) is anonymised, or its file deleted, `category` months after that date,
  even while its person's data is still kept.

The access log is kept whole while the person's data is kept, and its rows older than `access_log` months (the
region's duration for the rows of its people, the default for rows of no region) are deleted by
`accounts.access_log.purge`, the one deletion its triggers allow.

Everything here is idempotent: running the job twice a day, or after a missed day, does the same thing once.
The person-level rules (who the people are, where the clock starts) come from the app that owns people, which
registers them (`register_people`), as accounts imports no upper app.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.personal_data import (
    ANONYMISED,
    ANONYMISED_NAME,
    FREE_TEXT,
    NAME,
    Category,
    JsonText,
    PersonalData,
    anonymise,
    sources,
)
from accounts.personal_data import anonymise_person as anonymise_everything_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class People:
    """How the retention job finds people and when their clock starts, given by the app that owns them.

    `with_clock(queryset)` annotates each person with `retention_open` (their open pathways) and
    `retention_last_activity` (a datetime); `region` is the lookup to the person's region."""

    model: str
    region: str
    with_clock: Callable[[models.QuerySet], models.QuerySet]

    @property
    def model_class(self):
        return apps.get_model(self.model)


_PEOPLE: list[People] = []
_NOTICE_HOOKS: list[Callable] = []


def register_people(people: People) -> None:
    _PEOPLE[:] = [people]


def register_notice(hook: Callable) -> None:
    """`hook(person, due_on)` tells whoever follows `person` that their named data will be anonymised on `due_on`
    (a to-do, a notification: it must carry no name outside the app). Called once per notice."""
    if hook not in _NOTICE_HOOKS:
        _NOTICE_HOOKS.append(hook)


def people() -> People:
    if not _PEOPLE:
        raise LookupError("No app registered its people with accounts.retention.register_people.")
    return _PEOPLE[0]


# --- Durations ---------------------------------------------------------------------------------------------------


def default_months(category: str) -> int:
    return int(settings.RETENTION_DEFAULT_MONTHS[category])


def months_by_region(category: str) -> dict[int, int]:
    """{region id: months} for every region (the default where the region set nothing)."""
    from accounts.models import RetentionPolicy

    region_model = apps.get_model("pathways.Region")
    months = dict.fromkeys(region_model.objects.values_list("pk", flat=True), default_months(category))
    months.update(RetentionPolicy.objects.filter(category=category).values_list("region_id", "months"))
    return months


# The categories a region sets: every one (the access log no shorter than `RetentionPolicy.ACCESS_LOG_MIN_MONTHS`).
def region_categories() -> list[str]:
    return list(Category.values)


def region_months(region_id: int | None) -> dict[str, int]:
    """{category: months} of one region, for every category: its own duration where it set one, the default
    elsewhere; what the job applies to the region's data (`_candidates`, `_rows_due`, `_access_log_due`) and what the
    information notice tells its people. One query."""
    from accounts.models import RetentionPolicy

    months = {category: default_months(category) for category in Category.values}
    if region_id is not None:
        months.update(
            RetentionPolicy.objects.filter(region_id=region_id, category__in=region_categories()).values_list(
                "category", "months"
            )
        )
    return months


def months_for(region_id: int | None, category: str) -> int:
    if region_id is None:
        return default_months(category)
    return months_by_region(category).get(region_id, default_months(category))


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


# --- The person's clock ------------------------------------------------------------------------------------------


@dataclass
class Due:
    person_id: int
    region_id: int | None
    due_on: datetime.date
    notified: bool = False
    notice_due_on: datetime.date | None = None


def _candidates(today: datetime.date):
    """People not anonymised, with no open pathway, and their due date (last activity + months of their region)."""
    spec = people()
    queryset = spec.with_clock(spec.model_class._base_manager.exclude(retention__anonymised_at__isnull=False)).filter(
        retention_open=0
    )
    months = months_by_region(Category.PATHWAY)
    rows = queryset.values_list(
        "pk", spec.region, "retention_last_activity", "retention__notified_at", "retention__notice_due_on"
    )
    for pk, region_id, last_activity, notified_at, notice_due_on in rows.iterator():
        if last_activity is None:
            continue
        due_on = _local_date(last_activity) + relativedelta(
            months=months.get(region_id, default_months(Category.PATHWAY))
        )
        yield Due(pk, region_id, due_on, notified_at is not None, notice_due_on)


def _effective_due(due: Due, notified_on: datetime.date | None) -> datetime.date:
    """The due day, or the notice's day + the notice period when the notice came late (never without notice)."""
    if notified_on is None:
        return datetime.date.max
    return max(due.due_on, notified_on + datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS))


@dataclass
class Plan:
    """What a run does (or would do, in a dry run): person ids per step and row ids per source."""

    notices: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    rows: dict[str, list[int]] = field(default_factory=dict)
    access_log_rows: int = 0


def plan(*, today: datetime.date | None = None) -> Plan:
    """What is due on `today` (no write)."""
    from accounts.models import AccessLog, PersonRetention

    today = today or timezone.localdate()
    result = Plan()
    notice = datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    notified_on = {
        pk: _local_date(at)
        for pk, at in PersonRetention.objects.filter(notified_at__isnull=False).values_list(
            "beneficiary_id", "notified_at"
        )
    }
    for due in _candidates(today):
        told_for_this_date = due.notified and due.notice_due_on == due.due_on
        if due.due_on - notice <= today and not told_for_this_date:
            result.notices.append(due.person_id)
        elif told_for_this_date and _effective_due(due, notified_on.get(due.person_id)) <= today:
            result.people.append(due.person_id)
    for src in sources():
        due = []
        if src.clock:
            due.append(_rows_due(src, today))
        if src.orphan_clock:
            due.append(_orphans_due(src, today))
        ids = sorted(
            {obj.pk for queryset in due for obj in queryset.order_by("pk").iterator() if _still_holds(src, obj)}
        )
        if ids:
            result.rows[src.model] = ids
    result.access_log_rows = AccessLog.objects.filter(_access_log_due(today)).count()
    return result


# --- A row's own clock -------------------------------------------------------------------------------------------


def _final_field(model, path: str):
    field_ = None
    for part in path.split("__"):
        field_ = model._meta.get_field(part)
        model = field_.related_model or model
    return field_


def _still_holds(src: PersonalData, obj) -> bool:
    """This row still holds something: a file, or a free text or name not yet replaced (read in Python: some are
    encrypted at rest, so the database cannot compare them)."""
    if any(getattr(obj, name) for name in src.files):
        return True
    for name, kind in src.fields.items():
        value = getattr(obj, name)
        if kind in (FREE_TEXT, NAME) and value not in ("", None, ANONYMISED, ANONYMISED_NAME):
            return True
        if isinstance(kind, JsonText) and kind.scrub(value) != value:
            return True
    return False


def _due_on_clock(model, clock: str, category: str, region_path: str, today: datetime.date) -> models.QuerySet:
    """The rows of `model` whose `clock` is `category` months of their region (`region_path`) or more before today."""
    clock_field = _final_field(model, clock)
    lookup = f"{clock}__date__lte" if isinstance(clock_field, models.DateTimeField) else f"{clock}__lte"
    default_cutoff = today - relativedelta(months=default_months(category))
    if not region_path:
        return model._base_manager.filter(**{lookup: default_cutoff}).distinct()
    due = models.Q()
    for region_id, n in months_by_region(category).items():
        due |= models.Q(**{region_path: region_id, lookup: today - relativedelta(months=n)})
    # Rows with no region (a session's statement of no person): the default duration.
    due |= models.Q(**{f"{region_path}__isnull": True, lookup: default_cutoff})
    return model._base_manager.filter(due).distinct()


def _rows_due(src: PersonalData, today: datetime.date) -> models.QuerySet:
    return _due_on_clock(src.model_class, src.clock, src.category, src.region_path(), today)


def _orphans_due(src: PersonalData, today: datetime.date) -> models.QuerySet:
    """The rows of a source that reach no person, due on their own clock (`PersonalData.orphan_clock`)."""
    category = src.orphan_category or src.category
    rows = _due_on_clock(src.model_class, src.orphan_clock, category, src.orphan_region, today)
    return rows.filter(src.reaches_nobody())


def _access_log_due(today: datetime.date) -> models.Q:
    """The access-log rows past their duration on `today`: a region's own for the rows of its people, the default
    for the others (rows of a region that set none, rows of no region)."""
    from accounts.models import RetentionPolicy

    def written_by(months: int) -> models.Q:
        return models.Q(at__date__lte=today - relativedelta(months=months))

    own = dict(RetentionPolicy.objects.filter(category=Category.ACCESS_LOG).values_list("region_id", "months"))
    due = written_by(default_months(Category.ACCESS_LOG))
    if own:
        due &= ~models.Q(region__in=list(own))
    for region_id, months in own.items():
        due |= models.Q(region=region_id) & written_by(months)
    return due


def _purge_access_log(today: datetime.date) -> int:
    from accounts.access_log import purge

    return purge(where=_access_log_due(today))


# --- The job -----------------------------------------------------------------------------------------------------


def anonymise_person(person, *, by=None, reason: str = "expired") -> dict[str, int]:
    """Anonymise everything declared about `person` and flag them, in one transaction (the job, or an erasure)."""
    from accounts.models import PersonRetention

    with transaction.atomic():
        record, _created = PersonRetention.objects.select_for_update().get_or_create(beneficiary_id=person.pk)
        if record.anonymised_at is not None:
            return {}
        done = anonymise_everything_of(person)
        record.anonymised_at = timezone.now()
        record.anonymised_by = by
        record.reason = reason
        record.save(update_fields=["anonymised_at", "anonymised_by", "reason"])
    logger.info("retention: person %s anonymised (%s), rows per model %s", person.pk, reason, done)
    return done


def has_open_pathway(person) -> bool:
    spec = people()
    return spec.with_clock(spec.model_class._base_manager.filter(pk=person.pk)).filter(retention_open__gt=0).exists()


def erase(*, person, by, acting_organisation=None, view_name: str = "") -> dict[str, int]:
    """Erasure where the law allows it (an administrator or a DPO, "anonymiser maintenant"): the same anonymisation
    as the job, refused while one of the person's pathways is open, recorded in the access log as a change."""
    from django.core.exceptions import ValidationError

    from accounts.models import AccessLog, PersonRetention
    from accounts.services import access_log_record

    with transaction.atomic():
        if has_open_pathway(person):
            raise ValidationError(
                _("Un parcours de cette personne est en cours : clôturez-le avant d'anonymiser ses données.")
            )
        if PersonRetention.objects.filter(beneficiary_id=person.pk, anonymised_at__isnull=False).exists():
            raise ValidationError(_("Les données de cette personne sont déjà anonymisées."))
        access_log_record(
            user=by,
            beneficiary=person,
            view_name=view_name or "accounts.retention.erase",
            acting_organisation=acting_organisation,
            action=AccessLog.Action.CHANGE,
        )
        return anonymise_person(person, by=by, reason=PersonRetention.Reason.ERASURE)


def _notify(person_id: int, due_on: datetime.date) -> None:
    from accounts.models import PersonRetention

    person = people().model_class._base_manager.get(pk=person_id)
    with transaction.atomic():
        record, _created = PersonRetention.objects.select_for_update().get_or_create(beneficiary_id=person_id)
        if record.notified_at is not None and record.notice_due_on == due_on:
            return
        record.notified_at, record.notice_due_on = timezone.now(), due_on
        record.save(update_fields=["notified_at", "notice_due_on"])
        for hook in _NOTICE_HOOKS:
            hook(person, due_on)


@dataclass
class Report:
    notices: int = 0
    people: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    access_log_rows: int = 0


def run(*, today: datetime.date | None = None) -> Report:
    """The daily job: notices, people due, rows due on their own clock, the access log's old rows."""
    today = today or timezone.localdate()
    report = Report()
    dues = {due.person_id: due for due in _candidates(today)}
    todo = plan(today=today)
    for person_id in todo.notices:
        _notify(person_id, dues[person_id].due_on)
        report.notices += 1
    model = people().model_class
    for person in model._base_manager.filter(pk__in=todo.people).order_by("pk"):
        anonymise_person(person)
        report.people += 1
    for src in sources():
        if src.model in todo.rows:
            with transaction.atomic():
                changed = anonymise(src, src.model_class._base_manager.filter(pk__in=todo.rows[src.model]))
            if changed:
                report.rows[src.model] = changed
    report.access_log_rows = _purge_access_log(today)
    logger.info(
        "retention: %s notices, %s people anonymised, rows %s, %s access-log rows purged",
        report.notices,
        report.people,
        report.rows,
        report.access_log_rows,
    )
    return report
