"""Every URL pattern of the project × every demo role: the expected status of a GET.

The list of patterns comes from the resolver, so a new URL without an entry here fails the suite: decide who may
see it before shipping it. Objects come from the `world` fixture: a pathway prescribed by the prescriber, with a
stage in progress in a session of the training body.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendance.models import StatementExport
from tests.conftest import ADVERSARY_ROLES as ROLES

# Shorthands for the columns of the matrix, in the order of ROLES.
ANON = "anonymous"
LOGGED_IN = [r for r in ROLES if r != ANON]
SCOPE_PATHWAY = {
    "trainer",
    "pedagogical_manager",
    "org_manager",
    "legal_representative",
    "prescriber_adviser",
}
MANAGE_PATHWAY = {"legal_representative", "prescriber_adviser"}
ENROL = {
    "pedagogical_manager",
    "org_manager",
    "legal_representative",
    "prescriber_adviser",
    "other_adviser",
    "other_region_manager",
}
TRAINING_BODY_MEMBERS = {"trainer", "pedagogical_manager", "org_manager", "dpo"}
# Members of the world's region (not the platform administrator, the second region's manager, nor a deactivated member).
REGION_MEMBERS = set(LOGGED_IN) - {"admin", "other_region_manager", "deactivated_trainer"}
# The training body's staff who take attendance (its DPO does not).
ATTENDANCE_STAFF = {"trainer", "pedagogical_manager", "org_manager"}
# Active facilitators of a support structure (the world's and the second one).
FACILITATORS = {"facilitator", "other_facilitator"}
# Regional staff of the world's region: they read its basins' dashboards.
REGIONAL_STAFF = {"regional_officer", "basin_coordinator", "other_funder_officer"}
# The world's training body's managers run its offer; the staff of any training body read their own.
OFFER_MANAGERS = {"pedagogical_manager", "org_manager"}
OFFER_STAFF = {*ATTENDANCE_STAFF, "outsider", "other_region_manager"}
# Who sees the world's speaking group: its structure's facilitator and its training body's staff.
GROUP_READERS = {"facilitator", *ATTENDANCE_STAFF}
# Who runs the world's basin commission (the scheme's regional officer, the basin's coordinator), who sits in it.
COMMISSION_MANAGERS = {"regional_officer", "basin_coordinator"}
COMMISSION_DELEGATES = {"trainer", "prescriber_adviser"}


def world_api_token(w):
    """A token of the world's training body (made once)."""
    from api.models import ApiToken
    from api.services import token_create

    existing = ApiToken.objects.filter(organisation=w.training_body).first()
    return existing or token_create(organisation=w.training_body, name="Logiciel", by=w.user("org_manager"))[0]


def statuses(default, **overrides):
    """A status per role: `default` for every logged-in role unless overridden; anonymous is sent to login."""
    table = {role: default for role in LOGGED_IN}
    table[ANON] = 302
    for role, status in overrides.items():
        table[role] = status
    return table


def by_sets(*pairs, default=404):
    """Statuses from (roles, status) pairs, the first pair naming a role wins."""
    table = {}
    for role in LOGGED_IN:
        table[role] = next((status for roles, status in pairs if role in roles), default)
    table[ANON] = 302
    return table


def ready_statement(world):
    """A built statement export of the world's session, with its (small) file."""
    export = StatementExport(
        session=world.session,
        month=world.today.replace(day=1),
        format=StatementExport.Format.CSV,
        status=StatementExport.Status.READY,
    )
    export.file.save("etat-de-presence.csv", ContentFile("\ufeffNom;Prénom\r\n".encode()), save=False)
    export.save()
    return export


def world_import(world):
    """A people file the pedagogical manager uploaded for the training body, not confirmed yet (made once)."""
    from pathways.imports import import_file_store
    from pathways.models import ImportFile

    manager = world.user("pedagogical_manager")
    existing = ImportFile.objects.filter(uploaded_by=manager).first()
    return existing or import_file_store(
        by=manager, organisation=world.training_body, kind="people", filename="personnes.csv", content=b"nom;prenom\r\n"
    )


# Who imports into a training body (issue 21): its pedagogical and organisation managers (the second region's
# manager runs a training body too).
IMPORTERS = {"pedagogical_manager", "org_manager", "other_region_manager"}


def declared_alert(world):
    """An alert: an abandon declared by the trainer on a second stage of the world's pathway, in the world's session
    (funded by the world's funder)."""
    from pathways.models import Stage
    from tests.pathways.factories import EnrolmentFactory, StageFactory
    from tests.ruptures.declaring import declare

    stage = StageFactory(
        pathway=world.pathway,
        organisation=world.training_body,
        status=Stage.Status.IN_PROGRESS,
        actual_start=world.stage.actual_start,
        planned_start=world.stage.planned_start,
    )
    EnrolmentFactory(stage=stage, session=world.session)
    return declare(world, stage=stage, main_cause="unforeseen.event").alert


def ready_attestation(world):
    from ruptures.models import SkillsAttestation

    attestation = SkillsAttestation(
        rupture=declared_alert(world).rupture, skills="Accueil du public", status=SkillsAttestation.Status.READY
    )
    attestation.file.save("attestation.pdf", ContentFile(b"%PDF-1.4 minimal"), save=False)
    attestation.save()
    return attestation


def charter_world(world):
    """The world's region runs the charter: the Région (the world's funder) runs the scheme, version 1 is
    published."""
    from tests.charter.factories import first_version

    if world.region.scheme_organisation_id is None:
        world.region.scheme_organisation = world.funder
        world.region.save(update_fields=["scheme_organisation"])
    return first_version(world.region)


