"""Demo charter for `seed_demo`: a region where the charter lives, through the real services.

The region's charter starts from the reference text (its version 1), signed by most organisations; the Région,
which runs the scheme in the region (`Region.scheme_organisation`), validates most signatures; a few withdraw. The
Région then publishes the region's version 2 (the preamble states that the charter is final), which most
signatories sign again; the others keep a version 1 signature "to renew" during the grace period. A few never
sign, among them the Région itself (whose own signature a platform administrator would validate), so that the
printed legal representative can try signing. The region requires
the charter for named alerts: an alert addressed to an organisation without a valid signature is held.

The organisations the printed accounts work in (the demo trainer's training body, the busiest adviser's
prescriber) are signatories of version 2, so the demo's alerts reach them.

Idempotent: nothing happens when any organisation of the region has signed.
"""

from auditlog.context import set_actor

from charter.models import CharterVersion, Signature
from charter.services import (
    charter_sign,
    draft_create,
    draft_save,
    signature_refuse,
    signature_validate,
    signature_withdraw,
    version_one_publish,
    version_publish,
)
from charter.status import OrganisationStatus, organisation_statuses
from pathways.models import Membership, Organisation, Region

Role = Membership.Role
FUNDER_NAME = "Région Nouvelle-Aquitaine"
V2_PREAMBLE = (
    "Cette version finalise la charte avec les services de la Région. Chaque structure signataire la met en œuvre "
    "dans son activité et en rend compte lors des commissions techniques de bassin."
)
V2_PREAMBLE_EN = (
    "This version finalises the charter with the Région's services. Each signatory organisation puts it into "
    "practice and reports on it at the basin technical commissions."
)
# The fate of each organisation, by its rank in name order (a repeating pattern of 10, the kept ones aside).
PATTERN = ["v2", "v2", "to_renew", "v2", "never", "v2", "withdrawn", "v2_pending", "to_renew", "v2"]
FUNCTIONS = {
    Organisation.Kind.TRAINING_BODY: "Directeur·rice",
    Organisation.Kind.PRESCRIBER: "Directeur·rice d'agence",
    Organisation.Kind.FUNDER: "Directeur·rice générale des services",
    Organisation.Kind.SUPPORT: "Président·e",
}
WITHDRAWAL = "Nous réorganisons nos parcours et ne pouvons plus garantir les relances en temps réel."
REFUSAL = "Le ou la signataire n'a pas qualité pour engager la structure : merci de faire signer la direction."


def seed_charter(*, region: Region, kept_signed=(), stdout=None) -> dict:
    """Tell the charter's story in `region`; `kept_signed` are organisations that must end signatories of the
    version in force."""
    organisations = list(Organisation.objects.filter(region=region, is_active=True).order_by("name"))
    if Signature.objects.filter(organisation__in=organisations).exists():
        return {"skipped": True}
    officer = (
        Membership.objects.active()
        .filter(organisation=region.scheme_organisation_id, role=Role.REGIONAL_OFFICER)
        .select_related("user")
        .first()
    )
    if officer is None:
        return {"skipped": True}
    officer = officer.user
    with set_actor(officer):
        version_one_publish(region=region)
    representatives = {
        m.organisation_id: m.user
        for m in Membership.objects.active()
        .filter(organisation__in=organisations, is_legal_representative=True)
        .select_related("user")
        .order_by("-user__email")
    }
    kept = {org.pk for org in kept_signed}
    fates = {}
    for rank, org in enumerate(organisations):
        fate = PATTERN[rank % len(PATTERN)]
        if org.pk in kept:
            fate = "v2"
        elif org.pk == region.scheme_organisation_id:
            fate = "never"
        fates[org.pk] = fate if org.pk in representatives else "never"

    def signs(org):
        user = representatives[org.pk]
        with set_actor(user):
            return charter_sign(
                organisation=org,
                by=user,
                signatory_name=user.get_full_name(),
                signatory_function=FUNCTIONS[org.kind],
                consent=True,
            )

    def as_officer(service, **arguments):
        # Each write under its own actor: the audit log's context does not nest.
        with set_actor(officer):
            return service(by=officer, **arguments)

    for org in organisations:
        if fates[org.pk] == "never":
            continue
        signature = signs(org)
        if fates[org.pk] == "withdrawn":
            user = representatives[org.pk]
            with set_actor(user):
                signature_withdraw(signature=signature, by=user, reason=WITHDRAWAL)
        else:
            as_officer(signature_validate, signature=signature)
    draft = as_officer(draft_create, region=region)
    as_officer(
        draft_save,
        draft=draft,
        fields={
            "title_fr": draft.title_fr,
            "title_en": draft.title_en,
            "preamble_fr": f"{draft.preamble_fr}\n\n{V2_PREAMBLE}",
            "preamble_en": f"{draft.preamble_en}\n\n{V2_PREAMBLE_EN}",
        },
        commitments=[
            {"id": c.pk, "title_fr": c.title_fr, "text_fr": c.text_fr, "title_en": c.title_en, "text_en": c.text_en}
            for c in draft.commitments.order_by("position")
        ],
    )
    as_officer(version_publish, draft=draft, renewal_grace_days=90)
    refused = False
    for org in organisations:
        if fates[org.pk] not in ("v2", "v2_pending"):
            continue
        signature = signs(org)
        if fates[org.pk] == "v2":
            as_officer(signature_validate, signature=signature)
        elif not refused and org.pk not in kept:
            # One refusal, so that the Région's refusal shows in the history (the organisation will sign the next
            # version).
            as_officer(signature_refuse, signature=signature, reason=REFUSAL)
            refused = True
    Region.objects.filter(pk=region.pk).update(charter_required_for_alerts=True)
    statuses = organisation_statuses(organisations)
    counts = {status: 0 for status in OrganisationStatus.values}
    for standing in statuses.values():
        counts[standing.status] += 1
    if stdout is not None:
        stdout.write(
            f"  Charte : version {CharterVersion.objects.current(region).number} signée par "
            f"{counts[OrganisationStatus.SIGNED]} structures · {counts[OrganisationStatus.TO_RENEW]} à renouveler · "
            f"{counts[OrganisationStatus.NOT_SIGNED]} non signataires · {counts[OrganisationStatus.WITHDRAWN]} "
            "retrait(s) ; charte exigée pour les alertes nominatives"
        )
    return counts
