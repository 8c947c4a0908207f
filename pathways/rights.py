"""The rights of the person, read for their page and their information notice (issue 20; the models and their
writes are `accounts`'s: `NoticeHandover`, `SharingObjection`, `accounts.services`).

- `rights_panel`: what the person's page shows (the notice handed over or not, the objections, what the user may do).
- `notice_context`: what the information notice says (what is recorded, why, who sees it now, for how long, the
  person's rights and whom to ask), for the HTML page and the PDF.
"""

from dataclasses import dataclass, field

from django.conf import settings

from accounts import personal_data, retention
from accounts.models import NoticeHandover, RightsDocument, SharingObjection
from pathways import scoping
from pathways.models import Membership, Pathway

NOTICE_LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The rights documents listed on the person's page (the newest).
DOCUMENTS_SHOWN = 6


def notice_language(value: str | None) -> str:
    """The notice's language: the one asked for if the app speaks it, else French."""
    return value if value in NOTICE_LANGUAGES else "fr"


def referent_organisations(beneficiary) -> set[int]:
    """The organisations where a referent of one of the person's pathways is an active member: they cannot be
    objected to (someone must hold the pathway)."""
    referents = Pathway.objects.filter(beneficiary=beneficiary).values("referent")
    return set(Membership.objects.active().filter(user__in=referents).values_list("organisation_id", flat=True))


def can_manage_rights(user, beneficiary) -> bool:
    """Record the notice's hand-over and the person's objections: those who manage one of their pathways (the
    referent, the prescriber's advisers and managers, the organisation that opened it)."""
    pathways = Pathway.objects.for_user(user).filter(beneficiary=beneficiary)
    return any(scoping.can_manage_pathway(user, pathway) for pathway in pathways)


@dataclass
class RightsPanel:
    last_handover: NoticeHandover | None
    objections: list = field(default_factory=list)
    can_manage: bool = False
    documents: list = field(default_factory=list)  # the notices' PDFs and the user's own access exports
    can_export: bool = False

    @property
    def active_objections(self):
        return [objection for objection in self.objections if objection.is_active]


def rights_panel(user, beneficiary, *, can_manage: bool | None = None, can_export: bool | None = None) -> RightsPanel:
    """The person's page's "rights" block (3 queries, plus the pathways' when `can_manage` is not given); a DPO's
    data-protection page passes both (`dpo_rights_page`)."""
    last = (
        NoticeHandover.objects.filter(beneficiary=beneficiary)
        .select_related("handed_by")
        .order_by("-handed_at")
        .first()
    )
    objections = list(
        SharingObjection.objects.filter(beneficiary=beneficiary)
        .select_related("organisation", "recorded_by", "withdrawn_by")
        .order_by("-recorded_at", "-pk")
    )
    documents = list(
        scoping.scope(RightsDocument.objects.filter(beneficiary=beneficiary), user).order_by("-requested_at", "-pk")[
            :DOCUMENTS_SHOWN
        ]
    )
    if can_manage is None:
        can_manage = can_manage_rights(user, beneficiary)
    return RightsPanel(
        last_handover=last,
        objections=objections,
        can_manage=can_manage,
        documents=documents,
        can_export=can_export if can_export is not None else can_manage or can_request_access_export(user, beneficiary),
    )


def notice_context(beneficiary, language: str) -> dict:
    """What the information notice says about `beneficiary`, in `language` (the template translates)."""
    # The region's durations (accounts.RetentionPolicy), the defaults where it set none: those the job applies.
    months = retention.region_months(beneficiary.region_id)
    return {
        "beneficiary": beneficiary,
        "region": beneficiary.region,
        "language": language,
        "organisations": scoping.organisations_seeing(beneficiary),
        "objected": list(
            SharingObjection.objects.active()
            .filter(beneficiary=beneficiary)
            .select_related("organisation")
            .order_by("organisation__name")
        ),
        "months": months,
        "pathway_years": months["pathway"] // 12 if months["pathway"] % 12 == 0 else None,
        "dpo_contact": settings.DPO_CONTACT_EMAIL,
    }