def charter_signature(world):
    """The prescriber's signature of the charter in force, by its legal representative (made once)."""
    from charter.models import Signature
    from tests.charter.factories import sign

    version = charter_world(world)
    existing = Signature.objects.filter(organisation=world.prescriber, version=version).first()
    return existing or sign(world.prescriber, world.user("legal_representative"))


def charter_copy(world):
    from tests.charter.factories import ready_copy

    return ready_copy(charter_signature(world)).signature


def charter_draft(world):
    from charter.services import draft_create

    charter_world(world)
    return draft_create(by=world.user("regional_officer"), region=world.region)


def world_checklist(world):
    """The world's stage checklist, filled and submitted by the trainer, shared with prescriber and referent."""
    from checklist.models import Checklist
    from tests.checklist.factories import submitted

    existing = Checklist.objects.filter(stage=world.stage).first()
    return existing or submitted(world.stage, world.user("trainer"))[0]


def world_group(world):
    """A speaking group of the world's support structure on a second session of the world's training body, with one
    workshop (made once). The session has nobody enrolled, so the group widens no one's view of the world's person
    while the matrix runs."""
    import datetime

    from speaking_groups.models import SpeakingGroup, Workshop
    from tests.pathways.factories import SessionFactory

    group = SpeakingGroup.objects.filter(name="Groupe de la matrice").first()
    if group is None:
        group = SpeakingGroup.objects.create(
            support_organisation=world.support, training_body=world.training_body, name="Groupe de la matrice"
        )
        session = SessionFactory(training_action=world.session.training_action)
        group.sessions.add(session)
        group.facilitators.add(world.user("facilitator"))
        Workshop.objects.create(
            group=group,
            session=session,
            date=session.start_date,
            start_time=datetime.time(14),
            end_time=datetime.time(15),
            theme="Atelier de la matrice",
        )
    return group


def world_workshop(world):
    return world_group(world).workshops.get()


def world_dropin_slot(world):
    """A weekly drop-in slot of the matrix's group (made once)."""
    from django.utils import timezone

    from speaking_groups.models import DropInSlot

    group = world_group(world)
    slot = DropInSlot.objects.filter(group=group).first()
    return slot or DropInSlot.objects.create(
        group=group,
        weekday=min(timezone.localdate().weekday(), 5),
        start_time=datetime.time(10),
        place="Salle de la matrice",
        starts_on=timezone.localdate(),
    )


def world_dropin_booking(world):
    """An appointment at that slot (made once, straight in the table) of a person enrolled in the group's session
    (not the world's person, whom the group's facilitator does not see)."""
    from speaking_groups.models import DropInBooking
    from tests.pathways.factories import BeneficiaryFactory, EnrolmentFactory, PathwayFactory, StageFactory

    slot = world_dropin_slot(world)
    booking = DropInBooking.objects.filter(slot=slot).first()
    if booking is not None:
        return booking
    stage = StageFactory(
        pathway=PathwayFactory(beneficiary=BeneficiaryFactory(region=world.region, commune=world.commune)),
        organisation=world.training_body,
        in_progress=True,
    )
    EnrolmentFactory(stage=stage, session=slot.group.sessions.get())
    return DropInBooking.objects.create(
        slot=slot,
        date=slot.starts_on + datetime.timedelta(days=7),
        stage=stage,
        requested_via=DropInBooking.RequestedVia.PHONE,
        agreement_recorded=True,
    )


def world_hotline_call(world):
    """An anonymous call to the world's support structure (made once)."""
    from django.utils import timezone

    from speaking_groups.models import HotlineCall

    call = HotlineCall.objects.filter(support_organisation=world.support).first()
    return call or HotlineCall.objects.create(
        support_organisation=world.support,
        called_at=timezone.now(),
        duration_minutes=5,
        topic="content",
        outcome=HotlineCall.Outcome.LISTENED,
    )


def world_share(world):
    """A summary shared by the world's support structure with the world's referent (made once)."""
    from speaking_groups.models import ReferentShare

    share = ReferentShare.objects.filter(support_organisation=world.support).first()
    return share or ReferentShare.objects.create(
        stage=world.stage,
        support_organisation=world.support,
        recipient=world.user("prescriber_adviser"),
        summary="Synthèse de la matrice",
        consent_on=world.today,
        consent_scope="Tout",
        shared_by=world.user("facilitator"),
    )


def world_case(world):
    """A post-rupture case of the world's support structure, on a rupture of a second person enrolled in a session
    of its own that the structure's group runs on (made once): it widens no one's view of the world's person."""
    from pathways.models import Stage
    from ruptures.models import Rupture
    from speaking_groups.models import PostRuptureCase, SpeakingGroup
    from tests.pathways.factories import EnrolmentFactory, SessionFactory, StageFactory

    case = PostRuptureCase.objects.filter(support_organisation=world.support).first()
    if case is None:
        stage = StageFactory(
            organisation=world.training_body,
            status=Stage.Status.IN_PROGRESS,
            actual_start=world.today,
            # A name of its own: a random one may be the world's person's marker (SECRET_ZOE), which the facilitator
            # would then "see" on the case's pages, depending on the tests run before.
            pathway__beneficiary__first_name="Camille",
        )
        session = SessionFactory(training_action=world.session.training_action)
        EnrolmentFactory(stage=stage, session=session)
        # The structure runs a group on that session: its facilitators see the person of the case.
        group = SpeakingGroup.objects.create(
            support_organisation=world.support, training_body=world.training_body, name="Groupe des interventions"
        )
        group.sessions.add(session)
        rupture = Rupture.objects.create(
            stage=stage,
            kind=Rupture.Kind.ABANDON,
            occurred_on=world.today,
            main_cause="conditions.transport",
            identified_by=Rupture.IdentifiedBy.FACILITATOR,
            declared_by=world.user("facilitator"),
            declaring_organisation=world.support,
        )
        case = PostRuptureCase.objects.create(rupture=rupture, support_organisation=world.support)
    return case


