"""Writes of the charter: signing, the decision on a signature, withdrawal, drafting and publishing a version of a
region's charter, reminders.

Each is keyword-only and atomic, and raises `ValidationError` with a message a user can act on. Who may do what is
answered here too (`can_sign`, `can_decide`, `can_publish`), inside the scoping layer's answer to who may see what.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from charter import gate, reference
from charter.models import (
    CharterReminder,
    CharterVersion,
    Commitment,
    Signature,
    SignatureCopy,
    SignatureEvent,
    digest_of,
    new_verification_code,
    normalize_text,
)
from charter.notifications import CHARTER_DECISION, CHARTER_PUBLISHED, CHARTER_REMINDER
from charter.status import OrganisationStatus, organisation_statuses
from core.documents import document_enqueue
from notifications.models import Notification
from notifications.services import notify
from pathways import scoping
from pathways.models import Membership, Organisation, Region

Role = Membership.Role
Kind = SignatureEvent.Kind
CHANNELS = [Notification.Channel.IN_APP, Notification.Channel.EMAIL]
# Regional staff: the regional officers of the organisation that runs the scheme in a region decide, remind, draft
# and publish there; the regional officers and basin coordinators of the region's funders follow the signatures.
DECIDING_ROLES = frozenset({Role.REGIONAL_OFFICER})
FOLLOWING_ROLES = frozenset({Role.REGIONAL_OFFICER, Role.BASIN_COORDINATOR})
MAX_GRACE_DAYS = 365


# --------------------------------------------------------------------------------------------------------------
# Who may


def signing_organisations(user) -> list[Organisation]:
    """The organisations `user` may sign the charter for: those where they are the legal representative."""
    orgs = {m.organisation_id: m.organisation for m in scoping.active_memberships(user) if m.is_legal_representative}
    return sorted(orgs.values(), key=lambda org: org.name)


def can_sign(user, organisation: Organisation) -> bool:
    return any(org.pk == organisation.pk for org in signing_organisations(user))


def regions_followed(user) -> set[int]:
    """Regions whose signatures `user` follows (regional officers and basin coordinators of a funder)."""
    return scoping.region_ids(user, roles=FOLLOWING_ROLES, kinds={Organisation.Kind.FUNDER})


def _scheme_memberships(user):
    """The active regional officer memberships of `user` in an organisation that runs the scheme in its region."""
    return [
        m
        for m in scoping.active_memberships(user)
        if m.role in DECIDING_ROLES
        and m.organisation.kind == Organisation.Kind.FUNDER
        and m.organisation.region.scheme_organisation_id == m.organisation_id
    ]


def regions_decided(user) -> set[int]:
    """Regions where `user` validates or refuses signatures, reminds, drafts and publishes versions: those whose
    scheme organisation (`Region.scheme_organisation`) they are a regional officer of."""
    return {m.organisation.region_id for m in _scheme_memberships(user)}


def is_platform_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def can_decide(user, signature: Signature) -> bool:
    """Who validates or refuses a signature: the regional officers of the organisation that runs the scheme in the
    signature's region, never for their own organisation. Where no organisation may (the region names no scheme
    organisation, or the signature is the scheme organisation's own), a platform administrator decides, and only
    there: nobody validates their own commitment."""
    region = signature.organisation.region
    if region.scheme_organisation_id is None or signature.organisation_id == region.scheme_organisation_id:
        return is_platform_admin(user)
    return region.pk in regions_decided(user)


def validator_of(organisation: Organisation) -> Organisation | None:
    """The organisation whose regional officers validate `organisation`'s signatures: its region's scheme
    organisation, unless there is none or it is `organisation` itself (then None: a platform administrator)."""
    scheme = organisation.region.scheme_organisation
    if scheme is None or scheme.pk == organisation.pk:
        return None
    return scheme


def can_publish(user, region) -> bool:
    """Drafting and publishing a version of `region`'s charter (a Region or its id)."""
    return getattr(region, "pk", region) in regions_decided(user)


def deciding_organisation(user, signature: Signature) -> Organisation | None:
    """On whose behalf `user` decides on `signature`: the region's scheme organisation, or None for a platform
    administrator."""
    region_id = signature.organisation.region_id
    return next((m.organisation for m in _scheme_memberships(user) if m.organisation.region_id == region_id), None)