# --------------------------------------------------------------------------------------------------------------
# Documents built by a worker (`accounts.rights`): the notice as PDF, the right-of-access export. Registered in
# `PathwaysConfig.ready`.


def can_request_access_export(user, beneficiary) -> bool:
    """Who produces the right-of-access export for a person they see: those who manage one of their pathways (the
    referent first), and the facilitators of a structure that follows them (their version holds that structure's
    notes). A data-protection officer produces it from the person's data-protection page (`dpo_releases_notes`)."""
    if can_manage_rights(user, beneficiary):
        return True
    acting = scoping.acting_organisation(user, beneficiary)
    return acting is not None and acting.pk in scoping.org_ids(user, roles={Membership.Role.FACILITATOR})


def dpo_releases_notes(beneficiary, acting_organisation_id: int) -> bool:
    """Whether the export a DPO releases for `acting_organisation_id` holds the facilitators' notes: only when that
    organisation is a support structure that follows the person (a speaking group's,
    `scoping.reaching_organisation_ids`): the same rule as for its facilitators, the notes are released by their
    structure and by no one else."""
    return acting_organisation_id in scoping.reaching_organisation_ids(beneficiary)


def dpo_rights_page(user, beneficiary) -> dict:
    """What a data-protection officer's page about a person shows (`pathways.views.dpo`): the rights block (read
    only: the DPO records no hand-over and no objection, they produce the right-of-access export) and the
    organisations that may see the record now. Nothing of the case: no pathway, checklist, note or alert."""
    return {
        "rights": rights_panel(user, beneficiary, can_manage=False, can_export=True),
        "organisations": scoping.organisations_seeing(beneficiary),
    }


def render_notice_pdf(document) -> bytes:
    from django.utils import translation

    from core.pdf import render_pdf

    with translation.override(document.language):
        return render_pdf("pathways/rights/pdf/notice.html", notice_context(document.beneficiary, document.language))


def organisations_that_saw(beneficiary) -> list[dict]:
    """From the access log: each organisation on behalf of which the record was read or changed, with how many
    times and when first and last ("" for the reads of a referent acting for no organisation)."""
    from django.db.models import Count, Max, Min

    from accounts.models import AccessLog

    rows = (
        AccessLog.objects.filter(beneficiary=beneficiary)
        .values("acting_organisation__name")
        .annotate(count=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("acting_organisation__name")
    )
    return [
        {
            "organisation": row["acting_organisation__name"] or "",
            "count": row["count"],
            "first": row["first"].isoformat(),
            "last": row["last"].isoformat(),
        }
        for row in rows
    ]


def access_export_data(document) -> dict:
    """Everything the app holds about the document's person (`accounts.personal_data`, each app's declarations),
    with the organisations that saw the record. Facilitators' notes (confidential sources) only in the version
    released by their structure (`include_confidential`), and only that structure's notes (`released_by`)."""
    from django.utils import timezone

    person = document.beneficiary
    return {
        "person": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date.isoformat(),
            "email": person.email,
            "phone": person.phone,
            "commune": str(person.commune) if person.commune_id else "",
            "region": str(person.region),
        },
        "produced_at": timezone.now().isoformat(),
        "requested_by": str(document.requested_by),
        "released_by": str(document.released_by) if document.released_by_id else "",
        "includes_facilitator_notes": document.include_confidential,
        "organisations_that_saw": organisations_that_saw(person),
        "sections": personal_data.export(
            person, include_confidential=document.include_confidential, released_by=document.released_by_id
        ),
    }


def render_access_json(document) -> bytes:
    import json

    return json.dumps(access_export_data(document), ensure_ascii=False, indent=2, default=str).encode()


def render_access_pdf(document) -> bytes:
    from django.utils import translation

    from core.pdf import render_pdf

    with translation.override(document.language):
        return render_pdf("pathways/rights/pdf/access.html", access_export_data(document))
