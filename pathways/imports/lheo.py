"""Sessions of the regional training offer, from a LHÉO file (the Carif-Oref's XML format).

`<lheo><offres><formation>` gives a training action of the importing training body (matched by title and
FORMACODE, else created), each `<action><session>` a session (matched by action and dates, else created):
`<periode><debut>`/`<fin>` (AAAAMMJJ), `<nombre-places>` (of the session, else of its action), the place from the
`<code-INSEE-commune>` of the action's `<lieu-de-formation>` (else of the session's `<adresse-inscription>`), which
also gives the basin of a new action. New sessions get their calendar from the attendance app's beat task
(`attendance.tasks.calendars_for_new_sessions_task`), as those created in the admin do.

The file is parsed with defusedxml: no DTD, no entity, no external reference.
"""

import datetime
import re

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathways.imports import FileRefused
from pathways.imports.rows import ImportFailed, Plan, PlanRow, RowError
from pathways.models import Commune, ImportFile, Organisation, Session, TrainingAction
from pathways.services.offer import session_create
from pathways.services.people import fold

MAX_SESSIONS = 2000


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _first(element, *path):
    """The first descendant along `path` (local names, namespaces ignored), or None."""
    current = [element]
    for name in path:
        current = [child for node in current for child in _children(node, name)]
        if not current:
            return None
    return current[0]


def _find_anywhere(element, name):
    if element is None:
        return None
    for node in element.iter():
        if _local(node.tag) == name:
            return node
    return None


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _date(value: str) -> datetime.date:
    if not re.fullmatch(r"\d{8}", value):
        raise ValueError(value)
    return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))


def _parse(content: bytes):
    try:
        root = SafeTree.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (SafeTree.ParseError, DefusedXmlException, ValueError) as error:
        message = _("Ce fichier n'est pas un fichier XML LHÉO lisible (%(error)s).") % {"error": error}
        raise FileRefused(message) from error
    if _local(root.tag) != "lheo":
        raise FileRefused(_("Ce fichier XML n'est pas au format LHÉO (élément racine « lheo » attendu)."))
    return root