def checklist_pdf(world):
    from tests.checklist.factories import ready_pdf

    return ready_pdf(world_checklist(world).revisions.get())


def world_objection(w):
    """The world's person objects to the second funder (made once): it sees nothing of her anyway."""
    from accounts.models import SharingObjection
    from pathways.models import Organisation

    existing = SharingObjection.objects.filter(beneficiary=w.beneficiary).first()
    if existing:
        return existing
    organisation = Organisation.objects.filter(region=w.region, kind="funder").exclude(pk=w.funder.pk).first()
    organisation = organisation or w.other_training_body
    return SharingObjection.objects.create(
        beneficiary=w.beneficiary, organisation=organisation, recorded_by=w.user("prescriber_adviser")
    )


def ready_notice_pdf(w):
    """A built PDF of the world's person's information notice (made once)."""
    from accounts.models import RightsDocument

    existing = RightsDocument.objects.filter(beneficiary=w.beneficiary, kind="notice").first()
    if existing:
        return existing
    document = RightsDocument(
        beneficiary=w.beneficiary,
        kind=RightsDocument.Kind.NOTICE,
        format=RightsDocument.Format.PDF,
        requested_by=w.user("prescriber_adviser"),
        status=RightsDocument.Status.READY,
    )
    document.file.save("notice.pdf", ContentFile(b"%PDF-1.4 minimal"), save=False)
    document.save()
    return document


def ready_list_export(w):
    """A built export of the people list, requested by the trainer and naming the world's person (made once)."""
    from pathways.models import ListExportDocument

    existing = ListExportDocument.objects.filter(requested_by=w.user("trainer")).first()
    if existing:
        return existing
    document = ListExportDocument(
        list_name="personnes",
        format=ListExportDocument.Format.CSV,
        requested_by=w.user("trainer"),
        status=ListExportDocument.Status.READY,
        people=[w.beneficiary.pk],
        row_count=1,
    )
    document.file.save("personnes.csv", ContentFile(b"Nom\r\nMartin\r\n"), save=False)
    document.save()
    return document


def world_invitation(w):
    """A pending invitation of the training body (by its manager) to an address that no role of the world holds."""
    from pathways.models import MembershipInvitation
    from pathways.services.memberships import membership_invite

    existing = MembershipInvitation.objects.filter(email="invitee@example.org").first()
    return existing or membership_invite(
        organisation=w.training_body,
        by=w.user("org_manager"),
        email="invitee@example.org",
        first_name="Inès",
        last_name="Invitée",
        role="trainer",
    )


CHECKLIST_STAFF = {"trainer", "pedagogical_manager", "org_manager"}
CHECKLIST_SHARED = CHECKLIST_STAFF | {"legal_representative", "prescriber_adviser"}
# The region's staff: its funders' regional officers and basin coordinators (the OPCO's officer included: it follows
# the charter of its region, without deciding on signatures).
REGIONAL_STAFF = {"regional_officer", "basin_coordinator", "other_funder_officer"}
CHARTER_READERS = {"legal_representative", "prescriber_adviser"} | REGIONAL_STAFF
PUBLIC = {**statuses(200), ANON: 200}
# The partner API answers a session user and an anonymous visitor alike: no token, 401.
API_TOKEN_ONLY = dict.fromkeys(ROLES, 401)


# url name → (kwargs builder, expected statuses)


def world_meeting(world):
    """The world's basin commission (the Région runs the scheme: its regional officer and the basin's coordinator
    run the commission; the trainer and the adviser are delegates) and a meeting, its agenda proposed (made once)."""
    import datetime as dt

    from commissions.models import Meeting
    from commissions.services.commissions import commission_setup
    from commissions.services.meetings import meeting_create
    from pathways.models import Membership

    existing = Meeting.objects.filter(commission__basin=world.basin).first()
    if existing is not None:
        return existing
    if world.region.scheme_organisation_id is None:
        world.region.scheme_organisation = world.funder
        world.region.save(update_fields=["scheme_organisation"])
    delegates = [world.memberships["trainer"], world.memberships["prescriber_adviser"]]
    commission = commission_setup(
        basin=world.basin,
        by=world.user("basin_coordinator"),
        organisations=[world.training_body, world.prescriber],
        delegates=list(Membership.objects.filter(pk__in=[m.pk for m in delegates])),
        cadence_weeks=6,
    )
    starts_at = dt.datetime.combine(world.today + dt.timedelta(days=7), dt.time(14), tzinfo=dt.UTC)
    return meeting_create(commission=commission, by=world.user("basin_coordinator"), starts_at=starts_at)


def world_agenda_item(world):
    """An item of the world's meeting: the first proposed, else a point added by the coordinator (the world's session
    may have started too long ago for its open places to be proposed)."""
    from commissions.services.meetings import item_add

    meeting = world_meeting(world)
    return meeting.items.order_by("pk").first() or item_add(
        meeting=meeting, by=world.user("basin_coordinator"), title="Point de situation"
    )


def world_report(world):
    """A built wide-distribution report of the world's meeting (shared by all who see the meeting), made once."""
    from commissions.models import CommissionReport

    meeting = world_meeting(world)
    existing = CommissionReport.objects.filter(meeting=meeting).first()
    if existing is not None:
        return existing
    report = CommissionReport(
        meeting=meeting,
        version=CommissionReport.Version.WIDE,
        requested_by=world.user("basin_coordinator"),
        status=CommissionReport.Status.READY,
    )
    report.file.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
    report.save()
    return report


