"""People, their pathways, duplicate detection and join requests."""

import unicodedata

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccessLog
from accounts.services import access_log_record
from pathways.models import Beneficiary, JoinRequest, Membership, Organisation, Pathway, PathwayPartner, Stage

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
    """A likely duplicate, as shown to someone who may not see it: only who follows the person.

    `visible` tells whether the user may open the record (then `beneficiary` is set); otherwise only the
    organisations' names and a signed token to request joining the pathway are exposed.
    """

    def __init__(self, *, beneficiary, pathway, same_identity: bool, visible: bool, followed_by: list[str]):
        self.beneficiary = beneficiary if visible else None
        self.pathway = pathway if visible else None
        self._pathway_id = pathway.pk if pathway else None
        self.same_identity = same_identity
        self.visible = visible
        self.followed_by = followed_by

    def join_token(self, *, user, organisation, typed_name: str) -> str:
        return signing.dumps(
            {"p": self._pathway_id, "u": user.pk, "o": organisation.pk, "n": typed_name[:210]},
            salt=JOIN_TOKEN_SALT,
            compress=True,
        )


def find_duplicates(*, user, region, first_name, last_name, birth_date, email="", phone="", exclude=None):
    """Likely duplicates in `region`: same name and birth date, or same e-mail or phone.

    Looks across the whole region on purpose (a person may be followed elsewhere), and returns
    `DuplicateMatch` objects that reveal nothing of records outside `user`'s scope but who follows them.
    """
    condition = Q(name_key=name_key(first_name, last_name), birth_date=birth_date)
    if email:
        condition |= Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    candidates = Beneficiary.objects.filter(condition, region=region)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    candidates = list(candidates.order_by("pk")[:10])
    if not candidates:
        return []
    visible_ids = set(
        Beneficiary.objects.for_user(user).filter(pk__in=[c.pk for c in candidates]).values_list("pk", flat=True)
    )
    latest = {}
    for pathway in (
        Pathway.objects.filter(beneficiary__in=candidates)
        .select_related("opened_by", "prescribing_organisation")
        .order_by("beneficiary_id", "-opened_at")
    ):
        latest.setdefault(pathway.beneficiary_id, pathway)
    key = name_key(first_name, last_name)
    matches = []
    for candidate in candidates:
        pathway = latest.get(candidate.pk)
        followed_by = []
        if pathway is not None:
            for org in (pathway.prescribing_organisation, pathway.opened_by):
                if org is not None and org.name not in followed_by:
                    followed_by.append(org.name)
        matches.append(
            DuplicateMatch(
                beneficiary=candidate,
                pathway=pathway,
                same_identity=candidate.name_key == key and candidate.birth_date == birth_date,
                visible=candidate.pk in visible_ids,
                followed_by=followed_by,
            )
        )
    return matches


# --------------------------------------------------------------------------------------------------------------
# People and pathways


def _check_referent(referent, organisations: list[Organisation]) -> None:
    from pathways.scoping import PERSON_ROLES

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