def plan_sessions(*, content: bytes, organisation: Organisation) -> Plan:
    plan = Plan()
    try:
        root = _parse(content)
    except FileRefused as refused:
        plan.errors.append(RowError(0, "", "", refused.message))
        return plan
    formations = [f for offres in _children(root, "offres") for f in _children(offres, "formation")]
    actions = {
        (fold(a.title), a.formacode): a
        for a in TrainingAction.objects.filter(training_body=organisation).select_related("basin")
    }
    existing = set(
        Session.objects.filter(training_action__training_body=organisation).values_list(
            "training_action", "start_date", "end_date"
        )
    )
    codes = {_text(node) for node in root.iter() if _local(node.tag) == "code-INSEE-commune"}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes).select_related("basin")}
    count = 0
    new_actions = set()
    for f_index, formation in enumerate(formations, start=1):
        title = _text(_first(formation, "intitule-formation"))
        codes = [_text(node) for node in formation.iter() if _local(node.tag) == "code-FORMACODE"]
        formacode = next((code for code in codes if re.fullmatch(r"\d{5}", code)), "")
        where = _("Formation %(n)s « %(title)s »") % {"n": f_index, "title": title[:80]}
        if not title:
            plan.errors.append(RowError(0, "intitule-formation", "", _("intitulé manquant."), where=where))
            continue
        action = actions.get((fold(title[:200]), formacode))
        for a_index, action_element in enumerate(_children(formation, "action"), start=1):
            place = _find_anywhere(_first(action_element, "lieu-de-formation"), "code-INSEE-commune")
            action_places = _text(_first(action_element, "nombre-places"))
            hours_text = _text(_first(action_element, "nombre-heures-total"))
            hours = int(hours_text) if hours_text.isdigit() and 0 < int(hours_text) < 100000 else None
            for s_index, session_element in enumerate(_children(action_element, "session"), start=1):
                count += 1
                if count > MAX_SESSIONS:
                    plan.errors.append(
                        RowError(0, "", "", _("Ce fichier dépasse %(max)s sessions.") % {"max": MAX_SESSIONS})
                    )
                    return plan
                row = PlanRow(line=count, label=title[:200])
                numbers = {"where": where, "a": a_index, "s": s_index}
                session_where = _("%(where)s, action %(a)s, session %(s)s") % numbers

                def error(element_name, why, row=row, session_where=session_where):
                    row.errors.append(RowError(0, element_name, "", why, where=session_where))

                dates = {}
                for name in ("debut", "fin"):
                    value = _text(_first(session_element, "periode", name))
                    try:
                        dates[name] = _date(value)
                    except ValueError:
                        error(name, _("« %(value)s » n'est pas une date (AAAAMMJJ).") % {"value": value[:20]})
                if len(dates) == 2 and dates["fin"] < dates["debut"]:
                    error("fin", _("la fin précède le début."))
                places = _text(_first(session_element, "nombre-places")) or action_places
                capacity = int(places) if places.isdigit() else 0
                if not 0 < capacity < 10000:
                    why = _("nombre de places manquant ou invalide « %(value)s ».") % {"value": places[:20]}
                    error("nombre-places", why)
                code = _text(place) or _text(
                    _find_anywhere(_first(session_element, "adresse-inscription"), "code-INSEE-commune")
                )
                commune = communes.get(code)
                if code and commune is None:
                    error("code-INSEE-commune", _("commune inconnue « %(value)s ».") % {"value": code[:10]})
                elif commune is not None and commune.basin.region_id != organisation.region_id:
                    error("code-INSEE-commune", _("cette commune n'est pas dans la région de l'organisme."))
                if action is None and commune is None and not row.errors:
                    error(
                        "code-INSEE-commune",
                        _("lieu de formation manquant : il donne le bassin d'une nouvelle action de formation."),
                    )
                row.data = {
                    "title": title[:200],
                    "formacode": formacode,
                    "action": action,
                    "commune": commune,
                    "start": dates.get("debut"),
                    "end": dates.get("fin"),
                    "capacity": capacity,
                    "hours": hours,
                }
                new_action = action is None
                if action is not None and (action.pk, dates.get("debut"), dates.get("fin")) in existing:
                    row.action = _("Session existante, inchangée")
                    row.data["skip"] = True
                elif new_action and (fold(title[:200]), formacode) not in new_actions:
                    new_actions.add((fold(title[:200]), formacode))
                    row.action = _("Nouvelle action et nouvelle session")
                else:
                    row.action = _("Nouvelle session")
                if len(dates) == 2:
                    row.detail = f"{dates['debut']:%d/%m/%Y} – {dates['fin']:%d/%m/%Y}"
                plan.rows.append(row)
    if not formations or not plan.rows and not plan.errors:
        why = _("Ce fichier ne contient aucune session (<formation>/<action>/<session>).")
        plan.errors.append(RowError(0, "", "", why))
    return plan


def lheo_import_commit(*, import_file: ImportFile, by) -> dict:
    """Create the actions and sessions of a previewed LHÉO file, in one transaction: all or nothing."""
    organisation = import_file.organisation
    with transaction.atomic():
        plan = plan_sessions(content=bytes(import_file.content), organisation=organisation)
        if not plan.is_valid:
            raise ImportFailed(plan.all_errors)
        created_actions = {}
        sessions = actions = 0
        for row in plan.rows:
            data = row.data
            if data.get("skip"):
                continue
            try:
                action = data["action"] or created_actions.get((fold(data["title"]), data["formacode"]))
                if action is None:
                    action = TrainingAction(
                        training_body=organisation,
                        title=data["title"],
                        formacode=data["formacode"],
                        basin=data["commune"].basin,
                        hours=data.get("hours"),
                    )
                    # The funder is not in the file: the training body sets it on its action's page.
                    action.full_clean(exclude=["funder"])
                    action.save()
                    created_actions[(fold(data["title"]), data["formacode"])] = action
                    actions += 1
                if Session.objects.filter(
                    training_action=action, start_date=data["start"], end_date=data["end"]
                ).exists():
                    continue  # the same session twice in the file
                # Through the offer's service, as from the session form: its calendar is generated in this
                # transaction (attendance registers the listener).
                session_create(
                    action=action,
                    by=by,
                    start_date=data["start"],
                    end_date=data["end"],
                    capacity=data["capacity"],
                    commune=data["commune"],
                )
                sessions += 1
            except ValidationError as failure:
                raise ImportFailed([RowError(0, "", "", " ".join(failure.messages), where=row.label)]) from failure
        summary = {"actions": actions, "sessions": sessions}
        import_file.status = ImportFile.Status.DONE
        import_file.content = b""
        import_file.summary = summary
        import_file.confirmed_at = timezone.now()
        import_file.save(update_fields=["status", "content", "summary", "confirmed_at"])
    return summary