def signatories_of(organisation_ids) -> dict[int, list]:
    """Who hears about an organisation's charter: its legal representatives, or its managers when it has none.
    {organisation id: [users]}."""
    memberships = (
        Membership.objects.active()
        .filter(organisation__in=list(organisation_ids))
        .filter(Q(is_legal_representative=True) | Q(role=Role.ORG_MANAGER))
        .select_related("user")
        .order_by("organisation", "user__email")
    )
    by_organisation = defaultdict(list)
    for membership in memberships:
        by_organisation[membership.organisation_id].append(membership)
    people = {}
    for org_id, mine in by_organisation.items():
        chosen = [m for m in mine if m.is_legal_representative] or mine
        people[org_id] = list({m.user_id: m.user for m in chosen}.values())
    return people


# --------------------------------------------------------------------------------------------------------------
# Signing


def _unique_code() -> str:
    while True:
        code = new_verification_code()
        if not Signature.objects.filter(code=code).exists():
            return code


@transaction.atomic
def charter_sign(
    *,
    organisation: Organisation,
    by,
    signatory_name: str,
    signatory_function: str,
    consent: bool,
    version: CharterVersion | None = None,
    digest_seen: str = "",
) -> Signature:
    """Sign, for `organisation`, the version in force in its region: the signature with the digest of the exact
    French text, its audit entry, the request of its PDF copy and the release of the alerts held for the
    organisation commit together.

    `version` and `digest_seen` are what the signatory read; if a newer version was published meanwhile, or the
    text differs, nothing is signed.
    """
    current = CharterVersion.objects.current(organisation.region_id)
    if current is None:
        raise ValidationError(_("Aucune version de la charte n'est publiée dans la région de la structure."))
    if not can_sign(by, organisation):
        raise ValidationError(_("Seul·e le ou la représentant·e légal·e de la structure peut signer la charte."))
    if version is not None and version.pk != current.pk:
        raise ValidationError(
            _("Une nouvelle version de la charte a été publiée entre-temps : relisez-la avant de signer.")
        )
    text = current.signed_text()
    digest = digest_of(text)
    if digest_seen and digest_seen != digest:
        raise ValidationError(_("Le texte de la charte a changé depuis que vous l'avez ouvert : relisez-le."))
    existing = Signature.objects.filter(version=current, organisation=organisation).first()
    if existing is not None:
        raise ValidationError(
            _("%(organisation)s a déjà signé la version %(number)s de la charte, le %(date)s.")
            % {
                "organisation": organisation.name,
                "number": current.number,
                "date": formats.date_format(timezone.localtime(existing.signed_at).date(), "SHORT_DATE_FORMAT"),
            },
            code="already_signed",
        )
    errors = {}
    if not consent:
        errors["consent"] = _("Cochez la case pour engager votre structure.")
    if not (signatory_name or "").strip():
        errors["signatory_name"] = _("Indiquez votre nom, tel qu'il figurera sur la copie signée.")
    if not (signatory_function or "").strip():
        errors["signatory_function"] = _("Indiquez votre fonction dans la structure.")
    if errors:
        raise ValidationError(errors)
    signature = Signature(
        version=current,
        organisation=organisation,
        signed_by=by,
        signatory_name=signatory_name.strip(),
        signatory_function=signatory_function.strip(),
        consent=True,
        signed_text=text,
        digest=digest,
        code=_unique_code(),
    )
    signature.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError as error:  # signed at the same moment by another representative
        raise ValidationError(
            _("%(organisation)s vient de signer cette version de la charte.") % {"organisation": organisation.name},
            code="already_signed",
        ) from error
    copy_request(signature)
    gate.release([organisation.pk])
    return signature


def copy_request(signature: Signature) -> SignatureCopy:
    """Ask the worker for a PDF copy of `signature` (the row is the outbox; the sweeper builds it if the broker is
    down)."""
    copy = SignatureCopy.objects.create(signature=signature)
    document_enqueue("charter.tasks.build_copy_task", copy.pk)
    return copy


def _locked(signature: Signature) -> Signature:
    """The signature with its events, read again inside the transaction (its events lock it for the decision)."""
    list(Signature.objects.select_for_update().filter(pk=signature.pk).values_list("pk", flat=True))
    return Signature.objects.with_history().get(pk=signature.pk)


def _event(signature: Signature, *, kind: str, by, by_organisation=None, reason: str = "") -> SignatureEvent:
    event = SignatureEvent(
        signature=signature, kind=kind, by=by, by_organisation=by_organisation, reason=(reason or "").strip()
    )
    event.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as error:
        raise ValidationError(_("Cette signature vient d'être traitée par quelqu'un d'autre.")) from error
    return event


