"""Where a person's data lands: the registry that the right of access exports and the retention job anonymises.

The contract
------------
Every model that holds something about a person (a beneficiary) is declared ONCE, by the app that owns it, from
its `AppConfig.ready()` (accounts stands on floor 1 and imports no upper app, docs/design.md §8)::

    from accounts.personal_data import FREE_TEXT, PersonalData, register

    register(PersonalData(
        model="checklist.ChecklistAnswer",
        person="checklist__stage__pathway__beneficiary",   # the ORM path from a row to its person
        category=Category.PATHWAY,
        fields={"comment": FREE_TEXT, "action": FREE_TEXT},
        label=_("Réponses de check-list"),
    ))

- `person` is the lookup from a row of `model` to the person (`""` for the person's own model), or a tuple of
  lookups when a row reaches its person in more than one way.
- `fields` maps each field holding personal data to its *kind*, which says what anonymisation does with it:
  `NAME` (a fixed placeholder), `CONTACT` (emptied), `FREE_TEXT` ("[anonymisé]" when not empty), `DATE` (a fixed
  placeholder date: the dashboards use no age, so not even the year is kept), `JsonText(keys)` (strings under those
  keys of a JSON value replaced, the rest of its structure kept) and `KEEP` (exported, kept: a date or a kind the
  statistics need).
- `files` names the FileFields of stored documents about the person: anonymisation deletes the file from storage
  and clears the field (the row stays, so counts do not change).
- `category` picks the retention duration (`accounts.retention`); `clock`, when given, is a lookup to the date from
  which THAT row's own duration runs (facilitator notes: one year after the case closes), otherwise the row is
  anonymised with its person.
- `orphan_clock` (with `orphan_category`, by default `category`, and `orphan_region`, the lookup to the region whose
  durations apply, by default none: the default duration) is for a source whose rows may reach no person (an
  anonymous hotline call, a commission's own point and its decision, a to-do or a message about no stage): such a
  row has no person to be anonymised with, so it is anonymised on that clock instead.
- `person=None` declares text about a group rather than one person (a workshop's notes, a cancelled meeting's
  reason): it is not in anyone's export, only anonymised on its own `clock`, with `region` the lookup to the
  region whose durations apply.
- `confidential` marks what the right-of-access export includes only in the version released by the structure that
  wrote it (facilitator notes); `author` is the lookup from a row to that structure (an organisation): the version
  released by one structure holds its own notes, never another structure's.
- A source whose data cannot be handled field by field gives its own `export_rows(queryset)` or
  `anonymise_rows(queryset)`.

Anonymising replaces, never deletes: the rows, their dates, kinds, causes and links stay, so every statistic and
dashboard computed from them is unchanged. The change history (django-auditlog) of an anonymised row loses the
stored values of its declared fields too.

`export(person)` and `anonymise_person(person)` walk every declaration; `anonymise(source, queryset)` does one.
A test (tests/accounts/test_retention.py) fails when a model linked to a person holds free text or a file and is
neither declared here nor listed in `NO_PERSONAL_DATA`, so a new model cannot be forgotten.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ANONYMISED = "[anonymisé]"
ANONYMISED_NAME = "Anonyme"
ANONYMISED_DATE = datetime.date(1900, 1, 1)

NAME = "name"
CONTACT = "contact"
FREE_TEXT = "free_text"
DATE = "date"
KEEP = "keep"


@dataclass(frozen=True)
class JsonText:
    """A JSON field whose strings under `keys` (at any depth) may hold names or free text; with no keys, every
    string of the value."""

    keys: tuple[str, ...] = ()

    def scrub(self, value, *, inside: bool = False):
        if isinstance(value, dict):
            return {k: self.scrub(v, inside=inside or not self.keys or k in self.keys) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v, inside=inside) for v in value]
        if isinstance(value, str) and value and (inside or not self.keys):
            return ANONYMISED
        return value


class Category(models.TextChoices):
    """Retention categories; each has a duration in months (settings.RETENTION_DEFAULT_MONTHS, per region in
    accounts.RetentionPolicy)."""

    PATHWAY = "pathway", _("Données nominatives d'un parcours clos (après la dernière activité)")
    FACILITATOR_NOTES = "facilitator_notes", _("Notes des animateur·rices (après la clôture du suivi)")
    ACCESS_LOG = "access_log", _("Journal des accès")
    TRANSMISSION_FILES = "transmission_files", _("Fichiers de transmission mensuels (états de présence)")
    DOCUMENTS = "documents", _("Comptes rendus de commission (après leur production)")
    EXPORTS = "exports", _("Exports du droit d'accès (après leur production)")


@dataclass(frozen=True)
class PersonalData:
    model: str
    person: str | tuple[str, ...] | None
    category: str
    label: str
    fields: dict = field(default_factory=dict)
    files: tuple[str, ...] = ()
    clock: str = ""
    confidential: bool = False
    author: str = ""
    orphan_clock: str = ""
    orphan_category: str = ""
    orphan_region: str = ""
    export_rows: Callable | None = None
    anonymise_rows: Callable | None = None
    region: str = ""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def for_person(self, person) -> models.QuerySet:
        manager = self.model_class._base_manager
        if self.person is None:
            return manager.none()
        if not self.person:
            return manager.filter(pk=person.pk)
        paths = (self.person,) if isinstance(self.person, str) else self.person
        match = models.Q()
        for path in paths:
            match |= models.Q(**{path: person})
        return manager.filter(match).distinct()

    def person_paths(self) -> tuple[str, ...]:
        if self.person is None:
            return ()
        return (self.person,) if isinstance(self.person, str) else tuple(self.person)

    def reaches_nobody(self) -> models.Q:
        """The rows that reach no person (every lookup to the person is empty)."""
        match = models.Q()
        for path in self.person_paths():
            match &= models.Q(**{f"{path}__isnull": True})
        return match

    def region_path(self) -> str:
        """The lookup to the region whose durations apply to a row."""
        if self.region:
            return self.region
        paths = self.person_paths()
        return f"{paths[0]}__region" if paths and paths[0] else "region"


_REGISTRY: dict[str, PersonalData] = {}

# Models linked to a person that hold free text or files but nothing about the person (checked by a test).
NO_PERSONAL_DATA: dict[str, str] = {}


def register(source: PersonalData) -> PersonalData:
    if source.model in _REGISTRY and _REGISTRY[source.model] != source:
        raise ValueError(f"{source.model} is already declared as personal data.")
    _REGISTRY[source.model] = source
    return source


def declare_no_personal_data(model: str, why: str) -> None:
    """`model` is linked to a person and holds text or files, but none of it is about the person (say why)."""
    NO_PERSONAL_DATA[model] = why


def sources() -> list[PersonalData]:
    return list(_REGISTRY.values())


def source(model: str) -> PersonalData:
    return _REGISTRY[model]


# --- Export ------------------------------------------------------------------------------------------------------


def _display(obj, name: str):
    model_field = obj._meta.get_field(name)
    if getattr(model_field, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if isinstance(model_field, models.ForeignKey):
        return str(value) if value is not None else ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _export_rows(src: PersonalData, queryset) -> list[dict]:
    model = src.model_class
    rows = []
    for obj in queryset.order_by("pk"):
        row = {str(model._meta.get_field(name).verbose_name): _display(obj, name) for name in src.fields}
        for name in src.files:
            stored = getattr(obj, name)
            row[str(model._meta.get_field(name).verbose_name)] = stored.name if stored else ""
        rows.append(row)
    return rows


def export(
    person,
    *,
    include_confidential: bool = False,
    released_by: int | None = None,
    only: Iterable[str] | None = None,
) -> list[dict]:
    """What the app holds about `person`: one section per declared source that has rows, each
    `{"model", "label", "category", "confidential", "rows": [{field label: value}]}`. Confidential sources only
    with `include_confidential`, and then only the rows written by `released_by` (an organisation id): a structure
    releases its own notes, never another's."""
    sections = []
    for src in sources():
        if src.confidential and not include_confidential:
            continue
        if only is not None and src.model not in only:
            continue
        queryset = src.for_person(person)
        if src.confidential:
            if not src.author:
                raise ValueError(f"{src.model} is confidential but names no author (the structure that wrote it).")
            queryset = queryset.filter(**{src.author: released_by}) if released_by is not None else queryset.none()
        rows = (src.export_rows or (lambda qs, src=src: _export_rows(src, qs)))(queryset)
        if rows:
            sections.append(
                {
                    "model": src.model,
                    "label": str(src.label),
                    "category": str(src.category),
                    "confidential": src.confidential,
                    "rows": rows,
                }
            )
    return sections


