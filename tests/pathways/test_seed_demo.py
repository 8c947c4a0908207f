"""`manage.py seed_demo`: the demo world is complete, obeys the rules, and a second run changes nothing."""

import datetime
import re
from collections import Counter
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert
from alerts.services import ALERT_CHANNELS
from attendance.demo import DEMO_TRAINER
from attendance.models import CompanyPeriod, Drift, Mark, Slot
from attendance.services import escalate, evaluate_session
from charter.models import CharterVersion, Signature, SignatureCopy, SignatureEvent
from charter.status import OrganisationStatus, organisation_statuses
from checklist.models import Checklist, ChecklistRevision
from checklist.stats import effect
from core.tasks import DOCUMENTS_QUEUE
from dashboards.models import MonthlyRollup
from notifications.models import Notification, Todo
from notifications.services import wanted_channels
from pathways.management.commands.seed_demo import ADMIN_EMAIL, DEMO_DOMAIN, DEMO_PASSWORD, LOGIN_LABELS, SITE_URL
from pathways.management.demo_population import BASINS as BACKGROUND_BASINS
from pathways.models import (
    Basin,
    Beneficiary,
    JoinRequest,
    Membership,
    Organisation,
    Pathway,
    Region,
    Session,
    Stage,
    StageTransition,
)
from ruptures.models import CAUSE_FAMILIES, Rupture
from ruptures.rates import cohort_for, percent, re_engagement, rupture_rate

pytestmark = pytest.mark.django_db

Role = Membership.Role


def models():
    """Every table the seed touches: pathways, accounts, attendance, notifications (with their many-to-many tables),
    the audit log."""
    return [
        *apps.get_app_config("pathways").get_models(include_auto_created=True),
        *apps.get_app_config("accounts").get_models(include_auto_created=True),
        *apps.get_app_config("attendance").get_models(include_auto_created=True),
        *apps.get_app_config("notifications").get_models(include_auto_created=True),
        *apps.get_app_config("alerts").get_models(include_auto_created=True),
        *apps.get_app_config("ruptures").get_models(include_auto_created=True),
        *apps.get_app_config("charter").get_models(include_auto_created=True),
        *apps.get_app_config("checklist").get_models(include_auto_created=True),
        LogEntry,
    ]