def _tell_signatory(signature: Signature, event: SignatureEvent) -> None:
    """The organisation hears of the decision, and who made it (`validator`: the deciding organisation's name, empty
    for a platform administrator)."""
    recipients = signatories_of([signature.organisation_id]).get(signature.organisation_id, [])
    notify(
        recipients=[signature.signed_by, *recipients],
        kind=CHARTER_DECISION,
        cause_key=f"charter-signature:{signature.pk}:{event.kind}",
        url=signature.get_absolute_url(),
        params={
            "organisation": signature.organisation.name,
            "version": signature.version.number,
            "decision": event.kind,
            "validator": event.by_organisation.name if event.by_organisation is not None else "",
        },
        channels=CHANNELS,
    )


def _decidable(signature: Signature, by) -> Signature:
    """The signature, locked, if `by` may decide on it now (see `can_decide`; still pending)."""
    signature = _locked(signature)
    if not can_decide(by, signature):
        region = signature.organisation.region
        if region.scheme_organisation_id is None:
            message = _(
                "Aucune structure n'anime le dispositif dans cette région : seul un administrateur de la "
                "plateforme valide les signatures."
            )
        elif signature.organisation_id == region.scheme_organisation_id:
            message = _(
                "La structure qui anime le dispositif ne valide pas sa propre signature : un administrateur de la "
                "plateforme en décide."
            )
        else:
            message = _(
                "Seul·e un·e chargé·e de mission de %(organisation)s, qui anime le dispositif dans la région, en "
                "décide."
            ) % {"organisation": region.scheme_organisation.name}
        raise ValidationError(message, code="not_the_decider")
    if signature.status != Signature.Status.PENDING:
        raise ValidationError(
            _("Cette signature n'attend pas de validation (%(status)s).")
            % {"status": signature.get_status_display().lower()}
        )
    return signature


@transaction.atomic
def signature_validate(*, signature: Signature, by) -> SignatureEvent:
    """The region's scheme organisation (or, where it may not, a platform administrator) countersigns: the
    signature is validated, a new copy showing the validation and who made it is built."""
    signature = _decidable(signature, by)
    event = _event(signature, kind=Kind.VALIDATED, by=by, by_organisation=deciding_organisation(by, signature))
    copy_request(signature)
    _tell_signatory(signature, event)
    return event


@transaction.atomic
def signature_refuse(*, signature: Signature, by, reason: str) -> SignatureEvent:
    """The region's scheme organisation (or a platform administrator, see `can_decide`) refuses the signature (e.g.
    the signatory may not commit the organisation), with its reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Indiquez le motif du refus : il est communiqué à la structure.")})
    signature = _decidable(signature, by)
    event = _event(
        signature, kind=Kind.REFUSED, by=by, by_organisation=deciding_organisation(by, signature), reason=reason
    )
    _tell_signatory(signature, event)
    return event


WITHDRAWABLE = (Signature.Status.PENDING, Signature.Status.VALIDATED, Signature.Status.TO_RENEW)


@transaction.atomic
def signature_withdraw(*, signature: Signature, by, reason: str) -> SignatureEvent:
    """The organisation withdraws its signature, with its reason: recorded and shown, never deleted."""
    signature = _locked(signature)
    if not can_sign(by, signature.organisation):
        raise ValidationError(_("Seul·e le ou la représentant·e légal·e de la structure peut retirer sa signature."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Indiquez le motif du retrait.")})
    if signature.status not in WITHDRAWABLE:
        raise ValidationError(
            _("Cette signature ne peut plus être retirée (%(status)s).")
            % {"status": signature.get_status_display().lower()}
        )
    return _event(signature, kind=Kind.WITHDRAWN, by=by, by_organisation=signature.organisation, reason=reason)


# --------------------------------------------------------------------------------------------------------------
# Versions: drafting and publishing


def _region_of(region) -> Region:
    return region if isinstance(region, Region) else Region.objects.get(pk=region)


def version_one_publish(*, region: Region, by=None) -> CharterVersion:
    """Start `region`'s charter: its version 1, the reference text of seed 000 (`charter.reference`), published
    at once. For a new region (the demo, an operator's shell); nothing happens when the region has a version."""
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=region.pk).first()
        existing = CharterVersion.objects.of_region(region).order_by("number").first()
        if existing is not None:
            return existing
        version = CharterVersion(region=region, number=1, created_by=by, **reference.VERSION)
        version.full_clean()
        version.save()
        Commitment.objects.bulk_create(
            Commitment(version=version, position=position, **fields)
            for position, fields in enumerate(reference.commitments(), start=1)
        )
        version.published_at = timezone.now()
        version.published_by = by
        version.save(update_fields=["published_at", "published_by"])
    return version