# --- Anonymisation -----------------------------------------------------------------------------------------------


def _replacement(kind, model_field, value):
    if kind == KEEP:
        return value
    if isinstance(kind, JsonText):
        return kind.scrub(value)
    if kind == NAME:
        return ANONYMISED_NAME[: model_field.max_length] if value else value
    if kind == CONTACT:
        return None if model_field.null and not isinstance(model_field, models.CharField) else ""
    if kind == FREE_TEXT:
        return ANONYMISED[: model_field.max_length or None] if value else value
    if kind == DATE:
        return None if model_field.null else ANONYMISED_DATE
    raise ValueError(f"Unknown kind of personal data: {kind!r}")


def _history_scrub(model, pks: list, names: Iterable[str]) -> int:
    """The change history (django-auditlog) of these rows keeps no stored value of the declared fields, and no
    representation of the row (it may be a name)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    names = set(names)
    if not pks:
        return 0
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_pk__in=[str(pk) for pk in pks],
    )
    changed = 0
    for entry in entries.iterator():
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        entry.changes = {
            key: ([ANONYMISED if v not in (None, "", "None") else v for v in values] if key in names else values)
            for key, values in changes.items()
        }
        entry.object_repr = ANONYMISED
        entry.changes_text = ""
        entry.serialized_data = None
        entry.save(update_fields=["changes", "object_repr", "changes_text", "serialized_data"])
        changed += 1
    return changed


def _anonymise_rows(src: PersonalData, queryset) -> int:
    model = src.model_class
    names = [name for name, kind in src.fields.items() if kind != KEEP]
    count = 0
    pks = []
    for obj in queryset.order_by("pk"):
        update = []
        for name in names:
            model_field = model._meta.get_field(name)
            new = _replacement(src.fields[name], model_field, getattr(obj, name))
            if new != getattr(obj, name):
                setattr(obj, name, new)
                update.append(model_field.attname)
        for name in src.files:
            stored = getattr(obj, name)
            if stored:
                stored.delete(save=False)  # from storage; the field is cleared below
                setattr(obj, name, "")
                update.append(name)
        if update:
            # Through the base manager, without `save()` side effects: a plain UPDATE of the changed columns.
            model._base_manager.filter(pk=obj.pk).update(**{n: getattr(obj, n) for n in update})
            count += 1
        pks.append(obj.pk)
    _history_scrub(model, pks, names + list(src.files))
    return count


def anonymise_fields(src: PersonalData, queryset) -> int:
    """The default anonymisation of these rows, field by field (for a source's own `anonymise_rows` that does more)."""
    return _anonymise_rows(src, queryset)


def anonymise(src: PersonalData, queryset) -> int:
    """Anonymise these rows of one source; returns how many rows changed. Running it again changes nothing."""
    return (src.anonymise_rows or (lambda qs: _anonymise_rows(src, qs)))(queryset)


def anonymise_person(person, *, categories: Iterable[str] | None = None) -> dict[str, int]:
    """Anonymise everything declared about `person` (in one transaction): {model label: rows changed}."""
    done = {}
    with transaction.atomic():
        for src in sources():
            if categories is not None and src.category not in categories:
                continue
            changed = anonymise(src, src.for_person(person))
            if changed:
                done[src.model] = changed
    return done


def _access_log_rows(queryset) -> list[dict]:
    """The access log as the person reads it: the page in words (« Fiche de la personne »), then its technical
    name."""
    src = source("accounts.AccessLog")
    model = src.model_class
    page = str(model._meta.get_field("view_name").verbose_name)
    rows = []
    for log in queryset.select_related("user", "acting_organisation").order_by("pk"):
        row = {str(model._meta.get_field(name).verbose_name): _display(log, name) for name in src.fields}
        row[page] = log.view_label
        row[str(_("nom technique de la page"))] = log.view_name
        rows.append(row)
    return rows


def declare() -> None:
    """This app's own: the access log says who read the person's record; it is never anonymised with the person
    (the person's rights include knowing who saw them) and is purged after its own duration (accounts.retention)."""
    register(
        PersonalData(
            model="accounts.AccessLog",
            person="beneficiary",
            category=Category.ACCESS_LOG,
            label=_("Journal des accès au dossier"),
            fields={"at": KEEP, "user": KEEP, "acting_organisation": KEEP, "view_name": KEEP, "action": KEEP},
            export_rows=_access_log_rows,
            anonymise_rows=lambda queryset: 0,
        )
    )
    # The rights of the person (issue 20): the notice handed over, the objections (their reason is free text), and
    # the documents built for them (the right-of-access export is kept a short while after its production).
    register(
        PersonalData(
            model="accounts.NoticeHandover",
            person="beneficiary",
            category=Category.PATHWAY,
            label=_("Remises de la notice d'information"),
            fields={"handed_at": KEEP, "method": KEEP, "language": KEEP},
        )
    )
    register(
        PersonalData(
            model="accounts.SharingObjection",
            person="beneficiary",
            category=Category.PATHWAY,
            label=_("Oppositions à un partage"),
            fields={"organisation": KEEP, "recorded_at": KEEP, "withdrawn_at": KEEP, "reason": FREE_TEXT},
        )
    )
    register(
        PersonalData(
            model="accounts.RightsDocument",
            person="beneficiary",
            category=Category.EXPORTS,
            label=_("Documents des droits de la personne"),
            fields={"kind": KEEP, "format": KEEP, "requested_at": KEEP, "error": FREE_TEXT},
            files=("file",),
            clock="requested_at",
        )
    )
