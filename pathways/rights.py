"""The rights of the person, read for their page and their information notice (issue 20; the models and their
writes are `accounts`'s: `NoticeHandover`, `SharingObjection`, `accounts.services`).

- `rights_panel`: what the person's page shows (the notice handed over or not, the objections, what the user may do).
- `notice_context`: what the information notice says (what is recorded, why, who sees it now, for how long, the
  person's rights and whom to ask), for the HTML page and the PDF.
"""

from dataclasses import dataclass, field

from django.conf import settings

from accounts.models import NoticeHandover, SharingObjection
from pathways import scoping
from pathways.models import Membership, Pathway

NOTICE_LANGUAGES = [code for code, _name in settings.LANGUAGES]


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

    @property
    def active_objections(self):
        return [objection for objection in self.objections if objection.is_active]


def rights_panel(user, beneficiary, *, can_manage: bool | None = None) -> RightsPanel:
    """The person's page's "rights" block (2 queries, plus the pathways' when `can_manage` is not given)."""
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
    if can_manage is None:
        can_manage = can_manage_rights(user, beneficiary)
    return RightsPanel(last_handover=last, objections=objections, can_manage=can_manage)


def notice_context(beneficiary, language: str) -> dict:
    """What the information notice says about `beneficiary`, in `language` (the template translates)."""
    months = settings.RETENTION_NOTICE_MONTHS
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
        "pathway_years": months["pathway"] // 12,
        "dpo_contact": settings.DPO_CONTACT,
    }
