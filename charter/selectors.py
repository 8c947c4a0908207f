"""Reads that build the charter's pages, each for one region: the overview of regional staff, the charter page of a
member, the public signatories and verification pages. They return plain data (dataclasses) in a constant number of
queries (pinned by tests); the views only choose, paginate and render.

The standing of an organisation (signed, to renew…) is `charter.status`'s, shared with the badges of other pages and
the alert gate.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter import services
from charter.gate import held_alert_counts
from charter.models import CharterReminder, CharterVersion, Signature, digest_of, normalize_code
from charter.status import CharterStanding, OrganisationStatus, attach_statuses, organisation_statuses
from pathways import scoping
from pathways.models import Basin, Membership, Organisation, Region

# The overview's status tabs: the organisation statuses, plus the signatures waiting for a decision.
PENDING_TAB = "pending"


@dataclass(frozen=True)
class RegionSummary:
    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class BasinSummary:
    pk: int
    code: str
    name: str
    signatories: int = 0


@dataclass(frozen=True)
class VersionSummary:
    pk: int
    number: int
    published_at: datetime.datetime | None
    url: str

    @classmethod
    def of(cls, version: CharterVersion | None) -> "VersionSummary | None":
        if version is None:
            return None
        return cls(version.pk, version.number, version.published_at, version.get_absolute_url())


@dataclass(frozen=True)
class SignatureSummary:
    pk: int
    url: str
    version_number: int
    signed_at: datetime.datetime
    status: str
    status_label: str
    valid_until: datetime.date | None

    @classmethod
    def of(cls, signature: Signature | None) -> "SignatureSummary | None":
        if signature is None:
            return None
        return cls(
            signature.pk,
            signature.get_absolute_url(),
            signature.version.number,
            signature.signed_at,
            signature.status,
            signature.get_status_display(),
            signature.valid_until,
        )


@dataclass(frozen=True)
class OverviewRow:
    pk: int
    name: str
    kind_label: str
    standing: CharterStanding
    signature: SignatureSummary | None
    held_alerts: int
    last_reminder: datetime.date | None
    decidable: bool  # the viewer may validate or refuse its pending signature


@dataclass(frozen=True)
class Tab:
    value: str
    label: str
    count: int


@dataclass
class Overview:
    regions: list[RegionSummary]
    region: RegionSummary
    basins: list[BasinSummary]
    basin: BasinSummary | None
    current: VersionSummary | None
    draft: VersionSummary | None
    rows: list[OverviewRow]  # those of the chosen tab
    tabs: list[Tab]
    tab: str
    missing: int  # organisations that have not signed the version in force
    held_total: int
    decides: bool  # the viewer validates, reminds, drafts and publishes in this region
    scheme_organisation: str | None  # who validates the region's signatures (None: only an administrator)
    scheme_organisation_pk: int | None = None


def followed_regions(user) -> list[Region]:
    return list(
        Region.objects.filter(pk__in=services.regions_followed(user))
        .select_related("scheme_organisation")
        .order_by("name")
    )


def _chosen(items, wanted, key):
    return next((item for item in items if wanted and str(key(item)) == str(wanted)), None)


def overview_scope(user, *, region_code: str | None, basin_id: str | None):
    """(the regions `user` follows, the chosen one, its basins, the chosen basin or None for the whole region);
    the region is None when the user follows none. Without a choice, a basin coordinator starts on their basin."""
    regions = followed_regions(user)
    region = _chosen(regions, region_code, lambda r: r.code) or (regions[0] if regions else None)
    if region is None:
        return regions, None, [], None
    basins = list(Basin.objects.filter(region=region).order_by("name"))
    if basin_id is None:
        basin_id = next(
            (
                m.basin_id
                for m in scoping.active_memberships(user)
                if m.role == Membership.Role.BASIN_COORDINATOR and m.basin_id
            ),
            None,
        )
    return regions, region, basins, _chosen(basins, basin_id, lambda b: b.pk)


def overview_organisations(region: Region, basin: Basin | None) -> list[Organisation]:
    """The active organisations of `region` (serving `basin` when given), by name."""
    organisations = Organisation.objects.filter(region=region, is_active=True)
    if basin is not None:
        organisations = organisations.filter(basins=basin)
    return list(organisations.distinct().order_by("name"))


def charter_overview(user, *, region: Region, regions, basins, basin: Basin | None, tab: str = "") -> Overview:
    """Per region and basin: who signed the region's version in force, who signed an older one, who never signed,
    who withdrew; the signatures to validate; the alerts held for each organisation; the last reminder."""
    today = timezone.localdate()
    organisations = overview_organisations(region, basin)
    ids = [org.pk for org in organisations]
    current = CharterVersion.objects.current(region)
    statuses = organisation_statuses(organisations, today=today)
    held = held_alert_counts(ids)
    reminded = dict(
        CharterReminder.objects.filter(organisation__in=ids, version=current)
        .values("organisation")
        .annotate(last=Max("day"))
        .values_list("organisation", "last")
    )
    decides = region.pk in services.regions_decided(user)
    scheme_id = region.scheme_organisation_id
    admin = services.is_platform_admin(user)
    rows = []
    for org in organisations:
        standing = statuses[org.pk]
        # Who decides (`services.can_decide`), without a query per row.
        decidable = standing.pending_validation and (admin if scheme_id is None or org.pk == scheme_id else decides)
        rows.append(
            OverviewRow(
                pk=org.pk,
                name=org.name,
                kind_label=org.get_kind_display(),
                standing=standing,
                signature=SignatureSummary.of(standing.signature),
                held_alerts=held.get(org.pk, 0),
                last_reminder=reminded.get(org.pk),
                decidable=decidable,
            )
        )
    counts = {status: 0 for status in OrganisationStatus.values}
    for row in rows:
        counts[row.standing.status] += 1
    pending = [row for row in rows if row.standing.pending_validation]
    if tab == PENDING_TAB:
        shown = pending
    elif tab in OrganisationStatus.values:
        shown = [row for row in rows if row.standing.status == tab]
    else:
        tab, shown = "", rows
    tabs = [Tab("", _("Toutes"), len(rows))]
    tabs += [Tab(status, OrganisationStatus(status).label, counts[status]) for status in OrganisationStatus.values]
    tabs.append(Tab(PENDING_TAB, _("À valider"), len(pending)))
    draft = CharterVersion.objects.of_region(region).drafts().order_by("-number").first() if decides else None
    if draft is not None:
        draft.region = region
    if current is not None:
        current.region = region
    scheme = region.scheme_organisation
    return Overview(
        regions=[RegionSummary(r.pk, r.code, r.name) for r in regions],
        region=RegionSummary(region.pk, region.code, region.name),
        basins=[BasinSummary(b.pk, b.code, b.name) for b in basins],
        basin=BasinSummary(basin.pk, basin.code, basin.name) if basin is not None else None,
        current=VersionSummary.of(current),
        draft=VersionSummary.of(draft),
        rows=shown,
        tabs=tabs,
        tab=tab,
        missing=len(rows) - counts[OrganisationStatus.SIGNED],
        held_total=sum(held.values()),
        decides=decides,
        scheme_organisation=scheme.name if scheme is not None else None,
        scheme_organisation_pk=scheme_id,
    )


# --------------------------------------------------------------------------------------------------------------
# The charter page of a logged-in member


@dataclass
class CharterPage:
    regions: list[RegionSummary]
    region: RegionSummary | None
    version: CharterVersion | None
    commitments: list = field(default_factory=list)
    signed_text: str = ""
    digest: str = ""
    organisations: list = field(default_factory=list)  # the reader's organisations of that region, with `charter`
    signable: set = field(default_factory=set)
    versions: list = field(default_factory=list)  # the region's published versions, newest first
    follows: bool = False


def version_text(version: CharterVersion) -> dict:
    """The commitments, the exact signed text and its digest of `version`."""
    commitments = list(version.commitments.order_by("position"))
    text = version.signed_text(commitments)
    return {"version": version, "commitments": commitments, "signed_text": text, "digest": digest_of(text)}


def reader_regions(user) -> list[Region]:
    """The regions whose charter `user` reads: those of their organisations (every region for a user without
    one, such as a platform administrator)."""
    mine = {m.organisation.region_id for m in scoping.active_memberships(user)}
    regions = Region.objects.order_by("name")
    return list(regions.filter(pk__in=mine) if mine else regions)


def charter_page(user, *, region_code: str | None) -> CharterPage:
    """The charter in force in the chosen region (by default the reader's), and where each of the reader's
    organisations of that region stands."""
    regions = reader_regions(user)
    region = _chosen(regions, region_code, lambda r: r.code) or (regions[0] if regions else None)
    page = CharterPage(
        regions=[RegionSummary(r.pk, r.code, r.name) for r in regions],
        region=RegionSummary(region.pk, region.code, region.name) if region else None,
        version=None,
        follows=bool(services.regions_followed(user)),
    )
    if region is None:
        return page
    versions = list(CharterVersion.objects.of_region(region).published().order_by("-number"))
    for version in versions:
        version.region = region
    page.versions = versions
    page.version = versions[0] if versions else None
    memberships = scoping.active_memberships(user)
    organisations = attach_statuses(
        list({m.organisation for m in memberships if m.organisation.region_id == region.pk})
    )
    page.signable = {org.pk for org in services.signing_organisations(user)}
    for org in organisations:
        signature = org.charter.signature
        # One signature per version: after a withdrawal or a refusal, the next version is signed.
        org.can_sign_now = (
            page.version is not None
            and org.pk in page.signable
            and (signature is None or signature.version_id != page.version.pk)
        )
    page.organisations = sorted(organisations, key=lambda org: org.name)
    if page.version is not None:
        text = version_text(page.version)
        page.commitments, page.signed_text, page.digest = text["commitments"], text["signed_text"], text["digest"]
    return page


# --------------------------------------------------------------------------------------------------------------
# Public pages


@dataclass
class RegionSignatories:
    region: RegionSummary
    current: VersionSummary | None
    basins: list[BasinSummary]
    scheme_organisation: str | None


def public_regions() -> list[RegionSummary]:
    return [RegionSummary(r.pk, r.code, r.name) for r in Region.objects.order_by("name")]


def region_signatories(region: Region) -> RegionSignatories:
    """The region's basins, with how many organisations serving each have signed the region's version in force."""
    current = CharterVersion.objects.current(region)
    basins = list(Basin.objects.filter(region=region).order_by("name"))
    serving = list(
        Organisation.objects.filter(region=region, is_active=True, basins__region=region).values_list("pk", "basins")
    )
    # Unsaved carriers of (pk, region): the standings need each organisation's region, known here without a query.
    statuses = organisation_statuses(Organisation(pk=pk, region_id=region.pk) for pk in {pk for pk, _b in serving})
    signed = {}
    for pk, basin_id in serving:
        if statuses[pk].status == OrganisationStatus.SIGNED:
            signed[basin_id] = signed.get(basin_id, 0) + 1
    return RegionSignatories(
        region=RegionSummary(region.pk, region.code, region.name),
        current=VersionSummary.of(current),
        basins=[BasinSummary(b.pk, b.code, b.name, signed.get(b.pk, 0)) for b in basins],
        scheme_organisation=region.scheme_organisation.name if region.scheme_organisation_id else None,
    )


@dataclass(frozen=True)
class Signatory:
    name: str
    kind_label: str
    signed_at: datetime.datetime


@dataclass
class BasinSignatories:
    region: RegionSummary
    basin: BasinSummary
    current: VersionSummary | None
    organisations: list[Signatory]


def basin_signatories(basin: Basin) -> BasinSignatories:
    """The organisations serving `basin` that have signed its region's version in force, so a trainee or a company
    can see who is committed."""
    region = basin.region
    organisations = list(
        Organisation.objects.filter(region=region, is_active=True, basins=basin).order_by("kind", "name")
    )
    statuses = organisation_statuses(organisations)
    current = CharterVersion.objects.current(region)
    return BasinSignatories(
        region=RegionSummary(region.pk, region.code, region.name),
        basin=BasinSummary(basin.pk, basin.code, basin.name),
        current=VersionSummary.of(current),
        organisations=[
            Signatory(org.name, org.get_kind_display(), statuses[org.pk].signature.signed_at)
            for org in organisations
            if statuses[org.pk].status == OrganisationStatus.SIGNED
        ],
    )


@dataclass
class Verification:
    signature: Signature
    region: RegionSummary
    current: VersionSummary | None  # the version in force in the signature's region
    status: str
    valid: bool
    decision: object
    withdrawal: object
    renewal: object


def verification(code: str) -> Verification | None:
    """What the public verification page shows of the signature with `code`, against its own region's charter;
    None for an unknown code."""
    if len(code) > 20:
        return None
    signature = Signature.objects.with_history().filter(code=normalize_code(code)).first()
    if signature is None:
        return None
    region = signature.version.region
    return Verification(
        signature=signature,
        region=RegionSummary(region.pk, region.code, region.name),
        current=VersionSummary.of(CharterVersion.objects.current(region)),
        status=signature.status,
        valid=signature.is_valid(),
        decision=signature.decision,
        withdrawal=signature.withdrawal,
        renewal=signature.renewal,
    )
