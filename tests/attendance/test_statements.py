"""Monthly attendance statements (états de présence): the figures of a hand-built June 2026, their CSV and PDF, the
request → worker → download flow, and who may reach them.

June 2026 in the `klass` session (Monday to Friday, 4 May – 26 June, no public holiday in June): 20 training days,
40 half-days of 3.5 hours. The afternoon of 3 June is cancelled (a strike), 22 June is a company day for the whole
group, 24–25 June a personal immersion for Zoé.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLog
from attendance import statements as statements_module
from attendance.models import CompanyPeriod, Mark, Slot, StatementExport
from attendance.statements import (
    HalfDayState,
    monthly_statement,
    statement_build,
    statement_csv,
    statement_pdf,
    statement_request,
    statement_sweep,
)
from attendance.tasks import build_statement_task, sweep_statement_exports_task
from core.pdf import weasyprint_available
from pathways.models import Membership, Stage, StageTransition
from tests.accounts.factories import UserFactory
from tests.attendance.conftest import END, START
from tests.conftest import require_service
from tests.pathways.factories import (
    BeneficiaryFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathwayFactory,
    StageFactory,
    StageTransitionFactory,
)

JUNE = datetime.date(2026, 6, 1)
AFTER_JUNE = datetime.date(2026, 7, 3)


def june(day: int) -> datetime.date:
    return datetime.date(2026, 6, day)


def add_person(klass, first, last, *, start, status=Stage.Status.IN_PROGRESS, **dates):
    pathway = PathwayFactory(beneficiary=BeneficiaryFactory(first_name=first, last_name=last), referent=UserFactory())
    stage = StageFactory(
        pathway=pathway,
        organisation=klass.body,
        programme=klass.programme,
        planned_start=start,
        planned_end=max(start, END),
        status=status,
        actual_start=None if status == Stage.Status.PLANNED else start,
        **dates,
    )
    EnrolmentFactory(stage=stage, session=klass.session)
    return stage


def set_marks(klass, stage, days, status, periods=("am", "pm")):
    reason = Mark.Reason.ILLNESS if status == Mark.Status.ABSENT_JUSTIFIED else ""
    for day in days:
        for period in periods:
            Mark.objects.update_or_create(
                slot=klass.slot(day, period), stage=stage, defaults={"status": status, "reason": reason}
            )


def mark_all_present(klass, stage, first, last):
    slots = Slot.objects.filter(session=klass.session, date__range=(first, last))
    Mark.objects.bulk_create(Mark(slot=slot, stage=stage, status=Mark.Status.PRESENT) for slot in slots)


class June:
    """The klass session's June: five people in training, three who were not, and the month's marks."""

    def __init__(self, klass):
        self.klass = klass
        self.session = klass.session
        self.ines, self.karim, self.zoe = klass.stages
        self.lea = add_person(klass, "Léa", "Dupont", start=june(15))
        self.noe = add_person(klass, "Noé", "Petit", start=START)
        # Not in training in June: cancelled, ended in May, starting in July.
        add_person(klass, "Ana", "Annulée", start=START, status=Stage.Status.CANCELLED, actual_end=START)
        add_person(
            klass, "Bob", "Parti", start=START, status=Stage.Status.COMPLETED, actual_end=datetime.date(2026, 5, 29)
        )
        add_person(klass, "Chloé", "Après", start=datetime.date(2026, 7, 1), status=Stage.Status.PLANNED)

        # Karim left on Friday 12 June.
        Stage.objects.filter(pk=self.karim.pk).update(status=Stage.Status.ABANDONED, actual_end=june(12))
        self.karim.refresh_from_db()
        # Noé was suspended from Monday 8 June and came back on Monday 15.
        Action = StageTransition.Action
        StageTransitionFactory(
            stage=self.noe,
            action=Action.SUSPEND,
            from_status=Stage.Status.IN_PROGRESS,
            to_status=Stage.Status.SUSPENDED,
            effective_date=june(8),
        )
        StageTransitionFactory(
            stage=self.noe,
            action=Action.RESUME,
            from_status=Stage.Status.SUSPENDED,
            to_status=Stage.Status.IN_PROGRESS,
            effective_date=june(15),
        )

        # Everyone marked present on every half-day of their period (company days and 3 June afternoon included:
        # they must not count), then the exceptions.
        for stage in (self.ines, self.zoe, self.noe):
            mark_all_present(klass, stage, june(1), june(30))
        mark_all_present(klass, self.karim, june(1), june(12))
        mark_all_present(klass, self.lea, june(15), june(30))

        S = Mark.Status
        set_marks(klass, self.ines, [june(4)], S.ABSENT_JUSTIFIED)
        set_marks(klass, self.ines, [june(5)], S.ABSENT_UNJUSTIFIED, periods=["am"])
        set_marks(klass, self.ines, [june(5)], S.LATE, periods=["pm"])
        set_marks(klass, self.ines, [june(8)], S.EXCUSED)
        Mark.objects.filter(stage=self.ines, slot=klass.slot(june(26), "pm")).delete()

        set_marks(klass, self.karim, [june(11), june(12)], S.ABSENT_UNJUSTIFIED)
        set_marks(klass, self.karim, [june(15)], S.PRESENT)  # after he left: ignored

        set_marks(klass, self.zoe, [june(9)], S.ABSENT_JUSTIFIED, periods=["am"])
        set_marks(klass, self.zoe, [june(10)], S.EXCUSED)

        set_marks(klass, self.lea, [june(12)], S.PRESENT, periods=["am"])  # before she started: ignored
        set_marks(klass, self.lea, [june(15)], S.LATE, periods=["am"])
        set_marks(klass, self.lea, [june(16)], S.ABSENT_UNJUSTIFIED)

        set_marks(klass, self.noe, [june(d) for d in (8, 9, 10, 11, 12)], S.ABSENT_UNJUSTIFIED)  # suspended

        Slot.objects.filter(session=self.session, date=june(3), period="pm").update(
            cancelled=True, cancel_reason="Grève"
        )
        CompanyPeriod.objects.create(
            session=self.session, kind=CompanyPeriod.Kind.ALTERNANCE, start_date=june(22), end_date=june(22)
        )
        CompanyPeriod.objects.create(
            session=self.session,
            stage=self.zoe,
            kind=CompanyPeriod.Kind.IMMERSION,
            start_date=june(24),
            end_date=june(25),
        )


@pytest.fixture
def month(klass):
    return June(klass)


def figures(line):
    return (line.scheduled, line.attended, line.justified, line.unjustified, line.excused, line.unmarked, line.rate)


def D(value):
    return Decimal(value)


# --------------------------------------------------------------------------------------------------------------
# The figures


EXPECTED = {
    # name: scheduled, attended, justified, unjustified, excused, not marked, rate
    "BENALI Karim": (D("66.50"), D("52.50"), D("0.00"), D("14.00"), D("0.00"), D("0.00"), D("78.9")),
    "DUPONT Léa": (D("63.00"), D("56.00"), D("0.00"), D("7.00"), D("0.00"), D("0.00"), D("88.9")),
    "LEFÈVRE Inès": (D("129.50"), D("108.50"), D("7.00"), D("3.50"), D("7.00"), D("3.50"), D("88.6")),
    "MARTIN Zoé": (D("115.50"), D("105.00"), D("3.50"), D("0.00"), D("7.00"), D("0.00"), D("96.8")),
    "PETIT Noé": (D("94.50"), D("94.50"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("100.0")),
}


def test_each_person_gets_exact_hours_and_rate_for_the_month(month):
    statement = monthly_statement(month.session, JUNE)

    assert [line.name for line in statement.lines] == list(EXPECTED)
    for line in statement.lines:
        assert figures(line) == EXPECTED[line.name], line.name


def test_session_totals_add_up_the_people(month):
    totals = monthly_statement(month.session, june(17)).totals  # any day of the month will do

    assert figures(totals) == (D("469.00"), D("416.50"), D("10.50"), D("24.50"), D("14.00"), D("3.50"), D("91.5"))


def test_every_scheduled_hour_is_attended_absent_excused_or_not_yet_marked(month):
    for line in monthly_statement(month.session, JUNE).lines:
        assert line.attended + line.justified + line.unjustified + line.excused + line.unmarked == line.scheduled


def test_hours_are_decimals_with_two_places(month):
    line = monthly_statement(month.session, JUNE).lines[0]

    assert isinstance(line.scheduled, Decimal)
    assert line.scheduled.as_tuple().exponent == -2


def test_nobody_expected_gives_no_rate(month):
    statement = monthly_statement(month.session, datetime.date(2026, 7, 1))  # the session ended on 26 June

    assert [line.name for line in statement.lines] == [
        "APRÈS Chloé",
        "DUPONT Léa",
        "LEFÈVRE Inès",
        "MARTIN Zoé",
        "PETIT Noé",
    ]
    assert {line.scheduled for line in statement.lines} == {D("0.00")}
    assert statement.totals.rate is None


def test_statement_takes_the_same_few_queries_whatever_the_number_of_people(month, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert len(monthly_statement(month.session, JUNE).lines) == 5

    for n in range(10):
        stage = add_person(month.klass, f"Personne{n}", f"Nom{n}", start=START)
        mark_all_present(month.klass, stage, june(1), june(30))
        StageTransitionFactory(stage=stage, action=StageTransition.Action.START, effective_date=START)

    with django_assert_max_num_queries(5):
        assert len(monthly_statement(month.session, JUNE).lines) == 15


def test_a_per_person_statement_lists_each_half_day_with_its_status(month):
    statement = monthly_statement(month.session, JUNE, stage=month.ines)

    assert statement.per_person
    [line] = statement.lines
    assert figures(line) == EXPECTED["LEFÈVRE Inès"]
    assert len(line.half_days) == 40
    states = {(h.slot.date, h.slot.period): h for h in line.half_days}
    assert states[(june(1), "am")].label == "Présent·e"
    assert states[(june(3), "pm")].state == HalfDayState.CANCELLED
    assert states[(june(4), "am")].label == "Absence justifiée"
    assert states[(june(5), "pm")].label == "En retard"
    assert states[(june(22), "am")].state == HalfDayState.COMPANY
    assert states[(june(26), "pm")].label == "Non émargée"
    day, morning, afternoon = line.days[0]
    assert (day, morning.slot.period, afternoon.slot.period) == (june(1), "am", "pm")


def test_half_days_outside_a_persons_period_or_suspended_are_not_counted(month):
    lea = monthly_statement(month.session, JUNE, stage=month.lea).lines[0]
    noe = monthly_statement(month.session, JUNE, stage=month.noe).lines[0]

    lea_states = {(h.slot.date, h.slot.period): h for h in lea.half_days}
    assert lea_states[(june(12), "am")].state == HalfDayState.OUTSIDE
    assert not lea_states[(june(12), "am")].scheduled
    assert {h.state for h in noe.half_days if june(8) <= h.slot.date <= june(12)} == {HalfDayState.SUSPENDED}
    assert noe.unjustified == D("0.00")


# --------------------------------------------------------------------------------------------------------------
# CSV and PDF


def test_csv_opens_in_excel_with_french_headers_and_decimal_commas(month):
    content = statement_csv(monthly_statement(month.session, JUNE))

    assert content.startswith("\ufeff")
    rows = [row.split(";") for row in content.removeprefix("\ufeff").split("\r\n") if row]
    assert rows[0] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Heures prévues",
        "Heures de présence",
        "Heures d'absence justifiée",
        "Heures d'absence non justifiée",
        "Heures de dispense",
        "Heures non émargées",
        "Taux d'assiduité (%)",
    ]
    assert rows[3] == ["LEFÈVRE", "Inès", "17/05/2001", "129,50", "108,50", "7,00", "3,50", "7,00", "3,50", "88,6"]
    assert rows[-1] == ["Total", "", "", "469,00", "416,50", "10,50", "24,50", "14,00", "3,50", "91,5"]
    assert len(rows) == 7


def test_csv_cells_never_run_as_formulas(month):
    add_person(month.klass, "=1+2", "@Mallory", start=START)

    content = statement_csv(monthly_statement(month.session, JUNE))

    assert "\r\n'@MALLORY;'=1+2;" in content


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)  # table cells may wrap


def test_pdf_shows_the_title_the_people_and_their_hours(month):
    require_service(*weasyprint_available())

    pdf = statement_pdf(monthly_statement(month.session, JUNE))

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "État de présence — juin 2026" in text
    assert "INSUP Cenon" in text
    assert "CAP Cuisine" in text
    assert "LEFÈVRE Inès" in text
    assert "129,50" in text and "108,50" in text and "88,6 %" in text
    assert "469,00" in text  # the session's total
    assert "Cachet et signature de l'organisme" in text
    assert "page 1 / " in text


def test_a_per_person_pdf_details_the_half_days(month):
    require_service(*weasyprint_available())

    text = pdf_text(statement_pdf(monthly_statement(month.session, JUNE, stage=month.ines)))

    assert "LEFÈVRE Inès" in text
    assert "MARTIN Zoé" not in text
    assert "Détail des demi-journées" in text
    assert "Absence justifiée" in text and "Annulée" in text and "En entreprise" in text


# --------------------------------------------------------------------------------------------------------------
# Request → worker → download


@pytest.fixture
def july(frozen):
    frozen(AFTER_JUNE)


@pytest.fixture
def trainer_client(client, klass):
    client.force_login(klass.trainer)
    return client


def statements_url(klass):
    return reverse("attendance:statements", args=[klass.session.pk])


def download(client, export):
    return client.get(reverse("attendance:statement_download", args=[export.pk]))


def test_requesting_building_and_downloading_a_csv(month, july, trainer_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = trainer_client.post(statements_url(month.klass), {"month": "2026-06", "format": "csv"})

    assert response.status_code == 302
    export = StatementExport.objects.get()
    assert (export.month, export.format, export.status, export.stage) == (JUNE, "csv", "pending", None)
    assert export.requested_by == month.klass.trainer
    assert len(callbacks) == 1  # the build is enqueued once committed

    assert build_statement_task.run(export.pk) is True
    export.refresh_from_db()
    assert export.status == StatementExport.Status.READY
    assert export.finished_at is not None
    assert export.file.name.startswith("statements/2026/07/")

    page = trainer_client.get(statements_url(month.klass))
    assert reverse("attendance:statement_download", args=[export.pk]) in page.content.decode()
    response = download(trainer_client, export)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="etat-de-presence-2026-06-cap-cuisine.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffNom;Prénom;")
    assert "LEFÈVRE;Inès;17/05/2001;129,50" in body


def test_requesting_building_and_downloading_a_pdf(month, july, trainer_client):
    require_service(*weasyprint_available())
    export = statement_request(session=month.session, month=JUNE, format="pdf", by=month.klass.trainer)

    assert statement_build(export.pk) is True

    response = download(trainer_client, export)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="etat-de-presence-2026-06-cap-cuisine.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "État de présence — juin 2026" in text and "LEFÈVRE Inès" in text


def test_the_build_is_enqueued_on_commit(month, july, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setattr(build_statement_task, "delay", enqueued.append)

    with django_capture_on_commit_callbacks(execute=True):
        export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)
        assert enqueued == []  # not before the commit

    assert enqueued == [export.pk]


def test_a_broker_outage_leaves_the_export_to_the_sweeper(
    month, july, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(export_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(build_statement_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)

    export.refresh_from_db()
    assert export.status == StatementExport.Status.PENDING
    assert "sweeper will build it" in caplog.text

    assert statement_sweep(now=export.requested_at + datetime.timedelta(minutes=1)) == 0  # too early
    assert StatementExport.objects.get().status == StatementExport.Status.PENDING
    with time_machine.travel(export.requested_at + datetime.timedelta(minutes=3), tick=False):
        assert sweep_statement_exports_task.run() == 1
    assert StatementExport.objects.get().status == StatementExport.Status.READY


def test_a_double_click_asks_for_one_statement(month, july):
    first = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)
    second = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)

    assert first == second
    assert StatementExport.objects.count() == 1


def test_building_twice_builds_once(month, july, monkeypatch):
    export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)
    renders = []
    render = statements_module._render
    monkeypatch.setattr(statements_module, "_render", lambda e: renders.append(e.pk) or render(e))

    assert statement_build(export.pk) is True
    file_name = StatementExport.objects.get().file.name
    assert statement_build(export.pk) is False
    assert build_statement_task.run(export.pk) is False

    assert renders == [export.pk]
    assert StatementExport.objects.get().file.name == file_name


def test_a_failed_build_is_recorded_and_shown(month, july, monkeypatch, trainer_client):
    def broken(statement):
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(statements_module, "statement_pdf", broken)
    export = statement_request(session=month.session, month=JUNE, format="pdf", by=month.klass.trainer)

    assert statement_build(export.pk) is False

    export.refresh_from_db()
    assert export.status == StatementExport.Status.FAILED
    assert "the printer is on fire" in export.error
    assert export.finished_at is not None
    assert not export.file
    assert download(trainer_client, export).status_code == 404
    assert "Échec" in trainer_client.get(statements_url(month.klass)).content.decode()


def test_a_pending_export_cannot_be_downloaded_yet(month, july, trainer_client):
    export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)

    assert download(trainer_client, export).status_code == 404


def test_a_per_person_download_is_logged_as_reading_their_record(month, july, trainer_client):
    export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer, stage=month.zoe)
    statement_build(export.pk)

    response = download(trainer_client, export)
    body = b"".join(response.streaming_content).decode("utf-8")

    assert 'filename="etat-de-presence-2026-06-cap-cuisine-martin-zoe.csv"' in response["Content-Disposition"]
    assert "MARTIN;Zoé" in body and "LEFÈVRE" not in body
    log = AccessLog.objects.get()
    assert (log.user, log.beneficiary, log.action) == (
        month.klass.trainer,
        month.zoe.pathway.beneficiary,
        AccessLog.Action.READ,
    )


# --------------------------------------------------------------------------------------------------------------
# The page


def test_the_page_shows_the_form_and_an_empty_state(month, july, trainer_client):
    response = trainer_client.get(statements_url(month.klass))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'type="month"' in content and 'value="2026-06"' in content  # last month by default
    assert "Aucun état de présence n'a encore été demandé" in content
    assert "Léa DUPONT" in content  # a person may be chosen


def test_a_month_outside_the_session_is_refused(month, july, trainer_client):
    response = trainer_client.post(statements_url(month.klass), {"month": "2026-09", "format": "pdf"})

    assert response.status_code == 200
    assert "Choisissez un mois de la session (de mai 2026 à juin 2026)." in response.content.decode()
    assert not StatementExport.objects.exists()


def test_the_list_polls_while_an_export_is_pending(month, july, trainer_client):
    export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)

    fragment = trainer_client.get(statements_url(month.klass), headers={"HX-Request": "true"})
    content = fragment.content.decode()
    assert 'hx-trigger="every 3s"' in content
    assert "<h1" not in content  # the list alone
    assert "En préparation" in content

    statement_build(export.pk)
    content = trainer_client.get(statements_url(month.klass), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in content  # polling stops
    assert "Télécharger" in content


def test_the_list_takes_the_same_few_queries_whatever_its_length(
    month, july, trainer_client, django_assert_max_num_queries
):
    def request_some(n):
        for stage in [None, month.ines, month.zoe, month.lea, month.noe, month.karim][:n]:
            for format in ("csv", "pdf"):
                statement_request(session=month.session, month=JUNE, format=format, by=month.klass.trainer, stage=stage)

    request_some(1)
    # user, memberships, session, exports, people to choose from…, the access log of the people named (and its insert)
    with django_assert_max_num_queries(10) as few:
        trainer_client.get(statements_url(month.klass))
    StatementExport.objects.all().delete()
    request_some(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = trainer_client.get(statements_url(month.klass))
    assert response.content.decode().count("En préparation") == 12


# --------------------------------------------------------------------------------------------------------------
# Who may reach statements


@pytest.fixture
def ready_export(month, july):
    export = statement_request(session=month.session, month=JUNE, format="csv", by=month.klass.trainer)
    statement_build(export.pk)
    return export


@pytest.mark.parametrize("user_kind", ["other_body_trainer", "prescriber"])
def test_people_outside_the_training_body_get_404(ready_export, month, client, user_kind):
    if user_kind == "other_body_trainer":
        user = Membership.objects.create(
            user=UserFactory(), organisation=OrganisationFactory(name="Autre OF"), role=Membership.Role.TRAINER
        ).user
    else:
        user = MembershipFactory(prescriber=True).user
    client.force_login(user)

    assert client.get(statements_url(month.klass)).status_code == 404
    assert client.post(statements_url(month.klass), {"month": "2026-06", "format": "csv"}).status_code == 404
    assert download(client, ready_export).status_code == 404
    assert StatementExport.objects.count() == 1


def test_anonymous_is_sent_to_login(ready_export, month, client):
    for url in (statements_url(month.klass), reverse("attendance:statement_download", args=[ready_export.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_download_is_get_only(ready_export, trainer_client):
    url = reverse("attendance:statement_download", args=[ready_export.pk])

    assert trainer_client.post(url).status_code == 405
