"""People with their enrolment, from a CSV or XLSX file.

Columns (French headers; English accepted): nom, prénom, date de naissance (JJ/MM/AAAA), e-mail, téléphone, commune
(INSEE code or name), session (its number or its label as the app shows it), date d'entrée. Each line creates the
person (with a pathway opened by the training body, the importer as referent) or reuses the one the importer already
follows (same name and birth date: the rule of `pathways.services.people.duplicate_check`), then plans a training
stage in the session, through `pathways.services.people` and `pathways.services.stages` as the pages do.
"""

import csv
import datetime
import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access_log
from accounts.models import AccessLog
from pathways import scoping
from pathways.imports import MAX_ROWS, FileRefused
from pathways.imports.rows import ImportFailed, Plan, PlanRow, RowError
from pathways.models import Beneficiary, Commune, Enrolment, ImportFile, Organisation, Pathway, Session, Stage
from pathways.services import people as people_services
from pathways.services import stages as stage_services
from pathways.services.people import fold, name_key
from pathways.validators import normalize_phone

# The columns: key → (the header shown in messages, the folded headers recognised, required).
COLUMNS = {
    "last_name": (gettext_lazy("nom"), {"nom", "nomdefamille", "lastname", "surname", "familyname"}, True),
    "first_name": (gettext_lazy("prénom"), {"prenom", "firstname", "givenname"}, True),
    "birth_date": (gettext_lazy("date de naissance"), {"datedenaissance", "birthdate", "dateofbirth"}, True),
    "email": (gettext_lazy("e-mail"), {"email", "courriel", "mail", "adressemail"}, False),
    "phone": (gettext_lazy("téléphone"), {"telephone", "tel", "phone", "portable", "mobile"}, False),
    "commune": (
        gettext_lazy("commune"),
        {"commune", "communederesidence", "codeinsee", "town", "city", "municipality"},
        False,
    ),
    "session": (gettext_lazy("session"), {"session", "numerodesession", "sessionid"}, True),
    "entry_date": (gettext_lazy("date d'entrée"), {"datedentree", "entrydate", "startdate", "datedebut"}, True),
}
# The header line of the template the app serves (docs/imports.md).
TEMPLATE_HEADERS = ["nom", "prénom", "date de naissance", "e-mail", "téléphone", "commune", "session", "date d'entrée"]
TEMPLATE_EXAMPLE = ["Exemple", "Léa", "17/05/2001", "camille@example.org", "0612345678", "33119", "12", "05/01/2026"]
# A sheet's columns read at most (an XLSX file may declare thousands).
MAX_COLUMNS = 30
# The uncompressed size an XLSX file may reach (it is a zip: a small file may expand hugely).
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024


# --------------------------------------------------------------------------------------------------------------
# Reading the table


def _cell(value) -> str | datetime.date:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # French Excel saves "CSV (séparateur : point-virgule)" in Windows-1252.
        return content.decode("cp1252", errors="replace")