MATRIX = {
    "pathways:home": (None, statuses(200)),
    "pathways:beneficiary_list": (None, statuses(200)),
    "pathways:beneficiary_create": (None, by_sets((ENROL, 200), default=403)),
    "pathways:beneficiary_detail": (lambda w: [w.beneficiary.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:beneficiary_update": (
        lambda w: [w.beneficiary.pk],
        by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403)),
    ),
    # Erasure ("anonymiser maintenant"): the platform administrator, and the DPO of an organisation that followed
    # the person (the training body's); those who follow the person may not (403), nobody else sees it (404).
    "pathways:beneficiary_anonymise": (
        lambda w: [w.beneficiary.pk],
        by_sets(({"admin", "dpo"}, 200), (SCOPE_PATHWAY, 403)),
    ),
    # The person already has an open pathway: those who may enrol are sent to it.
    "pathways:pathway_open": (
        lambda w: [w.beneficiary.pk],
        by_sets((SCOPE_PATHWAY & ENROL, 302), (SCOPE_PATHWAY, 403)),
    ),
    # Who accessed a person's record: their referent and the DPO of an organisation that sees them (the training
    # body's); others who see the person 403, anyone else 404 (tests/accounts/test_access_log.py).
    "pathways:beneficiary_access_log": (
        lambda w: [w.beneficiary.pk],
        by_sets(({"prescriber_adviser", "dpo"}, 200), (SCOPE_PATHWAY, 403)),
    ),
    # The access log's search and its export (POST): data-protection officers only.
    "pathways:access_log": (None, by_sets(({"dpo"}, 200), default=403)),
    "pathways:access_log_export": (None, statuses(405)),
    # The DPO answers a person's rights: a search by name (POST) for DPOs, 403 for others; the person's
    # data-protection page for the DPOs whose remit holds them (the training body's), 404 for anyone else
    # (tests/accounts/test_dpo_rights.py).
    "pathways:dpo_person_search": (None, by_sets(({"dpo"}, 200), default=403)),
    "pathways:dpo_person": (lambda w: [w.beneficiary.pk], by_sets(({"dpo"}, 200))),
    "pathways:dpo_access_export_request": (lambda w: [w.beneficiary.pk], statuses(405)),
    "pathways:dpo_notice_pdf_request": (lambda w: [w.beneficiary.pk], statuses(405)),
    # A region's retention durations: its DPO (the DPO of its scheme organisation; the world's region has none set,
    # tests/accounts/test_retention_settings.py), 403 for the region's other members, 404 for anyone else.
    "pathways:retention_settings": (lambda w: [w.region.pk], by_sets((REGION_MEMBERS, 403))),
    "pathways:adviser_options": (None, statuses(200)),
    # Rights of the person: the notice is read by whoever sees the person; managing the pathway records the rest.
    "pathways:notice": (lambda w: [w.beneficiary.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:notice_handover": (lambda w: [w.beneficiary.pk], statuses(405)),
    "pathways:objection_create": (
        lambda w: [w.beneficiary.pk],
        by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403)),
    ),
    "pathways:objection_withdraw": (lambda w: [world_objection(w).pk], statuses(405)),
    "pathways:notice_pdf_request": (lambda w: [w.beneficiary.pk], statuses(405)),
    "pathways:access_export_request": (lambda w: [w.beneficiary.pk], statuses(405)),
    "pathways:rights_document_download": (lambda w: [ready_notice_pdf(w).pk], by_sets((SCOPE_PATHWAY, 200))),
    # A long list's export: its requester's alone (404 for anyone else, a deactivated member included).
    "pathways:list_export_detail": (lambda w: [ready_list_export(w).pk], by_sets(({"trainer"}, 200))),
    "pathways:list_export_download": (lambda w: [ready_list_export(w).pk], by_sets(({"trainer"}, 200))),
    "pathways:join_request_list": (None, statuses(200)),
    "pathways:join_request_create": (None, statuses(405)),
    "pathways:join_request_decide": (lambda w: [w.join_request.pk], statuses(405)),
    "pathways:pathway_list": (None, statuses(200)),
    "pathways:pathway_detail": (lambda w: [w.pathway.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:pathway_update": (
        lambda w: [w.pathway.pk],
        by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403)),
    ),
    "pathways:pathway_close": (
        lambda w: [w.pathway.pk],
        by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403)),
    ),
    "pathways:stage_create": (lambda w: [w.pathway.pk], by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403))),
    "pathways:stage_update": (lambda w: [w.stage.pk], by_sets((MANAGE_PATHWAY, 200), (SCOPE_PATHWAY, 403))),
    # The training body's staff record the life of the stages it holds.
    "pathways:stage_start": (lambda w: [w.stage.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:stage_suspend": (lambda w: [w.stage.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:stage_resume": (lambda w: [w.stage.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:stage_exit": (lambda w: [w.stage.pk], by_sets((SCOPE_PATHWAY, 200))),
    "pathways:session_list": (None, statuses(200)),
    # Imports with a preview: the training bodies' managers; an upload is its uploader's only.
    "pathways:people_import": (None, by_sets((IMPORTERS, 200), default=403)),
    "pathways:lheo_import": (None, by_sets((IMPORTERS, 200), default=403)),
    "pathways:people_import_template": (None, statuses(200)),
    "pathways:import_preview": (lambda w: [world_import(w).pk], by_sets(({"pedagogical_manager"}, 200))),
    "pathways:import_confirm": (lambda w: [world_import(w).pk], statuses(405)),
    "pathways:session_detail": (lambda w: [w.session.pk], by_sets((REGION_MEMBERS, 200))),
    "pathways:session_update": (
        lambda w: [w.session.pk],
        by_sets((OFFER_MANAGERS, 200), ({"trainer"}, 403)),
    ),
    # A training body's offer: read by its staff, run by its managers; another body's actions are out of scope.
    "pathways:training_action_list": (None, by_sets((OFFER_STAFF, 200), default=403)),
    "pathways:training_action_create": (None, by_sets((OFFER_MANAGERS | {"other_region_manager"}, 200), default=403)),
    "pathways:training_action_detail": (
        lambda w: [w.session.training_action_id],
        by_sets((ATTENDANCE_STAFF, 200)),
    ),
    "pathways:training_action_update": (
        lambda w: [w.session.training_action_id],
        by_sets((OFFER_MANAGERS, 200), ({"trainer"}, 403)),
    ),
    "pathways:training_action_deactivate": (lambda w: [w.session.training_action_id], statuses(405)),
    "pathways:session_create": (
        lambda w: [w.session.training_action_id],
        by_sets((OFFER_MANAGERS, 200), ({"trainer"}, 403)),
    ),
    # The pickers' answers: reference data of the user's region (none for a user without a membership).
    "pathways:commune_options": (None, statuses(200)),
    "pathways:organisation_options": (None, statuses(200)),
    "pathways:membership_list": (lambda w: [w.training_body.pk], by_sets((TRAINING_BODY_MEMBERS, 200))),
    "pathways:member_add": (
        lambda w: [w.training_body.pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    # Making the second factor mandatory for the organisation's members: a POST of its manager
    # (tests/pathways/test_organisation_two_factor.py).
    "pathways:organisation_two_factor_update": (lambda w: [w.training_body.pk], statuses(405)),
    "pathways:membership_update": (
        lambda w: [w.memberships["trainer"].pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    "pathways:membership_deactivate": (
        lambda w: [w.memberships["trainer"].pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    "pathways:membership_reactivate": (lambda w: [w.memberships["trainer"].pk], statuses(405)),
    # Invitations: everyone reads their own; answered by the invited account, sent again or cancelled by the managers
    # who may grant the role (all POST: see tests/pathways/test_membership_invitations.py).
    "pathways:membership_invitation_list": (None, statuses(200)),
    "pathways:membership_invitation_accept": (lambda w: [world_invitation(w).pk], statuses(405)),
    "pathways:membership_invitation_decline": (lambda w: [world_invitation(w).pk], statuses(405)),
    "pathways:membership_invitation_resend": (lambda w: [world_invitation(w).pk], statuses(405)),
    "pathways:membership_invitation_cancel": (lambda w: [world_invitation(w).pk], statuses(405)),
    # Attendance: the sheets, calendars and drifts of a training body are its staff's; lists are empty for others.
    "attendance:today": (None, statuses(200)),
    "attendance:sheet": (lambda w: [w.session.pk, w.today.isoformat()], by_sets((ATTENDANCE_STAFF, 200))),
    "attendance:sheet_all_present": (lambda w: [w.session.pk, w.today.isoformat()], statuses(405)),
    "attendance:calendar": (lambda w: [w.session.pk], by_sets((ATTENDANCE_STAFF, 200))),
    "attendance:calendar_generate": (lambda w: [w.session.pk], statuses(405)),
    "attendance:company_period_create": (lambda w: [w.session.pk], statuses(405)),
    "attendance:company_period_delete": (lambda w: [w.company_period.pk], statuses(405)),
    "attendance:slot_cancel": (lambda w: [w.slot.pk], statuses(405)),
    "attendance:slot_restore": (lambda w: [w.slot.pk], statuses(405)),
    "attendance:watch_list": (None, statuses(200)),
    "attendance:presumed_list": (None, statuses(200)),
    "attendance:drift_detail": (lambda w: [w.drift.pk], by_sets((ATTENDANCE_STAFF, 200))),
    "attendance:follow_up_create": (lambda w: [w.drift.pk], statuses(405)),
    "attendance:drift_decide": (lambda w: [w.drift.pk], statuses(405)),
    "attendance:statements": (lambda w: [w.session.pk], by_sets((ATTENDANCE_STAFF, 200))),
    "attendance:statement_download": (lambda w: [ready_statement(w).pk], by_sets((ATTENDANCE_STAFF, 200))),
    # Notifications: everyone has an inbox; a notification is only ever its recipient's.
    "notifications:inbox": (None, statuses(200)),
    "notifications:open": (lambda w: [w.notification.pk], statuses(405)),
    "notifications:mark_all_read": (None, statuses(405)),
    # Everyone chooses their own channels.
    "notifications:preferences": (None, statuses(200)),
    # Ruptures and alerts: declared by those who record the stage's life; an alert is seen by those who see the
    # pathway and by those it was sent to (the funder's regional officer); the inbox organisation acts on it.
    "alerts:alert_list": (None, statuses(200)),
    "alerts:alert_badge": (None, statuses(200)),
    "alerts:alert_detail": (
        lambda w: [declared_alert(w).pk],
        by_sets((SCOPE_PATHWAY | {"regional_officer"}, 200)),
    ),
    "alerts:alert_acknowledge": (lambda w: [declared_alert(w).pk], statuses(405)),
    "alerts:alert_act": (lambda w: [declared_alert(w).pk], statuses(405)),
    "ruptures:rupture_create": (lambda w: [w.stage.pk], by_sets((SCOPE_PATHWAY, 200))),
    "alerts:routing_update": (
        lambda w: [w.training_body.pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    "ruptures:attestation_request": (lambda w: [declared_alert(w).pk], statuses(405)),
    "ruptures:attestation_download": (lambda w: [ready_attestation(w).pk], by_sets((SCOPE_PATHWAY, 200))),
    # Charter: everyone reads it; an organisation's legal representative signs and withdraws; its members and the
    # region's staff see its signatures; the regional officers of the organisation that runs the scheme in the region
    # decide and publish (never on their own signature). Verification and the signatories are public.
    "charter:current": (None, statuses(200)),
    "charter:version_detail": (lambda w: [charter_world(w).region.code, 1], statuses(200)),
    # The address of a version before the charter became regional: sent to the reader's region's version.
    "charter:version_detail_of_my_region": (
        lambda w: [charter_world(w).number],
        {**statuses(302), "other_region_manager": 404},  # the second region has published no charter yet
    ),
    "charter:sign": (
        lambda w: [w.prescriber.pk],
        by_sets(({"legal_representative"}, 200), ({"prescriber_adviser"}, 403)),
    ),
    # A platform administrator reads every signature: they decide where no organisation may (the scheme
    # organisation's own signature, a region without one); here the Région runs the scheme, so they do not.
    "charter:signature_detail": (lambda w: [charter_signature(w).pk], by_sets((CHARTER_READERS | {"admin"}, 200))),
    "charter:signature_download": (lambda w: [charter_copy(w).pk], by_sets((CHARTER_READERS | {"admin"}, 200))),
    "charter:signature_withdraw": (
        lambda w: [charter_signature(w).pk],
        by_sets(({"legal_representative"}, 200), (CHARTER_READERS | {"admin"}, 403)),
    ),
    "charter:signature_validate": (lambda w: [charter_signature(w).pk], statuses(405)),
    "charter:signature_refuse": (
        lambda w: [charter_signature(w).pk],
        by_sets(({"regional_officer"}, 200), (CHARTER_READERS | {"admin"}, 403)),
    ),
    "charter:overview": (None, by_sets((REGIONAL_STAFF, 200), default=403)),
    "charter:remind": (None, statuses(405)),
    "charter:draft_create": (None, statuses(405)),
    "charter:draft_edit": (lambda w: [charter_draft(w).pk], by_sets(({"regional_officer"}, 200))),
    "charter:draft_publish": (lambda w: [charter_draft(w).pk], statuses(405)),
    "charter:verify_lookup": (None, PUBLIC),
    "charter:verify": (lambda w: [charter_signature(w).code], PUBLIC),
    # Two regions (the world's and the adversaries'): the index lists them.
    "charter:signatories": (None, PUBLIC),
    "charter:region_signatories": (lambda w: [w.region.code], PUBLIC),
    "charter:basin_signatories": (lambda w: [w.region.code, w.basin.code], PUBLIC),
    # The commitment scorecard of a region: its regional staff (every signatory's row) and its organisation managers
    # (their own row beside the region's total); other members of the region 403, anyone else 404. The indicators'
    # definitions are read by every logged-in user.
    "dashboards:scorecard": (
        lambda w: [w.region.code],
        by_sets((REGIONAL_STAFF | {"org_manager", "legal_representative"}, 200), (REGION_MEMBERS, 403)),
    ),
    "dashboards:indicators": (None, statuses(200)),
    # The pre-entry checklist: filled by the training body's staff; read by the prescriber and the referent the
    # person agreed to share it with (the world's checklist is shared with both).
    "checklist:list": (None, statuses(200)),
    "checklist:start": (lambda w: [w.stage.pk], statuses(405)),
    "checklist:detail": (lambda w: [world_checklist(w).pk], by_sets((CHECKLIST_SHARED, 200))),
    "checklist:edit": (
        lambda w: [world_checklist(w).pk],
        by_sets((CHECKLIST_STAFF, 200), (CHECKLIST_SHARED, 403)),
    ),
    "checklist:section_save": (
        lambda w: [world_checklist(w).pk, world_checklist(w).template.sections.first().pk],
        statuses(405),
    ),
    "checklist:consent_save": (lambda w: [world_checklist(w).pk], statuses(405)),
    "checklist:submit": (lambda w: [world_checklist(w).pk], statuses(405)),
    "checklist:pdf_request": (lambda w: [world_checklist(w).pk], statuses(405)),
    "checklist:pdf_download": (
        lambda w: [checklist_pdf(w).pk],
        by_sets((CHECKLIST_STAFF, 200), (CHECKLIST_SHARED, 403)),
    ),
    # Speaking groups: run by the support structure's facilitators; the training body's staff see the group and its
    # workshops' calendar (not the notes nor who came); everyone else gets 404. Any member reaches the list.
    "speaking_groups:group_list": (None, statuses(200)),
    "speaking_groups:group_create": (None, by_sets((FACILITATORS, 200), default=403)),
    "speaking_groups:group_detail": (lambda w: [world_group(w).pk], by_sets((GROUP_READERS, 200))),
    "speaking_groups:group_edit": (
        lambda w: [world_group(w).pk],
        by_sets(({"facilitator"}, 200), (GROUP_READERS, 403)),
    ),
    "speaking_groups:workshop_create": (
        lambda w: [world_group(w).pk],
        by_sets(({"facilitator"}, 200), (GROUP_READERS, 403)),
    ),
    "speaking_groups:workshop_detail": (lambda w: [world_workshop(w).pk], by_sets((GROUP_READERS, 200))),
    "speaking_groups:workshop_attendance": (lambda w: [world_workshop(w).pk], statuses(405)),
    "speaking_groups:workshop_notes": (lambda w: [world_workshop(w).pk], statuses(405)),
    "speaking_groups:workshop_cancel": (lambda w: [world_workshop(w).pk], statuses(405)),
    "speaking_groups:hotline_signal": (lambda w: [world_hotline_call(w).pk], statuses(405)),
    # Feedback on the training: the structure's facilitators write, the training body's pedagogical and organisation
    # managers read and answer; its trainers and everyone else get 404.
    "speaking_groups:feedback_list": (
        lambda w: [world_group(w).pk],
        by_sets(({"facilitator", "pedagogical_manager", "org_manager"}, 200)),
    ),
    "speaking_groups:feedback_create": (
        lambda w: [world_group(w).pk],
        by_sets(({"facilitator"}, 200), ({"pedagogical_manager", "org_manager"}, 403)),
    ),
    "speaking_groups:feedback_reply": (lambda w: [1], statuses(405)),
    # Hotline, network work and shares: the facilitators' own pages; the matrix's group has nobody enrolled, so no
    # facilitator follows the world's person here (tests/speaking_groups/test_support.py covers one who does).
    "speaking_groups:support_hotline": (None, by_sets((FACILITATORS, 200))),
    "speaking_groups:support_network_list": (None, by_sets((FACILITATORS, 200))),
    "speaking_groups:support_network_person": (lambda w: [w.stage.pk], by_sets()),
    "speaking_groups:support_share_create": (lambda w: [w.stage.pk], by_sets()),
    "speaking_groups:support_share_list": (None, statuses(200)),
    "speaking_groups:support_share_detail": (
        lambda w: [world_share(w).pk],
        by_sets(({"prescriber_adviser"}, 200)),  # the matrix's facilitator does not follow the world's person
    ),
    # Drop-in hours: the slots are the group's calendar; who booked is the support structure's alone.
    "speaking_groups:dropin_slots": (lambda w: [world_group(w).pk], by_sets((GROUP_READERS, 200))),
    "speaking_groups:dropin_slot_create": (
        lambda w: [world_group(w).pk],
        by_sets(({"facilitator"}, 200), (GROUP_READERS, 403)),
    ),
    "speaking_groups:dropin_slot_detail": (
        lambda w: [world_dropin_slot(w).pk],
        by_sets(({"facilitator"}, 200), (GROUP_READERS, 403)),
    ),
    "speaking_groups:dropin_booking_create": (
        lambda w: [world_dropin_slot(w).pk],
        by_sets(({"facilitator"}, 200), (GROUP_READERS, 403)),
    ),
    "speaking_groups:dropin_booking_detail": (
        lambda w: [world_dropin_booking(w).pk],
        by_sets(({"facilitator"}, 200)),
    ),
    "speaking_groups:dropin_booking_status": (lambda w: [world_dropin_booking(w).pk], statuses(405)),
    "speaking_groups:dropin_booking_notes": (lambda w: [world_dropin_booking(w).pk], statuses(405)),
    # Post-rupture cases: their support structure's facilitators only (a facilitator of another structure reaches
    # an empty list, never the case); every write is a POST.
    "speaking_groups:case_list": (None, by_sets((FACILITATORS, 200))),
    "speaking_groups:case_detail": (lambda w: [world_case(w).pk], by_sets(({"facilitator"}, 200))),
    "speaking_groups:case_entry_create": (lambda w: [world_case(w).pk], statuses(405)),
    "speaking_groups:case_outcome": (lambda w: [world_case(w).pk], statuses(405)),
    "speaking_groups:case_open": (lambda w: [world_case(w).rupture.pk], statuses(405)),
    # Dashboards: the region's map and its basins for regional staff (the world's funder's officer and coordinator,
    # and the second funder's officer: aggregates of their region; a basin of another region is a 404); an
    # organisation's dashboard for its managers (a training body's staff who are not managers: 403; anyone else:
    # 404); the drill-down behind a figure under the same rules as the dashboard it comes from.
    "dashboards:region": (None, by_sets((REGIONAL_STAFF, 200), default=403)),
    "dashboards:basin": (lambda w: [w.basin.pk], by_sets((REGIONAL_STAFF, 200))),
    "dashboards:organisation": (
        lambda w: [w.training_body.pk],
        by_sets(({"org_manager", "pedagogical_manager"}, 200), ({"trainer", "dpo"}, 403)),
    ),
    "dashboards:drilldown": (lambda w: ["entrees"], by_sets()),
    "notifications:todo_list": (None, statuses(200)),
    "notifications:todo_done": (lambda w: [1], statuses(405)),
    # Accounts: public pages answer everyone; a logged-in user is sent home from the login page.
    "accounts:login": (None, {**statuses(302), ANON: 200}),
    "accounts:logout": (None, statuses(405)),
    "accounts:password_reset": (None, {**statuses(200), ANON: 200}),
    "accounts:password_reset_done": (None, {**statuses(200), ANON: 200}),
    "accounts:password_reset_confirm": (lambda w: ["MQ", "invalid-token"], {**statuses(200), ANON: 200}),
    "accounts:password_reset_complete": (None, {**statuses(200), ANON: 200}),
    "accounts:password_change": (None, statuses(200)),
    "accounts:password_change_done": (None, statuses(200)),
    "accounts:set_language": (None, {**statuses(405), ANON: 405}),
    # "Rester connecté" before the session ends: a POST of a logged-in user (tests/accounts/test_sessions.py).
    "accounts:session_ping": (None, statuses(405)),
    # Two-factor authentication: every logged-in user's own (tests/accounts/test_twofactor.py); without a device the
    # verification page sends on to the page asked for (home here).
    "accounts:twofactor": (None, statuses(200)),
    "accounts:twofactor_verify": (None, statuses(302)),
    "accounts:twofactor_enrol": (None, statuses(200)),
    "accounts:twofactor_backup_codes": (None, statuses(200)),
    "accounts:twofactor_backup_codes_regenerate": (None, statuses(405)),
    "accounts:twofactor_remove": (None, statuses(405)),
    # ProConnect is off unless configured (tests/accounts/test_proconnect.py tries them configured).
    "accounts:proconnect_login": (None, {**statuses(404), ANON: 404}),
    "accounts:proconnect_callback": (None, {**statuses(404), ANON: 404}),
    "healthz": (None, {**statuses(200), ANON: 200}),
    # The legal pages (accounts/legal.py): public, linked from every page's footer.
    "legal:accessibility": (None, PUBLIC),
    "legal:legal_notice": (None, PUBLIC),
    "legal:personal_data": (None, PUBLIC),
    "legal:help": (None, PUBLIC),
    # The admin site checks is_staff itself; its index stands for it here (see test_admin_pages_are_staff_only).
    "admin:index": (None, {**statuses(302), "admin": 200}),
    # Commissions (issue 19): run by the scheme's regional officers and the basin's coordinator, read by delegates.
    "commissions:commission_list": (None, statuses(200)),
    # The month calendar is scoped like the list: everyone gets the page, each with only their commissions' meetings.
    "commissions:meeting_calendar": (None, statuses(200)),
    "commissions:commission_setup": (
        lambda w: [world_meeting(w).commission.basin_id],
        by_sets((COMMISSION_MANAGERS, 200)),
    ),
    "commissions:commission_detail": (
        lambda w: [world_meeting(w).commission_id],
        by_sets((COMMISSION_MANAGERS | COMMISSION_DELEGATES, 200)),
    ),
    "commissions:meeting_create": (
        lambda w: [world_meeting(w).commission_id],
        by_sets((COMMISSION_MANAGERS, 200), (COMMISSION_DELEGATES, 403)),
    ),
    "commissions:meeting_detail": (
        lambda w: [world_meeting(w).pk],
        by_sets((COMMISSION_MANAGERS | COMMISSION_DELEGATES, 200)),
    ),
    "commissions:meeting_edit": (
        lambda w: [world_meeting(w).pk],
        by_sets((COMMISSION_MANAGERS, 200), (COMMISSION_DELEGATES, 403)),
    ),
    "commissions:meeting_cancel": (
        lambda w: [world_meeting(w).pk],
        by_sets((COMMISSION_MANAGERS, 200), (COMMISSION_DELEGATES, 403)),
    ),
    "commissions:meeting_ics": (
        lambda w: [world_meeting(w).pk],
        by_sets((COMMISSION_MANAGERS | COMMISSION_DELEGATES, 200)),
    ),
    "commissions:item_add": (lambda w: [world_meeting(w).pk], statuses(405)),
    "commissions:item_remove": (lambda w: [world_agenda_item(w).pk], statuses(405)),
    "commissions:attendance_record": (lambda w: [world_meeting(w).pk], statuses(405)),
    "commissions:decision_create": (lambda w: [world_agenda_item(w).pk], statuses(405)),
    # The commission report: asked for, followed and downloaded by whoever sees the meeting (a members' version by
    # its requester alone: tests/commissions/test_report_views.py).
    "commissions:report_list": (
        lambda w: [world_meeting(w).pk],
        by_sets((COMMISSION_MANAGERS | COMMISSION_DELEGATES, 200)),
    ),
    "commissions:report_request": (lambda w: [world_meeting(w).pk], statuses(405)),
    "commissions:report_download": (
        lambda w: [world_report(w).pk],
        by_sets((COMMISSION_MANAGERS | COMMISSION_DELEGATES, 200)),
    ),
    "commissions:report_retry": (lambda w: [world_report(w).pk], statuses(405)),
    # The partner API (docs/api.md): a token only, never a session, so every page user and the anonymous visitor
    # get 401 (tests/api/ tries each endpoint with tokens of each organisation). Its schema and documentation are
    # public. An organisation's tokens are its managers' (its other members: 403; everyone else: 404).
    **{
        name: (kwargs, API_TOKEN_ONLY)
        for name, kwargs in [
            ("api:pathway-list", None),
            ("api:pathway-detail", lambda w: [w.pathway.pk]),
            ("api:stage-list", None),
            ("api:stage-detail", lambda w: [w.stage.pk]),
            ("api:stage-declare-rupture", lambda w: [w.stage.pk]),
            ("api:rupture-list", None),
            ("api:rupture-detail", lambda w: [declared_alert(w).rupture.pk]),
            ("api:alert-list", None),
            ("api:alert-detail", lambda w: [declared_alert(w).pk]),
        ]
    },
    "api:schema": (None, PUBLIC),
    "api:docs": (None, PUBLIC),
    "api:token_list": (
        lambda w: [w.training_body.pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    "api:token_create": (
        lambda w: [w.training_body.pk],
        by_sets(({"org_manager"}, 200), (TRAINING_BODY_MEMBERS, 403)),
    ),
    "api:token_revoke": (lambda w: [world_api_token(w).pk], statuses(405)),
}


def project_url_names():
    """Every named URL pattern reachable from the root URLconf, admin model pages aside."""
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                walk(entry.url_patterns, inner or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return {name for name in names if not name.startswith("admin:") or name == "admin:index"}


def test_every_url_has_an_entry_in_the_matrix():
    missing = project_url_names() - set(MATRIX)
    assert not missing, f"URLs without an authorization entry: {sorted(missing)}"
    stale = set(MATRIX) - project_url_names()
    assert not stale, f"Matrix entries for URLs that no longer exist: {sorted(stale)}"


def test_every_role_has_a_column():
    for name, (_, expected) in MATRIX.items():
        assert set(expected) == set(ROLES), name


@pytest.mark.parametrize("role", ROLES)
def test_role_gets_the_expected_status_on_every_url(world, adversaries, client_for, role):
    client = client_for(world.user(role))
    failures = []
    for name, (kwargs, expected) in MATRIX.items():
        url = reverse(name, args=kwargs(world) if kwargs else None)
        response = client.get(url)
        if response.streaming:  # read a download to its end, as a browser would: that closes its file
            b"".join(response.streaming_content)
        if response.status_code != expected[role]:
            failures.append(f"{name} {url}: {response.status_code}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_login_with_next(world, client):
    url = reverse("pathways:pathway_detail", args=[world.pathway.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url


def test_admin_pages_are_staff_only(world, client_for):
    from django.contrib import admin

    model_urls = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    assert len(model_urls) >= 10
    staff = client_for(world.user("admin"))
    for url in model_urls:
        assert staff.get(url).status_code == 200, url
    manager = client_for(world.user("org_manager"))
    for url in model_urls:
        response = manager.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, url
