"""People, their pathways, duplicate detection and join requests."""

import datetime
import math
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AccessLog
from accounts.services import access_log_record
from core.text import REASON_MAX_LENGTH, check_length
from pathways.models import Beneficiary, JoinRequest, Membership, Organisation, Pathway, PathwayPartner, Stage
from pathways.scoping import PERSON_ROLES

User = get_user_model()

JOIN_TOKEN_SALT = "pathways.join-request"
JOIN_TOKEN_MAX_AGE = 2 * 3600


def fold(value: str) -> str:
    """Lower case, without accents, spaces, hyphens or apostrophes: "D'Ornano-Bénard" → "dornanobenard"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if c.isalnum()).lower()


def name_key(first_name: str, last_name: str) -> str:
    """Folded "last|first", so "Dupont-Bénard Zoé" meets "DUPONT BENARD zoe"."""
    return f"{fold(last_name)}|{fold(first_name)}"


# --------------------------------------------------------------------------------------------------------------
# Duplicate detection


class DuplicateMatch:
    """A likely duplicate, as shown to the user who is registering a person.

    `visible` tells whether the user may open the record (then `beneficiary` and `pathway` are set). Otherwise the
    match is by name and birth date, and only `organisation_name` (the organisation of the pathway's referent, the
    one to ask) and a signed token to request joining the pathway are exposed: not the person, not the referent,
    not the other organisations involved.
    """

    def __init__(
        self, *, beneficiary, pathway, same_identity: bool, visible: bool, organisation_name: str | None = None
    ):
        self.beneficiary = beneficiary if visible else None
        self.pathway = pathway if visible else None
        self._pathway_id = pathway.pk if pathway else None
        self.same_identity = same_identity
        self.visible = visible
        self.organisation_name = None if visible else organisation_name

    def join_token(self, *, user, organisation, typed_name: str) -> str:
        return signing.dumps(
            {"p": self._pathway_id, "u": user.pk, "o": organisation.pk, "n": typed_name[:210]},
            salt=JOIN_TOKEN_SALT,
            compress=True,
        )


DUPLICATE_CHECK_WINDOW = datetime.timedelta(hours=1)
DUPLICATE_CHECK_MAX_MATCHES = 10


@transaction.atomic
def duplicate_check(
    *,
    user,
    opened_by: Organisation,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    email: str = "",
    phone: str = "",
    view_name: str = "",
) -> list[DuplicateMatch]:
    """The likely duplicates of a person `user` is about to register for `opened_by`, in its region.

    - A person the user may already see matches by name and birth date, or by e-mail or phone; the user gets a
      link to the record.
    - A person outside the user's scope matches only by name *and* birth date, and then only the organisation of
      their referent is named. An e-mail or a phone number alone says nothing about them: otherwise a phone number
      would tell which organisations (Cap emploi, a Département's social services) follow someone.

    Every check writes the access log (`AccessLog.Action.DUPLICATE_CHECK`: one row per person found by name and
    birth date, one row without a person when none was), and those rows bound the checks a user may run in an hour
    (`settings.DUPLICATE_CHECKS_PER_HOUR`), across processes. Past the limit, a `ValidationError` says when to retry.
    """
    errors = {}
    if not fold(first_name):
        errors["first_name"] = _("Indiquez le prénom de la personne.")
    if not fold(last_name):
        errors["last_name"] = _("Indiquez le nom de la personne.")
    if birth_date is None:
        errors["birth_date"] = _("Indiquez la date de naissance de la personne.")
    if errors:
        raise ValidationError(errors)
    if not Membership.objects.active().filter(user=user, organisation=opened_by).exists():
        raise ValidationError({"opened_by": _("Vous n'êtes pas membre actif de cette structure.")})
    _duplicate_check_allow(user)

    key = name_key(first_name, last_name)
    in_scope = Beneficiary.objects.for_user(user).filter(region=opened_by.region_id)
    by_identity = list(
        Beneficiary.objects.filter(region=opened_by.region_id, name_key=key, birth_date=birth_date).order_by("pk")[
            :DUPLICATE_CHECK_MAX_MATCHES
        ]
    )
    visible_ids = set(in_scope.filter(pk__in=[c.pk for c in by_identity]).values_list("pk", flat=True))
    contact = Q(email__iexact=email) if email else Q()
    if phone:
        contact |= Q(phone=phone)
    by_contact = []
    if contact:
        # Only among the people the user already sees: a contact detail never reaches a record outside scope.
        by_contact = list(
            in_scope.filter(contact)
            .exclude(pk__in=[c.pk for c in by_identity])
            .order_by("pk")[: DUPLICATE_CHECK_MAX_MATCHES - len(by_identity)]
        )
        visible_ids |= {c.pk for c in by_contact}

    for person in by_identity or [None]:
        access_log_record(
            user=user,
            beneficiary=person,
            view_name=view_name,
            acting_organisation=opened_by,
            action=AccessLog.Action.DUPLICATE_CHECK,
        )

    candidates = sorted(by_identity + by_contact, key=lambda c: c.pk)
    if not candidates:
        return []
    latest = {}
    for pathway in (
        Pathway.objects.filter(beneficiary__in=candidates)
        .select_related("opened_by")
        .order_by("beneficiary_id", "-opened_at")
    ):
        latest.setdefault(pathway.beneficiary_id, pathway)
    matches = []
    for candidate in candidates:
        pathway = latest.get(candidate.pk)
        visible = candidate.pk in visible_ids
        organisation = None
        if not visible and pathway is not None:
            organisation = referent_organisation(pathway)
        matches.append(
            DuplicateMatch(
                beneficiary=candidate,
                pathway=pathway,
                same_identity=candidate.name_key == key and candidate.birth_date == birth_date,
                visible=visible,
                organisation_name=organisation.name if organisation is not None else None,
            )
        )
    return matches


def _duplicate_check_allow(user) -> None:
    """Refuse a check past `settings.DUPLICATE_CHECKS_PER_HOUR` in the last hour (counted in the access log).

    The user's row is locked first, so two checks of the same user in two processes are counted one after the
    other (PostgreSQL; SQLite writes one transaction at a time anyway).
    """
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    limit = settings.DUPLICATE_CHECKS_PER_HOUR
    now = timezone.now()
    recent = AccessLog.objects.filter(
        user=user, action=AccessLog.Action.DUPLICATE_CHECK, at__gt=now - DUPLICATE_CHECK_WINDOW
    )
    count = recent.count()
    if count < limit:
        return
    # A check becomes possible again when enough of the recent ones have left the window.
    frees_at = recent.order_by("at").values_list("at", flat=True)[count - limit] + DUPLICATE_CHECK_WINDOW
    minutes = max(1, math.ceil((frees_at - now).total_seconds() / 60))
    raise ValidationError(
        ngettext(
            "Vous avez lancé %(limit)s recherches de doublon en une heure : c'est la limite, qui protège les personnes "
            "suivies. Réessayez dans %(minutes)s minute.",
            "Vous avez lancé %(limit)s recherches de doublon en une heure : c'est la limite, qui protège les personnes "
            "suivies. Réessayez dans %(minutes)s minutes.",
            minutes,
        )
        % {"limit": limit, "minutes": minutes},
        code="duplicate_check_limit",
    )


def referent_organisation(pathway: Pathway) -> Organisation:
    """The organisation to ask about `pathway`: the one its referent works for.

    Among the pathway's organisations where the referent holds a person-facing role: an active membership first,
    then the organisation that opened the pathway, then the prescriber. The opener when the referent has none.
    """
    memberships = Membership.objects.filter(
        user_id=pathway.referent_id, organisation__in=pathway_organisations(pathway), role__in=PERSON_ROLES
    ).select_related("organisation")

    def rank(membership):
        return (
            not (membership.is_active and membership.organisation.is_active),
            membership.organisation_id != pathway.opened_by_id,
            membership.organisation_id != pathway.prescribing_organisation_id,
            membership.organisation.name,
        )

    best = min(memberships, key=rank, default=None)
    return best.organisation if best is not None else pathway.opened_by


# --------------------------------------------------------------------------------------------------------------
# People and pathways


def _check_referent(referent, organisations: list[Organisation]) -> None:
    members = Membership.objects.active().filter(user=referent, organisation__in=organisations, role__in=PERSON_ROLES)
    if not members.exists():
        raise ValidationError(
            {"referent": _("Le ou la référent·e doit être membre actif d'une structure associée au parcours.")}
        )


def _check_adviser(adviser, prescribing_organisation) -> None:
    if adviser is None:
        return
    if prescribing_organisation is None:
        raise ValidationError({"prescribing_adviser": _("Choisissez d'abord la structure prescriptrice.")})
    if not (
        Membership.objects.active()
        .filter(user=adviser, organisation=prescribing_organisation, role=Membership.Role.PRESCRIBER_ADVISER)
        .exists()
    ):
        raise ValidationError(
            {"prescribing_adviser": _("Ce·tte conseiller·ère n'est pas membre actif de la structure prescriptrice.")}
        )


@transaction.atomic
def pathway_open(
    *,
    by,
    opened_by: Organisation,
    beneficiary: Beneficiary,
    referent,
    prescribing_organisation: Organisation | None = None,
    prescribing_adviser=None,
    view_name: str = "",
) -> Pathway:
    if Pathway.objects.filter(beneficiary=beneficiary, status=Pathway.Status.OPEN).exists():
        raise ValidationError(_("Cette personne a déjà un parcours en cours."))
    if prescribing_organisation is not None and prescribing_organisation.kind != Organisation.Kind.PRESCRIBER:
        raise ValidationError({"prescribing_organisation": _("Choisissez une structure prescriptrice.")})
    _check_adviser(prescribing_adviser, prescribing_organisation)
    _check_referent(referent, [org for org in (opened_by, prescribing_organisation) if org is not None])
    pathway = Pathway(
        beneficiary=beneficiary,
        referent=referent,
        opened_by=opened_by,
        prescribing_organisation=prescribing_organisation,
        prescribing_adviser=prescribing_adviser,
        created_by=by,
    )
    pathway.full_clean()
    pathway.save()
    access_log_record(
        user=by,
        beneficiary=beneficiary,
        view_name=view_name,
        acting_organisation=opened_by,
        action=AccessLog.Action.CREATE,
    )
    return pathway


@transaction.atomic
def beneficiary_create(*, by, opened_by: Organisation, identity: dict, view_name: str = "", **pathway_fields):
    """Create a person and open their pathway in one go: a person never exists without a thread."""
    beneficiary = Beneficiary(
        **identity,
        region=opened_by.region,
        name_key=name_key(identity["first_name"], identity["last_name"]),
        created_by=by,
    )
    beneficiary.full_clean()
    beneficiary.save()
    return pathway_open(by=by, opened_by=opened_by, beneficiary=beneficiary, view_name=view_name, **pathway_fields)


@transaction.atomic
def beneficiary_update(*, beneficiary: Beneficiary, by, **identity) -> Beneficiary:
    for field, value in identity.items():
        setattr(beneficiary, field, value)
    beneficiary.name_key = name_key(beneficiary.first_name, beneficiary.last_name)
    beneficiary.full_clean()
    beneficiary.save()
    return beneficiary


@transaction.atomic
def pathway_update(*, pathway: Pathway, by, referent, prescribing_organisation, prescribing_adviser) -> Pathway:
    if pathway.status != Pathway.Status.OPEN:
        raise ValidationError(_("Ce parcours est clôturé : il ne peut plus être modifié."))
    if prescribing_organisation is not None and prescribing_organisation.kind != Organisation.Kind.PRESCRIBER:
        raise ValidationError({"prescribing_organisation": _("Choisissez une structure prescriptrice.")})
    _check_adviser(prescribing_adviser, prescribing_organisation)
    if referent != pathway.referent:
        _check_referent(referent, pathway_organisations(pathway))
    pathway.referent = referent
    pathway.prescribing_organisation = prescribing_organisation
    pathway.prescribing_adviser = prescribing_adviser
    pathway.full_clean()
    pathway.save(update_fields=["referent", "prescribing_organisation", "prescribing_adviser"])
    return pathway


def pathway_organisations(pathway: Pathway) -> list[Organisation]:
    """Every organisation involved in a pathway: opener, prescriber, stage holders, partners."""
    return list(
        Organisation.objects.filter(
            Q(pk=pathway.opened_by_id)
            | Q(pk=pathway.prescribing_organisation_id)
            | Q(stages__pathway=pathway)
            | Q(partner_pathways__pathway=pathway)
        )
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def pathway_close(*, pathway: Pathway, by, reason: str) -> Pathway:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status != Pathway.Status.OPEN:
        raise ValidationError(_("Ce parcours est déjà clôturé."))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la clôture.")})
    check_length(reason.strip(), max_length=REASON_MAX_LENGTH, field="reason")
    if pathway.stages.filter(status__in=Stage.ACTIVE_STATUSES).exists():
        raise ValidationError(
            _("Des étapes sont encore prévues, en cours ou suspendues : enregistrez leur sortie avant de clôturer.")
        )
    pathway.status = Pathway.Status.CLOSED
    pathway.closed_at = timezone.now()
    pathway.closure_reason = reason.strip()
    pathway.save(update_fields=["status", "closed_at", "closure_reason"])
    return pathway


# --------------------------------------------------------------------------------------------------------------
# Join requests


def join_token_read(token: str, *, user) -> tuple[Pathway, Organisation, str]:
    """The pathway, organisation and typed name a duplicate-check token was issued for, to `user` only."""
    try:
        data = signing.loads(token, salt=JOIN_TOKEN_SALT, max_age=JOIN_TOKEN_MAX_AGE)
    except signing.BadSignature as error:
        raise ValidationError(
            _("Cette demande a expiré. Recommencez la saisie de la personne pour vérifier à nouveau.")
        ) from error
    if data.get("u") != user.pk:
        raise ValidationError(_("Cette demande ne vous est pas destinée."))
    pathway = Pathway.objects.filter(pk=data.get("p")).first()
    organisation = Organisation.objects.filter(pk=data.get("o")).first()
    if pathway is None or organisation is None:
        raise ValidationError(_("Le parcours demandé n'existe plus."))
    return pathway, organisation, data.get("n", "")


@transaction.atomic
def join_request_create(
    *, pathway: Pathway, organisation: Organisation, by, typed_name: str, message: str = ""
) -> JoinRequest:
    if not Membership.objects.active().filter(user=by, organisation=organisation).exists():
        raise ValidationError(_("Vous n'êtes pas membre actif de cette structure."))
    if pathway.partners.filter(organisation=organisation).exists():
        raise ValidationError(_("Votre structure est déjà associée à ce parcours."))
    if pathway.join_requests.filter(organisation=organisation, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(_("Une demande de votre structure est déjà en attente pour ce parcours."))
    request = JoinRequest(
        pathway=pathway,
        organisation=organisation,
        requested_by=by,
        typed_name=typed_name,
        message=message.strip(),
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, by, accept: bool, comment: str = "") -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update(of=("self",)).select_related("pathway").get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    if join_request.pathway.referent_id != by.pk:
        raise ValidationError(_("Seul·e le ou la référent·e du parcours peut répondre à cette demande."))
    check_length(comment.strip(), max_length=REASON_MAX_LENGTH, field="comment")
    join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.REFUSED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.decision_comment = comment.strip()
    join_request.save()
    if accept:
        PathwayPartner.objects.get_or_create(
            pathway=join_request.pathway, organisation=join_request.organisation, defaults={"added_by": by}
        )
    return join_request