@transaction.atomic
def draft_create(*, by, region) -> CharterVersion:
    """The draft of `region`'s next version, a copy of its version in force (of the reference text of seed 000 for
    its first version); the existing draft if there is one."""
    region = _region_of(region)
    if not can_publish(by, region):
        raise ValidationError(
            _(
                "Seul·e un·e chargé·e de mission de la structure qui anime le dispositif dans la région prépare une "
                "nouvelle version."
            )
        )
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one draft at a time, even when clicked twice
    versions = CharterVersion.objects.of_region(region)
    draft = versions.drafts().order_by("-number").first()
    if draft is not None:
        return draft
    current = CharterVersion.objects.current(region)
    last = versions.order_by("-number").values_list("number", flat=True).first() or 0
    draft = CharterVersion(region=region, number=last + 1, created_by=by)
    if current is not None:
        for field in ("title_fr", "title_en", "preamble_fr", "preamble_en"):
            setattr(draft, field, getattr(current, field))
        rows = [
            {field: getattr(c, field) for field in ("code", "title_fr", "title_en", "text_fr", "text_en")}
            for c in current.commitments.order_by("position")
        ]
    else:
        for field, value in reference.VERSION.items():
            setattr(draft, field, value)
        rows = reference.commitments()
    draft.full_clean()
    draft.save()
    Commitment.objects.bulk_create(
        Commitment(version=draft, position=position, **row) for position, row in enumerate(rows, start=1)
    )
    return draft


def _draft(draft: CharterVersion) -> CharterVersion:
    draft = CharterVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise ValidationError(
            _("La version %(number)s est publiée : elle ne change plus. Préparez une nouvelle version.")
            % {"number": draft.number}
        )
    return draft


@transaction.atomic
def draft_save(*, draft: CharterVersion, by, fields: dict, commitments: list[dict]) -> CharterVersion:
    """Save the draft's texts and its commitments, in the order given.

    `fields`: title_fr, title_en, preamble_fr, preamble_en. `commitments`: dicts with `id` (None for a new one),
    title_fr, text_fr, title_en, text_en and `delete`. A commitment keeps its code; a new one gets a code from its
    French title.
    """
    draft = _draft(draft)
    if not can_publish(by, draft.region_id):
        raise ValidationError(
            _(
                "Seul·e un·e chargé·e de mission de la structure qui anime le dispositif dans la région modifie un "
                "projet de charte."
            )
        )
    for name in ("title_fr", "title_en", "preamble_fr", "preamble_en"):
        value = fields.get(name, getattr(draft, name)) or ""
        setattr(draft, name, value.strip() if name.startswith("title") else normalize_text(value))
    if not draft.title_fr:
        raise ValidationError({"title_fr": _("Le titre français est obligatoire.")})
    draft.full_clean()
    draft.save()
    existing = {c.pk: c for c in draft.commitments.all()}
    kept = []
    for row in commitments:
        commitment = existing.get(row.get("id")) if row.get("id") else None
        if row.get("delete"):
            continue
        if commitment is None and not (row.get("title_fr") or "").strip() and not (row.get("text_fr") or "").strip():
            continue  # an empty extra row
        if commitment is None:
            commitment = Commitment(version=draft)
        commitment.title_fr = (row.get("title_fr") or "").strip()
        commitment.title_en = (row.get("title_en") or "").strip()
        commitment.text_fr = normalize_text(row.get("text_fr"))
        commitment.text_en = normalize_text(row.get("text_en"))
        # its fields' own rules (the lengths); the order and the codes are set below
        commitment.full_clean(
            exclude=["version", "code", "position"], validate_unique=False, validate_constraints=False
        )
        kept.append(commitment)
    # Positions follow the order given; free them first, so that reordering never collides with itself.
    draft.commitments.exclude(pk__in=[c.pk for c in kept if c.pk]).delete()
    taken = {c.code for c in kept if c.pk}
    for offset, commitment in enumerate(kept, start=1):
        if not commitment.code:
            commitment.code = _new_code(commitment.title_fr, taken)
            taken.add(commitment.code)
        commitment.position = 1000 + offset
        commitment.save()
    for index, commitment in enumerate(kept, start=1):
        commitment.position = index
        commitment.save(update_fields=["position"])
    return draft