def snapshot():
    """Every row of every touched table, so a second run is shown to change nothing (not only to add nothing)."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in models()}


def counts():
    return {model._meta.label: model.objects.count() for model in models()}


def test_seed_is_complete_and_idempotent(client, published_tasks):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    # The workers get no backlog that would delay a newcomer's first alerts: the demo's notifications are history
    # (delivered, nothing sent), its rule evaluations are done; only its documents go, to their own queue.
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()
    assert Notification.objects.filter(status=Notification.Status.DELIVERED).exists()
    assert {queue for _task, queue in published_tasks} == {DOCUMENTS_QUEUE}
    assert len(published_tasks) == SignatureCopy.objects.count() > 0
    first_counts, first_rows = counts(), snapshot()
    printed = check_output_names_a_login_per_role(out.getvalue())
    check_readme_walkthrough(printed)

    call_command("seed_demo", quiet=True, stdout=StringIO())
    assert counts() == first_counts
    assert snapshot() == first_rows
    assert first_counts["pathways.StageTransition"] == StageTransition.objects.count() > 0
    assert first_counts["auditlog.LogEntry"] > 0
    for label in (
        "attendance.Slot",
        "attendance.Mark",
        "attendance.MarkChange",
        "attendance.Drift",
        "attendance.FollowUpAttempt",
        "attendance.CompanyPeriod",
        "notifications.Notification",
        "ruptures.Rupture",
        "ruptures.RuptureCause",
        "alerts.Alert",
        "alerts.AlertAction",
        "charter.CharterVersion",
        "charter.Signature",
        "charter.SignatureEvent",
        "charter.SignatureCopy",
        "checklist.Checklist",
        "checklist.ChecklistAnswer",
        "checklist.ChecklistRevision",
        "notifications.Todo",
    ):
        assert first_counts[label] > 0, label

    # Territory: the real basins of Nouvelle-Aquitaine from the committed INSEE extract.
    region = Region.objects.get(code="75")
    assert region.basins.filter(code="7505", name="Bordeaux").exists()
    assert region.basins.count() >= 5

    # Organisations: a dozen of each kind, each serving basins; every prescriber kind is represented.
    kinds = dict(Organisation.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    assert all(kinds.get(kind, 0) >= 12 for kind in Organisation.Kind.values), kinds
    assert not Organisation.objects.filter(basins=None).exists()
    assert {"INSUP Cenon", "MPS Artigues", "INSUP Ambarès"} <= set(Organisation.objects.values_list("name", flat=True))
    prescriber_kinds = set(Organisation.objects.filter(kind="prescriber").values_list("prescriber_kind", flat=True))
    assert prescriber_kinds >= set(Organisation.PrescriberKind.values) - {"other"}

    # Accounts: every role, valid for its organisation's kind; a legal representative per organisation.
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    for membership in Membership.objects.select_related("organisation"):
        assert membership.organisation.kind in Membership.ROLE_KINDS[membership.role]
    without_representative = Organisation.objects.exclude(
        memberships__in=Membership.objects.filter(role=Role.ORG_MANAGER, is_legal_representative=True)
    )
    assert not without_representative.exists()
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_staff and admin.is_superuser and not admin.memberships.exists()
    assert not User.objects.exclude(email__endswith=DEMO_DOMAIN).exists()
    assert User.objects.values("password").distinct().count() == 1  # hashed once

    # People and pathways: the ~200 named stories, and the background population beside them.
    background = Q(created_by__email__endswith=f"fictif.{DEMO_DOMAIN}")
    assert 190 <= Beneficiary.objects.exclude(background).count() <= 210
    assert 2500 <= Beneficiary.objects.filter(background).count() <= 3000
    assert Pathway.objects.count() >= Beneficiary.objects.count()
    assert set(Stage.objects.values_list("status", flat=True)) == set(Stage.Status.values)
    assert set(Stage.objects.values_list("kind", flat=True)) >= {
        "orientation",
        "pre_qualification",
        "qualifying_training",
        "immersion",
        "apprenticeship",
        "employment",
    }
    assert Pathway.objects.filter(prescribing_organisation=None).exists()
    assert Pathway.objects.filter(status=Pathway.Status.CLOSED).exists()
    chained = Pathway.objects.annotate(n=Count("stages")).filter(n__gte=3)
    assert chained.exists()
    referent_roles = set(
        Membership.objects.filter(user__referent_pathways__isnull=False).values_list("role", flat=True)
    )
    assert {Role.PRESCRIBER_ADVISER, Role.TRAINER, Role.PEDAGOGICAL_MANAGER} <= referent_roles
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count() >= 3
    # The history names who did what.
    assert not StageTransition.objects.filter(by=None).exists()
    assert not LogEntry.objects.filter(actor=None).exists()

    # Attendance: sheets filled through the services, company periods, a closure, and people drifting on the demo
    # trainer's watch list, some of them presumed ruptures.
    cenon = Session.objects.filter(training_action__training_body__name="INSUP Cenon")
    assert Mark.objects.filter(slot__session__in=cenon).exists()
    assert CompanyPeriod.objects.filter(stage=None).exists() and CompanyPeriod.objects.exclude(stage=None).exists()
    assert Slot.objects.filter(cancelled=True).exclude(cancel_reason="").exists()
    watched = Drift.objects.live().filter(stage__enrolment__session__in=cenon)
    assert watched.count() >= 3
    assert watched.filter(status=Drift.Status.PRESUMED).exists()
    assert watched.filter(status=Drift.Status.OPEN).exists()
    assert Drift.objects.filter(closure=Drift.Closure.REACHED).exists()
    trainer = User.objects.get(email=DEMO_TRAINER)
    assert set(cenon) <= set(trainer.trained_sessions.all())
    assert set(watched) <= set(Drift.objects.for_user(trainer))
    # The story is told as of today: the worker evaluating every session again, and the escalation job, change
    # nothing.
    assert all(not any(evaluate_session(session_id=pk).values()) for pk in Session.objects.values_list("pk", flat=True))
    assert not any(escalate().values())

    # Ruptures: the printed adviser's alert inbox holds an alert in each state, declared through the service (the
    # stage followed it, the notification rows are written) and away from the watch list; most are on their own
    # pathways, the others on their colleagues' (the organisation's inbox they work from too).
    adviser = User.objects.get(email=printed["Conseiller·ère prescripteur·rice"])
    alerts = Alert.objects.for_user(adviser)
    assert alerts.filter(rupture__stage__pathway__prescribing_adviser=adviser).exists()
    assert alerts.filter(status=Alert.Status.NEW, escalated_at=None).exists()
    assert alerts.filter(status=Alert.Status.NEW).exclude(escalated_at=None).exists()
    assert alerts.filter(status=Alert.Status.ACTED, actions__isnull=False).exists()
    assert {"abandon", "interruption"} <= set(alerts.values_list("rupture__kind", flat=True))
    for alert in alerts.filter(kind="rupture").select_related("rupture__stage__pathway"):
        assert alert.rupture.stage.status != Stage.Status.IN_PROGRESS
        prescribing_adviser = alert.rupture.stage.pathway.prescribing_adviser_id
        assert Notification.objects.filter(cause_key=f"alert:{alert.pk}", recipient=prescribing_adviser).exists()
        assert not Drift.objects.live().filter(stage=alert.rupture.stage).exists()
    # Dated by their declarations, over several days.
    assert len({timezone.localtime(alert.created_at).date() for alert in alerts}) >= 3

    # The charter: a mix of signed, to-renew, unsigned and withdrawn organisations; the region requires it for
    # named alerts, the printed adviser's and trainer's organisations have signed the version in force, the
    # Région has not (its printed legal representative may sign), and one alert is held for an unsigned prescriber.
    statuses = organisation_statuses(Organisation.objects.filter(region=region))
    found = Counter(standing.status for standing in statuses.values())
    assert all(found[status] >= 3 for status in OrganisationStatus.values), found
    assert Signature.objects.filter(events__kind=SignatureEvent.Kind.REFUSED).exists()
    assert CharterVersion.objects.current(region).number == 2
    assert region.charter_required_for_alerts
    trainer_org = Organisation.objects.get(name="INSUP Cenon")
    adviser_org = adviser.memberships.get().organisation
    assert statuses[trainer_org.pk].status == statuses[adviser_org.pk].status == OrganisationStatus.SIGNED
    assert statuses[Organisation.objects.get(name="Région Nouvelle-Aquitaine").pk].status == "not_signed"
    held = Notification.objects.filter(status=Notification.Status.HELD, kind="rupture_alert")
    assert held.exists() and not statuses[held.first().held_for_id].valid
    assert (
        Notification.objects.filter(
            cause_key=held.first().cause_key, recipient__memberships__role=Role.REGIONAL_OFFICER
        )
        .exclude(status=Notification.Status.HELD)
        .exists()
    )

    # Checklists: most entrants whose stage is not over have one submitted before their start; a few had points
    # at risk (their prescriber alerted), a few have none, among them people of the demo trainer's sessions.
    revisions = ChecklistRevision.objects.all()
    assert revisions.count() >= 50
    assert Alert.objects.filter(kind="checklist_risk").count() >= 3
    assert Alert.objects.filter(kind="checklist_risk", status=Alert.Status.NEW).exists()
    assert Checklist.objects.filter(revisions__isnull=True).exists()  # in progress
    in_training = Stage.objects.filter(enrolment__session__in=cenon, status=Stage.Status.IN_PROGRESS)
    assert in_training.exclude(checklists__revisions__isnull=False).exists()
    started = Stage.objects.filter(actual_start__isnull=False, checklists__revisions__isnull=False)
    assert started.filter(checklists__revisions__submitted_at__date__lte=F("actual_start")).exists()
    assert Todo.objects.open().exists()

    # Every demo account can log in with the shared password: one per role, and the administrator.
    for role in Role.values:
        user = User.objects.filter(memberships__role=role).order_by("email").first()
        assert client.login(email=user.email, password=DEMO_PASSWORD), role
        client.logout()
    assert client.login(email=ADMIN_EMAIL, password=DEMO_PASSWORD)

    check_background_population_figures(region)


def check_background_population_figures(region):
    """The background population (`pathways.management.demo_population`) gives every basin's dashboard plausible
    figures above the small-count threshold, by the reference functions, over the last twelve months."""
    end = timezone.localdate()
    start = end - datetime.timedelta(days=365)
    threshold = getattr(settings, "SMALL_COUNT_THRESHOLD", 5)
    basins = Basin.objects.filter(region=region, code__in=[code for code, _weight in BACKGROUND_BASINS])
    assert basins.count() == len(BACKGROUND_BASINS)
    overall = Counter()
    for basin in basins:
        stages = cohort_for(basin=basin)
        rate = rupture_rate(start=start, end=end, stages=stages)
        assert rate.entrants > 100, basin
        assert 5 <= rate.rate <= 15, (basin, rate)
        overall.update(entrants=rate.entrants, ruptures=rate.ruptures)
        split = effect(start=start, end=end, stages=stages)
        assert split.with_checklist.rate < split.without_checklist.rate, (basin, split)
        participants = rupture_rate(start=start, end=end, stages=stages, speaking_group_participant=True)
        others = rupture_rate(start=start, end=end, stages=stages, speaking_group_participant=False)
        assert participants.rate < 2 < others.rate, (basin, participants, others)
        again = re_engagement(start=start, end=end, stages=stages)
        ruptured = Rupture.objects.filter(stage__in=stages, occurred_on__range=(start, end))
        entered = Stage.objects.filter(pk__in=stages.values("pk"), actual_start__range=(start, end))
        alerts = Alert.objects.filter(kind="rupture", rupture__in=ruptured)
        reminded = ruptured.filter(reminders__isnull=False).distinct()
        sections = {
            "entrants": rate.entrants,
            "with a checklist": split.with_checklist.entrants,
            "without a checklist": split.without_checklist.entrants,
            "ruptures": rate.ruptures,
            "abandons and exclusions": rate.abandons + rate.exclusions,
            "interruptions": rate.interruptions,
            "positive exits": rate.positive_exits,
            "contract breaks": ruptured.filter(kind=Rupture.Kind.CONTRACT_BREAK).count(),
            "participants": participants.entrants,
            "re-engaged within 3 months": again.within_3_months,
            "re-engaged within 6 months": again.within_6_months,
            "completed": entered.filter(status=Stage.Status.COMPLETED).count(),
            "immersions": entered.filter(kind=Stage.Kind.IMMERSION).count(),
            "alerts acknowledged": alerts.exclude(acknowledged_at=None).count(),
            "alerts escalated": alerts.exclude(escalated_at=None).count(),
            "ruptures after reminders": reminded.count(),
        }
        for family in CAUSE_FAMILIES:
            sections[f"cause {family}"] = ruptured.filter(causes__family=family).distinct().count()
        small = {name: n for name, n in sections.items() if n < threshold}
        assert not small, (basin, small)
    assert 7 <= percent(overall["ruptures"], overall["entrants"]) <= 12, overall
    # Referents of the background population follow 15 to 25 open pathways (the advisers among them).
    caseloads = sorted(
        Pathway.objects.filter(status=Pathway.Status.OPEN, referent__memberships__role=Role.PRESCRIBER_ADVISER)
        .filter(referent__email__endswith=f"fictif.{DEMO_DOMAIN}")
        .values("referent")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert 15 <= caseloads[len(caseloads) // 2] <= 25, caseloads
    # The dashboards' rollups are built.
    assert MonthlyRollup.objects.filter(basin__in=basins).exists()


def check_output_names_a_login_per_role(output):
    """The printed logins: one per role, each an existing account, the trainer and adviser being referents."""
    assert SITE_URL in output
    assert DEMO_PASSWORD in output
    lines = output.splitlines()
    emails = {}
    for label in LOGIN_LABELS:
        line = next((line for line in lines if line.strip().startswith(label)), None)
        assert line is not None, label
        match = re.search(rf"[\w.-]+@[\w.-]*{re.escape(DEMO_DOMAIN)}", line)
        assert match, line
        emails[label] = match.group()
    assert User.objects.filter(email__in=emails.values()).count() == len(set(emails.values()))
    # The trainer and the adviser shown are referents of pathways, so their home pages are not empty.
    for label in ("Formateur·rice", "Conseiller·ère prescripteur·rice"):
        assert Pathway.objects.filter(Q(referent__email=emails[label]), status="open").exists(), label
    assert "référent·e de" in output
    # Every demo account the output names (the ruptures' adviser…) is a printed login, printed with that name.
    staff = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(email__endswith=f"fictif.{DEMO_DOMAIN}")
    named = {user.get_full_name() for user in staff if user.get_full_name() and user.get_full_name() in output}
    logins = {user.get_full_name() for user in User.objects.filter(email__in=emails.values())}
    assert named and named <= logins, named - logins
    for label, email in emails.items():
        user = User.objects.get(email=email)
        row = lines.index(next(line for line in lines if line.strip().startswith(label)))
        assert user.get_full_name() in lines[row + 1], label
    return emails


def check_readme_walkthrough(printed):
    """The README's path: the printed trainer declares a rupture on one of their trainees' pathways and the printed
    adviser, who prescribed it, is alerted in the inbox and by SMS in the worker's log; more than one trainee will do.
    """
    trainer = User.objects.get(email=printed["Formateur·rice"])
    adviser = User.objects.get(email=printed["Conseiller·ère prescripteur·rice"])
    trainees = Stage.objects.filter(
        organisation__in=trainer.memberships.values("organisation"),
        status=Stage.Status.IN_PROGRESS,
        pathway__status=Pathway.Status.OPEN,
        pathway__prescribing_adviser=adviser,
    ).exclude(kind=Stage.Kind.APPRENTICESHIP)
    both_see = Pathway.objects.for_user(trainer).filter(pk__in=Pathway.objects.for_user(adviser).values("pk"))
    assert trainees.filter(pathway__in=both_see).values("pathway").distinct().count() >= 2
    # The adviser chose alerts by SMS and has a number: a rupture's alert reaches them by SMS too.
    assert adviser.phone
    assert Notification.Channel.SMS in wanted_channels([adviser], ALERT_CHANNELS)[adviser.pk]