def _csv_rows(content: bytes):
    try:
        text = _decode(content)
    except UnicodeDecodeError as error:
        raise FileRefused(_("Ce fichier CSV n'est pas lisible (encodage inconnu).")) from error
    if "\x00" in text:
        raise FileRefused(_("Ce fichier n'est pas un fichier CSV."))
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [_cell(value) for value in row[:MAX_COLUMNS]]
    except csv.Error as error:
        raise FileRefused(_("Ce fichier CSV est mal formé : %(error)s") % {"error": error}) from error


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise FileRefused(_("Ce classeur est trop volumineux une fois décompressé."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds of errors on a broken file
        raise FileRefused(_("Ce fichier n'est pas un classeur Excel (XLSX) lisible.")) from error
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()


def read_table(content: bytes, filename: str):
    """The lines of the file's first table, as lists of cells (str or date)."""
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    return _csv_rows(content)


# --------------------------------------------------------------------------------------------------------------
# Values


DATE_PATTERN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = DATE_PATTERN.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = ISO_PATTERN.match(text)
        if not match:
            raise ValueError(text)
        year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def _text(value) -> str:
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


# --------------------------------------------------------------------------------------------------------------
# The plan


class _Context:
    """What the rows are checked against, read once for the whole file (a bounded number of queries)."""

    def __init__(self, *, user, organisation: Organisation, rows: list[tuple[int, dict]]):
        self.user = user
        self.organisation = organisation
        sessions = list(
            Session.objects.filter(training_action__training_body=organisation).select_related("training_action")
        )
        self.sessions_by_id = {str(session.pk): session for session in sessions}
        self.sessions_by_label = {}
        for session in sessions:
            for label in {fold(session.label), fold(str(session))} - {""}:
                self.sessions_by_label.setdefault(label, []).append(session)
        self.seats_taken = dict(
            Enrolment.objects.filter(session__in=sessions, stage__status__in=Stage.ACTIVE_STATUSES)
            .values_list("session")
            .annotate(n=Count("pk"))
        )
        codes = {row["commune"] for _line, row in rows if re.fullmatch(r"\d[\dAB]\d{3}", str(row.get("commune", "")))}
        names = {fold(str(row.get("commune", ""))) for _line, row in rows} - {""}
        self.communes_by_code = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        self.communes_by_name = {}
        if names - set(self.communes_by_code):
            for commune in Commune.objects.filter(basin__region=organisation.region_id):
                key = fold(commune.name)
                if key in names:
                    self.communes_by_name.setdefault(key, []).append(commune)
        keys = {name_key(str(row.get("first_name", "")), str(row.get("last_name", ""))) for _line, row in rows}
        candidates = list(Beneficiary.objects.filter(region=organisation.region_id, name_key__in=keys))
        visible = set(
            Beneficiary.objects.for_user(user).filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True)
        )
        self.people = {}
        for person in candidates:
            self.people.setdefault((person.name_key, person.birth_date), []).append(person)
        self.visible = visible
        self.open_pathways = {
            pathway.beneficiary_id: pathway
            for pathway in Pathway.objects.filter(beneficiary__in=visible, status=Pathway.Status.OPEN)
        }
        self.enrolled = set(
            Enrolment.objects.filter(
                session__in=sessions,
                stage__pathway__beneficiary__in=visible,
                stage__status__in=Stage.ACTIVE_STATUSES,
            ).values_list("stage__pathway__beneficiary", "session")
        )


def _header_map(header: list) -> tuple[dict[str, int], list[RowError]]:
    positions = {}
    for index, title in enumerate(header):
        folded = fold(_text(title))
        for key, (_label, names, _required) in COLUMNS.items():
            if folded in names and key not in positions:
                positions[key] = index
    errors = [
        RowError(1, str(label), "", _("cette colonne obligatoire est absente de la première ligne."))
        for key, (label, _names, required) in COLUMNS.items()
        if required and key not in positions
    ]
    return positions, errors


def plan_people(*, content: bytes, filename: str, organisation: Organisation, user) -> Plan:
    """What importing the file would do, line by line, with every error; reads only (the access log aside)."""
    plan = Plan()
    try:
        lines = read_table(content, filename)
        header = next(lines, None)
        while header is not None and not any(_text(cell).strip() for cell in header):
            header = next(lines, None)
        if header is None:
            plan.errors.append(RowError(0, "", "", _("Ce fichier ne contient aucune ligne.")))
            return plan
        positions, header_errors = _header_map(header)
        if header_errors:
            plan.errors.extend(header_errors)
            return plan
        rows = []
        for number, cells in enumerate(lines, start=2):
            if not any(_text(cell).strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                plan.errors.append(
                    RowError(
                        0,
                        "",
                        "",
                        _("Ce fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.") % {"max": MAX_ROWS},
                    )
                )
                return plan
            rows.append((number, {key: cells[index] if index < len(cells) else "" for key, index in positions.items()}))
    except FileRefused as refused:
        plan.errors.append(RowError(0, "", "", refused.message))
        return plan
    if not rows:
        plan.errors.append(RowError(0, "", "", _("Ce fichier ne contient aucune personne à importer.")))
        return plan
    context = _Context(user=user, organisation=organisation, rows=rows)
    seen = {}
    seats = dict(context.seats_taken)
    for number, values in rows:
        row = _plan_row(number, values, context, seen, seats)
        plan.rows.append(row)
        if row.data.get("person") is not None:
            plan.people_shown.append(row.data["person"])
    out_of_scope = [row.data["other_person"] for row in plan.rows if row.data.get("other_person") is not None]
    if out_of_scope and _over_duplicate_limit(user, len(out_of_scope)):
        # The people form allows `DUPLICATE_CHECKS_PER_HOUR` checks an hour; a file must not be a way around it to
        # learn who is followed elsewhere: past the limit, no line says which person matched.
        plan.rows = []
        plan.people_shown = []
        why = _(
            "Ce fichier contient trop de personnes déjà suivies par d'autres structures (limite des recherches de "
            "doublon par heure) : retirez-les, ou enregistrez-les depuis la page « Nouvelle personne »."
        )
        plan.errors.append(RowError(0, "", "", why))
    if out_of_scope:
        # As the people form's duplicate check does: who was found outside the importer's scope is traceable.
        access_log.record_many(
            user=user,
            people=[(person, organisation.pk) for person in out_of_scope],
            view_name="pathways:import_preview",
            action=AccessLog.Action.DUPLICATE_CHECK,
        )
    return plan


def _over_duplicate_limit(user, count: int) -> bool:
    recent = AccessLog.objects.filter(
        user=user,
        action=AccessLog.Action.DUPLICATE_CHECK,
        at__gt=timezone.now() - people_services.DUPLICATE_CHECK_WINDOW,
    ).count()
    return recent + count > settings.DUPLICATE_CHECKS_PER_HOUR


def _plan_row(number: int, values: dict, context: _Context, seen: dict, seats: dict) -> PlanRow:
    row = PlanRow(line=number)

    def error(key, why):
        row.errors.append(RowError(number, str(COLUMNS[key][0]), _text(values.get(key, "")), why))

    def quoted(key):
        return _text(values.get(key, ""))

    first_name, last_name = _text(values.get("first_name", "")).strip(), _text(values.get("last_name", "")).strip()
    for key, value in (("last_name", last_name), ("first_name", first_name)):
        if not fold(value):
            error(key, _("valeur manquante."))
        elif len(value) > 100:
            error(key, _("100 caractères au plus."))
    dates = {}
    for key in ("birth_date", "entry_date"):
        if not quoted(key).strip():
            error(key, _("valeur manquante."))
            continue
        try:
            dates[key] = parse_date(values[key])
        except ValueError:
            error(key, _("« %(value)s » n'est pas une date (JJ/MM/AAAA).") % {"value": quoted(key)})
    email = quoted("email").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("« %(value)s » n'est pas une adresse e-mail.") % {"value": email})
    phone = quoted("phone").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            error("phone", _("« %(value)s » n'est pas un numéro de téléphone valide.") % {"value": quoted("phone")})
    commune = None
    typed_commune = quoted("commune").strip()
    if typed_commune:
        commune = context.communes_by_code.get(typed_commune)
        if commune is None:
            matches = context.communes_by_name.get(fold(typed_commune), [])
            if len(matches) == 1:
                commune = matches[0]
            elif matches:
                error("commune", _("plusieurs communes portent ce nom : indiquez son code INSEE."))
            else:
                error("commune", _("commune inconnue « %(value)s ».") % {"value": typed_commune})
    session = None
    typed_session = quoted("session").strip()
    if not typed_session:
        error("session", _("valeur manquante."))
    else:
        session = context.sessions_by_id.get(typed_session.lstrip("#"))
        if session is None:
            matches = context.sessions_by_label.get(fold(typed_session), [])
            if len(matches) == 1:
                session = matches[0]
            elif matches:
                error("session", _("plusieurs sessions portent ce libellé : indiquez son numéro."))
            else:
                # A session of another organisation is unknown here: its name is never shown.
                error("session", _("session inconnue « %(value)s ».") % {"value": typed_session})
    entry_date = dates.get("entry_date")
    if session is not None and entry_date is not None and not session.start_date <= entry_date <= session.end_date:
        error(
            "entry_date",
            _("la date d'entrée doit être comprise dans la session (du %(start)s au %(end)s).")
            % {"start": f"{session.start_date:%d/%m/%Y}", "end": f"{session.end_date:%d/%m/%Y}"},
        )

    birth_date = dates.get("birth_date")
    person = pathway = None
    if fold(first_name) and fold(last_name) and birth_date is not None:
        key = (name_key(first_name, last_name), birth_date)
        if key in seen:
            why = _("même personne que la ligne %(line)s (nom et date de naissance).") % {"line": seen[key]}
            row.errors.append(RowError(number, "", "", why))
        else:
            seen[key] = number
        matches = context.people.get(key, [])
        visible = [p for p in matches if p.pk in context.visible]
        if visible:
            person = visible[0]
            pathway = context.open_pathways.get(person.pk)
            if pathway is not None and not scoping.can_manage_pathway(context.user, pathway):
                row.errors.append(
                    RowError(
                        number,
                        "",
                        "",
                        _(
                            "%(name)s a un parcours en cours suivi par une autre structure : demandez à son ou sa "
                            "référent·e de prévoir l'étape."
                        )
                        % {"name": person.full_name},
                    )
                )
            if session is not None and (person.pk, session.pk) in context.enrolled:
                why = _("%(name)s est déjà inscrit·e dans cette session.") % {"name": person.full_name}
                row.errors.append(RowError(number, "", "", why))
        elif matches:
            row.data["other_person"] = matches[0]
            row.errors.append(
                RowError(
                    number,
                    "",
                    "",
                    _(
                        "une personne de même nom et même date de naissance est déjà suivie par une autre structure : "
                        "enregistrez-la depuis la page « Nouvelle personne » pour demander à rejoindre son parcours."
                    ),
                )
            )
    if session is not None:
        seats[session.pk] = seats.get(session.pk, 0) + 1
        if seats[session.pk] > session.capacity:
            error("session", _("cette session est complète (%(n)s places).") % {"n": session.capacity})

    row.label = f"{first_name} {last_name.upper()}".strip()
    row.detail = str(session) if session is not None else ""
    if person is not None:
        row.action = _("Personne déjà suivie : nouvelle étape")
        if pathway is None:
            row.action = _("Personne déjà suivie : nouveau parcours")
    else:
        row.action = _("Nouvelle personne")
    row.data.update(
        person=person,
        pathway=pathway,
        session=session,
        entry_date=entry_date,
        identity={
            "first_name": first_name,
            "last_name": last_name,
            "birth_date": birth_date,
            "email": email,
            "phone": phone if not [e for e in row.errors if e.column == str(COLUMNS["phone"][0])] else "",
            "commune": commune,
        },
    )
    return row


# --------------------------------------------------------------------------------------------------------------
# The confirmation


def people_import_commit(*, import_file: ImportFile, by, view_name: str = "") -> dict:
    """Write every line of a previewed file, in one transaction: all or nothing. Raises `ImportFailed` with the
    errors (the plan's, or the one a service raised at some line) and then nothing is written."""
    with transaction.atomic():
        plan = plan_people(
            content=bytes(import_file.content),
            filename=import_file.filename,
            organisation=import_file.organisation,
            user=by,
        )
        if not plan.is_valid:
            raise ImportFailed(plan.all_errors)
        organisation = import_file.organisation
        created = reused = 0
        for row in plan.rows:
            data = row.data
            try:
                if data["person"] is None:
                    pathway = people_services.beneficiary_create(
                        by=by, opened_by=organisation, identity=data["identity"], referent=by, view_name=view_name
                    )
                    created += 1
                else:
                    reused += 1
                    pathway = data["pathway"] or people_services.pathway_open(
                        by=by, opened_by=organisation, beneficiary=data["person"], referent=by, view_name=view_name
                    )
                stage_services.stage_plan(
                    pathway=pathway,
                    by=by,
                    kind=Stage.Kind.QUALIFYING_TRAINING,
                    organisation=organisation,
                    planned_start=data["entry_date"],
                    planned_end=data["session"].end_date,
                    session=data["session"],
                )
            except ValidationError as failure:
                raise ImportFailed([RowError(row.line, "", "", " ".join(failure.messages))]) from failure
        summary = {"created": created, "reused": reused, "enrolled": len(plan.rows)}
        _mark_done(import_file, summary)
    return summary


def _mark_done(import_file: ImportFile, summary: dict) -> None:
    import_file.status = ImportFile.Status.DONE
    import_file.content = b""
    import_file.summary = summary
    import_file.confirmed_at = timezone.now()
    import_file.save(update_fields=["status", "content", "summary", "confirmed_at"])
