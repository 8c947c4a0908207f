"""The access log (issue 20, "Traceability of personal data"): writing it, searching it, exporting it, purging it.

Who may read which rows is decided by the caller (the scoping layer of `pathways` knows memberships and regions):
the reads here take plain ids (`organisation_ids`, `region_ids`, `beneficiary_id`), so this module stays on floor 1.

The table is append-only (migration `0007_accesslog_append_only`): the database refuses any UPDATE or DELETE but
inside `purge`, the retention job's one sanctioned deletion.
"""

import datetime
from collections.abc import Iterable

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import AccessLog

# --------------------------------------------------------------------------------------------------------------
# Page labels: a row's `view_name` is a URL name (`alerts:alert_detail`); referents, DPOs and the person read a
# French label instead. Each app that writes rows registers its pages' labels in its `AppConfig.ready()` (this module
# imports no upper app); `tests/test_access_log_coverage.py` fails for a page that writes rows and has no label.

_VIEW_LABELS: dict[str, str] = {}


def register_view_labels(labels: dict[str, str]) -> None:
    """Register the labels (lazy translated strings) of the pages that write access log rows, by URL name."""
    for view_name, label in labels.items():
        if view_name in _VIEW_LABELS and str(_VIEW_LABELS[view_name]) != str(label):
            raise ValueError(f"{view_name} already has an access log label.")
        _VIEW_LABELS[view_name] = label


def has_view_label(view_name: str) -> bool:
    return view_name in _VIEW_LABELS


def view_label(view_name: str) -> str:
    """The page's readable label; for a page with none (an old row, a page since renamed), the app's name and the
    raw name, never an error."""
    label = _VIEW_LABELS.get(view_name)
    if label is not None:
        return str(label)
    if not view_name:
        return "—"
    namespace, separator, rest = view_name.partition(":")
    if namespace == "admin" and rest.endswith("_change"):
        model = _admin_model(rest.removesuffix("_change"))
        if model is not None:
            return _("Administration : %(model)s") % {"model": model._meta.verbose_name}
    if not separator:
        namespace = view_name.split(".")[0]
    try:
        app_name = str(apps.get_app_config(namespace).verbose_name)
    except LookupError:
        return view_name
    return f"{app_name} · {view_name}"


def _admin_model(name: str):
    """The model of an admin page's URL name (`pathways_beneficiary`), or None."""
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == name:
            return model
    return None


def _region_id(beneficiary, acting_organisation) -> int | None:
    if beneficiary is not None:
        return beneficiary.region_id
    if acting_organisation is not None:
        return acting_organisation.region_id
    return None


def record(*, user, beneficiary, view_name: str, acting_organisation=None, action=AccessLog.Action.READ) -> AccessLog:
    """Record that `user` read or changed `beneficiary`'s record through `view_name` (one row). `beneficiary` is
    None only for a duplicate check that found nobody. The row's region is the person's (else the organisation's)."""
    return AccessLog.objects.create(
        user=user,
        beneficiary=beneficiary,
        view_name=view_name[:100],
        acting_organisation=acting_organisation,
        region_id=_region_id(beneficiary, acting_organisation),
        action=action,
    )


def record_many(*, user, people: Iterable, view_name: str, action=AccessLog.Action.READ) -> int:
    """One row per person shown by name on a page that lists people, in one INSERT. `people` yields (person,
    acting organisation id or None) pairs, a person being a Beneficiary or its id (then one more query finds the
    regions); a person listed twice is written once (with their first acting organisation). Returns the number of
    rows."""
    rows = {}
    for person, acting_id in people:
        if person is None:
            continue
        person_id = person if isinstance(person, int) else person.pk
        if person_id in rows:
            continue
        rows[person_id] = AccessLog(
            user=user,
            beneficiary_id=person_id,
            view_name=view_name[:100],
            acting_organisation_id=acting_id,
            region_id=None if isinstance(person, int) else person.region_id,
            action=action,
        )
    if not rows:
        return 0
    missing = [person_id for person_id, row in rows.items() if row.region_id is None]
    if missing:
        # The person model is `pathways.Beneficiary` (floor 2): reached through the field, never imported.
        people_model = AccessLog._meta.get_field("beneficiary").related_model
        for person_id, region_id in people_model.objects.filter(pk__in=missing).values_list("pk", "region_id"):
            rows[person_id].region_id = region_id
    AccessLog.objects.bulk_create(rows.values())
    return len(rows)


def purge(*, before: datetime.datetime | None = None, where: Q | None = None) -> int:
    """Delete the rows written before `before`, or those matching `where` (the retention job: the access log is kept
    one year by default, a region may set its own duration). The one deletion the database allows on the log;
    returns the number of rows deleted."""
    if (before is None) == (where is None):
        raise TypeError("purge() takes either before= or where=.")
    rows = AccessLog.objects.filter(at__lt=before) if before is not None else AccessLog.objects.filter(where)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sans_rupture.access_log_purge = 'on'")
            deleted, _by_model = rows.delete()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sans_rupture.access_log_purge = 'off'")
        else:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO accounts_accesslog_purge (id) VALUES (1)")
            deleted, _by_model = rows.delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM accounts_accesslog_purge")
    return deleted


# --------------------------------------------------------------------------------------------------------------
# Reads (the caller decides the scope)


def rows_in_scope(*, organisation_ids=(), region_ids=()):
    """The rows a data-protection officer reads: those made on behalf of `organisation_ids` (an organisation's DPO)
    and every row of `region_ids` (the region's DPO: reads without an acting organisation included). None if both
    are empty."""
    condition = Q(pk__in=[])
    if organisation_ids:
        condition |= Q(acting_organisation__in=organisation_ids)
    if region_ids:
        condition |= Q(region__in=region_ids)
    return AccessLog.objects.filter(condition)


def search(
    queryset,
    *,
    beneficiary_ids=None,
    user_ids=None,
    organisation_id=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    """Narrow `queryset` (rows already in the reader's scope) to people, users, an acting organisation and a period
    (dates inclusive, in the current time zone); newest first, with what a list shows."""
    if beneficiary_ids is not None:
        queryset = queryset.filter(beneficiary__in=beneficiary_ids)
    if user_ids is not None:
        queryset = queryset.filter(user__in=user_ids)
    if organisation_id is not None:
        queryset = queryset.filter(acting_organisation=organisation_id)
    if start is not None:
        queryset = queryset.filter(at__date__gte=start)
    if end is not None:
        queryset = queryset.filter(at__date__lte=end)
    return queryset.select_related("user", "beneficiary", "acting_organisation").order_by("-at", "-pk")


class AdminReadLogMixin:
    """For a ModelAdmin of rows about a person: opening a row's page in the admin writes the access log (one row,
    the person of `access_log_person(obj)`, a Beneficiary or its id; None: nobody named)."""

    def access_log_person(self, obj):
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            from django.contrib.admin.utils import unquote

            obj = self.get_object(request, unquote(object_id))
            person = self.access_log_person(obj) if obj is not None else None
            if person is not None:
                record_many(
                    user=request.user,
                    people=[(person, None)],
                    view_name=f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
                    action=AccessLog.Action.READ if request.method in ("GET", "HEAD") else AccessLog.Action.CHANGE,
                )
        return response