def _new_code(title: str, taken: set[str]) -> str:
    base = slugify(title)[:30] or "engagement"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def publication_problems(draft: CharterVersion, commitments=None, *, current_text: str | None = None) -> list[str]:
    """Why `draft` cannot be published (empty, incomplete, or the same French text as its region's version in force).

    `current_text`: the content of the version in force (`content_text`), when the caller has it already ("" when
    there is none)."""
    commitments = list(commitments if commitments is not None else draft.commitments.order_by("position"))
    problems = []
    if not commitments:
        problems.append(_("Le projet ne contient aucun engagement."))
    elif any(not c.title_fr.strip() or not c.text_fr.strip() for c in commitments):
        problems.append(_("Chaque engagement a besoin d'un intitulé et d'un texte en français."))
    if current_text is None:
        current = CharterVersion.objects.current(draft.region_id)
        current_text = current.content_text() if current else ""
    if current_text and commitments and draft.content_text(commitments) == current_text:
        problems.append(
            _("Le texte français est identique à la version en vigueur : il n'y a rien de nouveau à faire signer.")
        )
    return problems


@transaction.atomic
def version_publish(
    *, draft: CharterVersion, by, renewal_grace_days: int, today: datetime.date | None = None
) -> CharterVersion:
    """Publish the draft: it becomes the version in force in its region and never changes again. Every signature of
    an earlier version of that region that still commits its organisation becomes "to renew", valid for the grace
    period; the signatory organisations are told. Other regions are not concerned."""
    draft = _draft(draft)
    if not can_publish(by, draft.region_id):
        raise ValidationError(
            _(
                "Seul·e un·e chargé·e de mission de la structure qui anime le dispositif dans la région publie une "
                "version de la charte."
            )
        )
    if not 1 <= int(renewal_grace_days) <= MAX_GRACE_DAYS:
        raise ValidationError(
            {"renewal_grace_days": _("Le délai de renouvellement va de 1 à %(max)s jours.") % {"max": MAX_GRACE_DAYS}}
        )
    problems = publication_problems(draft)
    if problems:
        raise ValidationError(problems)
    today = today or timezone.localdate()
    draft.published_at = timezone.now()
    draft.published_by = by
    draft.renewal_grace_days = int(renewal_grace_days)
    draft.save(update_fields=["published_at", "published_by", "renewal_grace_days"])
    valid_until = today + datetime.timedelta(days=draft.renewal_grace_days)
    earlier = Signature.objects.with_history().filter(version__region=draft.region_id, version__number__lt=draft.number)
    to_renew = [s for s in earlier if s.status in (Signature.Status.PENDING, Signature.Status.VALIDATED)]
    SignatureEvent.objects.bulk_create(
        SignatureEvent(signature=s, kind=Kind.TO_RENEW, by=by, new_version=draft, valid_until=valid_until)
        for s in to_renew
    )
    organisations = {s.organisation_id for s in to_renew}
    people = signatories_of(organisations)
    notify(
        recipients=[user for users in people.values() for user in users],
        kind=CHARTER_PUBLISHED,
        cause_key=f"charter-published:{draft.region.code}:{draft.number}",
        url=draft.get_absolute_url(),
        params={"version": draft.number, "valid_until": valid_until.isoformat(), "region": draft.region.name},
        channels=CHANNELS,
    )
    return draft


# --------------------------------------------------------------------------------------------------------------
# Reminders


@transaction.atomic
def charter_reminders_send(*, by, organisations, today: datetime.date | None = None) -> int:
    """Remind the organisations among `organisations` that have not signed their region's version in force (their
    legal representatives, else their managers; in-app and e-mail through the worker), in the regions where `by`
    decides. Each reminder is logged; one per organisation and day, so sending twice the same day sends nothing
    more. Returns how many were sent."""
    today = today or timezone.localdate()
    organisations = [org for org in organisations if org.region_id in regions_decided(by)]
    current = CharterVersion.objects.current_by_region({org.region_id for org in organisations})
    organisations = [org for org in organisations if org.region_id in current]
    statuses = organisation_statuses(organisations, today=today)
    missing = [org for org in organisations if statuses[org.pk].status != OrganisationStatus.SIGNED]
    already = set(
        CharterReminder.objects.filter(
            organisation__in=missing, version__in=list(current.values()), day=today
        ).values_list("organisation_id", flat=True)
    )
    fresh = [org for org in missing if org.pk not in already]
    CharterReminder.objects.bulk_create(
        [CharterReminder(organisation=org, version=current[org.region_id], day=today, sent_by=by) for org in fresh],
        ignore_conflicts=True,
    )
    people = signatories_of([org.pk for org in fresh])
    for org in fresh:
        version = current[org.region_id]
        notify(
            recipients=people.get(org.pk, []),
            kind=CHARTER_REMINDER,
            cause_key=f"charter-reminder:{org.pk}:{version.number}:{today.isoformat()}",
            url=version.get_absolute_url(),
            params={"organisation": org.name, "version": version.number},
            channels=CHANNELS,
        )
    return len(fresh)
