"""Pages in a real browser (Debian's Chromium through Playwright) under the strict Content-Security-Policy.

Every page type is loaded and the test fails on any CSP violation, so no later page needs an exception. The
login form and the htmx adviser list are also driven for real, with the keyboard where it matters.
"""

import os

import pytest
from django.urls import reverse

from pathways.models import Membership
from tests.accounts.factories import UserFactory
from tests.conftest import chromium_path, require_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "motdepasse-de-test"
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")

CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    require_service(path is not None, "Chromium is not installed (Debian package 'chromium')")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


def login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(live_server.url + reverse("pathways:home"))


def visit(page, url, name=None):
    response = page.goto(url)
    assert response.status in (200, 404), (url, response.status)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp") + [e for e in page.console_errors if "Content Security Policy" in e]
    assert not violations, f"CSP violations on {url}: {violations}"
    if SCREENSHOTS and name:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    page.console_errors.clear()
    return response


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_every_page_type_loads_without_csp_violation(world, live_server, page):
    base = live_server.url
    visit(page, base + reverse("accounts:login"), "login")
    visit(page, base + reverse("accounts:password_reset"), "password-reset")
    header = page.request.get(base + reverse("accounts:login")).headers["content-security-policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header

    login(page, live_server, world.user("prescriber_adviser"))
    for name, url in [
        ("home-adviser", reverse("pathways:home")),
        ("beneficiaries", reverse("pathways:beneficiary_list")),
        ("beneficiary-create", reverse("pathways:beneficiary_create")),
        ("beneficiary", reverse("pathways:beneficiary_detail", args=[world.beneficiary.pk])),
        ("beneficiary-edit", reverse("pathways:beneficiary_update", args=[world.beneficiary.pk])),
        ("pathways", reverse("pathways:pathway_list") + "?status=open"),
        ("pathway", reverse("pathways:pathway_detail", args=[world.pathway.pk])),
        ("pathway-edit", reverse("pathways:pathway_update", args=[world.pathway.pk])),
        ("stage-create", reverse("pathways:stage_create", args=[world.pathway.pk])),
        ("stage-suspend", reverse("pathways:stage_suspend", args=[world.stage.pk])),
        ("stage-exit", reverse("pathways:stage_exit", args=[world.stage.pk])),
        ("sessions", reverse("pathways:session_list")),
        ("session", reverse("pathways:session_detail", args=[world.session.pk])),
        ("join-requests", reverse("pathways:join_request_list")),
        ("not-found", "/parcours/999999/"),
    ]:
        visit(page, base + url, name)

    # A pending invitation (to the outsider's account): on the members page, and on the invited person's page.
    from pathways.services.memberships import membership_invite

    membership_invite(
        organisation=world.training_body,
        by=world.user("org_manager"),
        email=world.user("outsider").email,
        first_name="Inès",
        last_name="Invitée",
        role="pedagogical_manager",
    )
    page.context.clear_cookies()
    login(page, live_server, world.user("outsider"))
    visit(page, base + reverse("pathways:membership_invitation_list"), "invitations")
    page.context.clear_cookies()
    login(page, live_server, world.user("org_manager"))
    for name, url in [
        ("attendance-today", reverse("attendance:today")),
        ("training-actions", reverse("pathways:training_action_list")),
        ("training-action", reverse("pathways:training_action_detail", args=[world.session.training_action_id])),
        ("training-action-create", reverse("pathways:training_action_create")),
        ("training-action-edit", reverse("pathways:training_action_update", args=[world.session.training_action_id])),
        ("session-create", reverse("pathways:session_create", args=[world.session.training_action_id])),
        ("session-edit", reverse("pathways:session_update", args=[world.session.pk])),
        ("calendar", reverse("attendance:calendar", args=[world.session.pk])),
        ("statements", reverse("attendance:statements", args=[world.session.pk])),
        ("watch-list", reverse("attendance:watch_list")),
        ("drift", reverse("attendance:drift_detail", args=[world.drift.pk])),
        ("notifications", reverse("notifications:inbox")),
        ("notification-preferences", reverse("notifications:preferences")),
        ("alerts", reverse("alerts:alert_list")),
        ("rupture-form", reverse("ruptures:rupture_create", args=[world.stage.pk])),
        ("routing", reverse("alerts:routing_update", args=[world.training_body.pk])),
        ("home-manager", reverse("pathways:home")),
        ("members", reverse("pathways:membership_list", args=[world.training_body.pk])),
        ("member-add", reverse("pathways:member_add", args=[world.training_body.pk])),
        ("member-deactivate", reverse("pathways:membership_deactivate", args=[world.memberships["trainer"].pk])),
        ("dashboard-organisation", reverse("dashboards:organisation", args=[world.training_body.pk])),
        (
            "dashboard-drilldown",
            reverse("dashboards:drilldown", args=["entrees"]) + f"?structure={world.training_body.pk}",
        ),
    ]:
        visit(page, base + url, name)

    page.context.clear_cookies()
    login(page, live_server, world.user("regional_officer"))
    visit(page, base + reverse("pathways:home"), "home-regional")
    visit(page, base + reverse("dashboards:region"), "dashboard-region")
    visit(page, base + reverse("dashboards:basin", args=[world.basin.pk]), "dashboard-basin")

    # The charter: read, follow, draft (regional officer); sign (legal representative); verify (anyone).
    from charter.services import draft_create
    from tests.charter.factories import first_version, sign

    world.region.scheme_organisation = world.funder
    world.region.save(update_fields=["scheme_organisation"])
    first_version(world.region)
    signature = sign(world.prescriber, world.user("legal_representative"))
    draft = draft_create(by=world.user("regional_officer"), region=world.region)
    # The pre-entry checklist (the training body's staff), its alert (the prescriber), the to-do list.
    from tests.checklist.factories import submitted

    checklist, _revision = submitted(
        world.stage,
        world.user("trainer"),
        answers={"housing": "risk"},
        actions={"housing": {"action": "Appeler le SIAO", "owner": world.user("org_manager"), "due": world.today}},
    )
    page.context.clear_cookies()
    login(page, live_server, world.user("org_manager"))
    for name, url in [
        ("checklists", reverse("checklist:list")),
        ("checklist-edit", reverse("checklist:edit", args=[checklist.pk])),
        ("checklist", reverse("checklist:detail", args=[checklist.pk])),
        ("todos", reverse("notifications:todo_list")),
    ]:
        visit(page, base + url, name)
    page.context.clear_cookies()
    login(page, live_server, world.user("prescriber_adviser"))
    from alerts.models import Alert

    visit(page, base + Alert.objects.get(kind="checklist_risk").get_absolute_url(), "checklist-alert")
    page.context.clear_cookies()
    login(page, live_server, world.user("regional_officer"))
    for name, url in [
        ("charter", reverse("charter:current")),
        ("charter-overview", reverse("charter:overview")),
        ("charter-draft", reverse("charter:draft_edit", args=[draft.pk])),
        ("charter-signature", reverse("charter:signature_detail", args=[signature.pk])),
        ("charter-refuse", reverse("charter:signature_refuse", args=[signature.pk])),
    ]:
        visit(page, base + url, name)
    page.context.clear_cookies()
    for name, url in [
        ("charter-verify", reverse("charter:verify", args=[signature.code])),
        ("charter-verify-lookup", reverse("charter:verify_lookup")),
        ("charter-signatories", reverse("charter:region_signatories", args=[world.region.code])),
        ("charter-basin", reverse("charter:basin_signatories", args=[world.region.code, world.basin.code])),
    ]:
        visit(page, base + url, name)
    # The data-protection officer: the access log, the search of a person, the person's data-protection page.
    login(page, live_server, world.user("dpo"))
    for name, url in [
        ("access-log", reverse("pathways:access_log")),
        ("dpo-person-search", reverse("pathways:dpo_person_search")),
        ("dpo-person", reverse("pathways:dpo_person", args=[world.beneficiary.pk])),
    ]:
        visit(page, base + url, name)


def test_the_admin_loads_without_csp_violation(world, live_server, page):
    admin = world.user("admin")
    login(page, live_server, admin)
    for url in [
        reverse("admin:index"),
        reverse("admin:pathways_organisation_changelist"),
        reverse("admin:pathways_organisation_change", args=[world.training_body.pk]),
        reverse("admin:pathways_session_change", args=[world.session.pk]),
    ]:
        visit(page, live_server.url + url)


def test_a_wrong_password_shows_a_french_error(world, live_server, page):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(world.user("trainer").email)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text().startswith("Adresse e-mail ou mot de passe incorrect")


def test_choosing_a_prescriber_reloads_its_advisers_with_htmx(world, live_server, page):
    other = Membership.objects.create(
        user=UserFactory(first_name="Aïcha", last_name="Benali"),
        organisation=world.prescriber,
        role=Membership.Role.PRESCRIBER_ADVISER,
    )
    manager = world.user("pedagogical_manager")  # a training body enrolling: no prescriber chosen at first
    login(page, live_server, manager)
    visit(page, live_server.url + reverse("pathways:beneficiary_create"))
    adviser_select = page.get_by_label("Conseiller·ère prescripteur·rice")
    assert "Benali" not in adviser_select.inner_text()
    # The prescriber picker searches as you type: its select holds the matches only.
    page.get_by_label("Rechercher une structure (nom ou SIRET)").press_sequentially("hauts de garonne")
    prescriber_select = page.get_by_label("Prescripteur", exact=True)
    expect(prescriber_select).to_contain_text("Mission Locale des Hauts de Garonne", timeout=10_000)
    prescriber_select.select_option(str(world.prescriber.pk))
    # Playwright's own polling (wait_for_function would evaluate a string, which the CSP forbids).
    expect(adviser_select).to_contain_text("Aïcha Benali", timeout=10_000)
    assert other.user.get_full_name() in adviser_select.inner_text()
    assert not page.evaluate("window.__csp")


def test_the_commune_picker_searches_as_you_type_and_picks_with_the_keyboard(world, live_server, page):
    from tests.pathways.factories import CommuneFactory

    medard = CommuneFactory(code="33449", name="Saint-Médard-en-Jalles", basin=world.basin)
    CommuneFactory(code="33063", name="Bordeaux", basin=world.basin)
    login(page, live_server, world.user("prescriber_adviser"))
    visit(page, live_server.url + reverse("pathways:beneficiary_update", args=[world.beneficiary.pk]))
    commune_select = page.get_by_label("Commune de résidence")
    assert "Bordeaux" not in commune_select.inner_text()  # not a list of every commune
    tab_to(page, "id_commune-search")
    page.keyboard.type("saint-medard")
    expect(commune_select).to_contain_text("Saint-Médard-en-Jalles (33)", timeout=10_000)
    expect(page.locator("#id_commune-status")).to_contain_text("1 commune trouvée")
    assert "Bordeaux" not in commune_select.inner_text()
    # The current choice stays first; the next option is the match.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_commune"
    page.keyboard.press("ArrowDown")
    assert commune_select.input_value() == str(medard.pk)
    for _ in range(10):  # on to the submit button, still with the keyboard
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Enregistrer":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    world.beneficiary.refresh_from_db()
    assert world.beneficiary.commune == medard
    assert not page.evaluate("window.__csp")


def test_the_skip_link_is_the_first_keyboard_stop(world, live_server, page):
    login(page, live_server, world.user("trainer"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"


def tab_to(page, element_id, limit=80):
    """Press Tab until the element with this id has the focus, like a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never got the keyboard focus")


def test_a_trainer_takes_a_sheet_with_the_keyboard_only(world, live_server, page):
    from attendance.models import Mark

    trainer = world.user("trainer")
    day = world.slot.date
    morning = world.slot if world.slot.period == "am" else world.slot.session.slots.get(date=day, period="am")
    login(page, live_server, trainer)
    visit(page, live_server.url + reverse("attendance:sheet", args=[world.session.pk, day.isoformat()]), "sheet")

    # "Tous présents" with Enter, then an exception with the arrow keys: each change is saved at once.
    page.keyboard.press("Tab")  # skip link first
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Tous présents":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#sheet .text-success")).to_contain_text("enregistré", timeout=10_000)
    assert Mark.objects.filter(stage=world.stage, slot=morning, status="present").exists()
    # The reason of an absence only shows for a justified absence.
    expect(page.locator(f"#r-{world.stage.pk}-{morning.pk}")).to_be_hidden()

    key = f"{world.stage.pk}-{morning.pk}"

    def saved_after(press):
        """Press a key and wait for the htmx save it triggers."""
        with page.expect_response(lambda r: r.request.method == "POST" and "/jour/" in r.url):
            press()

    tab_to(page, f"m-{key}")
    saved_after(lambda: page.keyboard.press("ArrowDown"))  # présent → en retard
    expect(page.locator("#sheet-status")).to_contain_text("1 changement enregistré")
    assert page.evaluate("document.activeElement.id") == f"m-{key}"  # saving did not steal the focus
    # The focus ring is the app's, not Bootstrap's faint one (issue 21).
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
    # Going through the options with the arrow keys saves the one the trainer stops on, once (issue 21: every
    # option passed was saved, and its absence rules evaluated).
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/jour/" in r.url else None)

    def two_quick_presses():
        page.keyboard.press("ArrowDown")  # en retard → absence justifiée
        page.keyboard.press("ArrowDown")  # → absence non justifiée
        page.keyboard.press("ArrowUp")  # back to absence justifiée

    saved_after(two_quick_presses)
    page.wait_for_timeout(1000)
    assert len(posts) == 1
    assert Mark.objects.get(stage=world.stage, slot=morning).status == "absent_justified"
    expect(page.locator(f"#r-{key}")).to_be_visible()
    tab_to(page, f"r-{key}")
    saved_after(lambda: page.keyboard.press("ArrowDown"))  # motif : maladie
    expect(page.locator("#sheet-status")).to_contain_text("1 changement enregistré")
    mark = Mark.objects.get(stage=world.stage, slot=morning)
    assert (mark.status, mark.reason) == ("absent_justified", "illness")
    assert not page.evaluate("window.__csp")
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "sheet-after.png"), full_page=True)


def open_page(browser):
    """A page in a browser context of its own (its own cookies: another person at another desk), with the CSP
    listener of the `page` fixture."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


def assert_no_csp_violation(page):
    violations = page.evaluate("window.__csp") + [e for e in page.console_errors if "Content Security Policy" in e]
    assert not violations, f"CSP violations on {page.url}: {violations}"


def test_a_declared_rupture_shows_in_the_open_inbox_of_the_prescriber_without_a_reload(world, live_server, browser):
    from alerts.models import Alert
    from ruptures.models import Rupture

    base = live_server.url
    prescriber_page, trainer_page = open_page(browser), open_page(browser)
    try:
        # The prescriber adviser opens the alert inbox: nothing yet, no badge.
        login(prescriber_page, live_server, world.user("prescriber_adviser"))
        visit(prescriber_page, base + reverse("alerts:alert_list"), "alerts-live-before")
        inbox = prescriber_page.locator("#alert-list")
        badge = prescriber_page.locator(f'[hx-get="{reverse("alerts:alert_badge")}"]')
        expect(inbox).to_contain_text("Aucune alerte pour l'instant.")
        expect(badge).to_have_text("")
        prescriber_page.evaluate("window.__sameDocument = true")  # gone if the page reloads

        # Meanwhile, at the training body, the trainer declares an abandon.
        login(trainer_page, live_server, world.user("trainer"))
        visit(trainer_page, base + reverse("ruptures:rupture_create", args=[world.stage.pk]), "rupture-form-empty")
        planned_resume = trainer_page.get_by_label("Reprise prévue le")
        expect(planned_resume).to_be_hidden()  # the details of a kind show only once it is chosen
        trainer_page.get_by_label("Interruption (suspension avec reprise prévue)").check()
        expect(planned_resume).to_be_visible()
        trainer_page.get_by_label("Abandon (perte de contact)").check()
        expect(planned_resume).to_be_hidden()
        trainer_page.get_by_label("Cause principale").select_option(label="Transport, mobilité")
        trainer_page.get_by_label("Logement", exact=True).check()
        trainer_page.get_by_label("Pourquoi aucune relance ?").click()
        trainer_page.keyboard.type("Son numéro n'est plus attribué et elle n'a pas d'adresse e-mail.")
        if SCREENSHOTS:
            trainer_page.screenshot(path=os.path.join(SCREENSHOTS, "rupture-form-filled.png"), full_page=True)
        trainer_page.get_by_role("button", name="Déclarer la rupture et alerter").click()
        expect(trainer_page.get_by_role("heading", level=1)).to_contain_text("Zoé MARTIN")
        rupture = Rupture.objects.get(stage=world.stage)
        assert (rupture.kind, rupture.main_cause) == ("abandon", "conditions.transport")
        assert set(rupture.causes.values_list("cause", flat=True)) == {"conditions.transport", "conditions.housing"}
        assert trainer_page.url == base + reverse("alerts:alert_detail", args=[rupture.alert.pk])
        assert_no_csp_violation(trainer_page)

        # The open inbox shows it at its next poll (every 5 s), the badge at its own (every 10 s): no reload.
        expect(inbox).to_contain_text("Zoé MARTIN", timeout=12_000)
        expect(inbox).to_contain_text("Abandon (perte de contact)")
        expect(inbox.locator("tbody tr")).to_have_count(1)
        expect(badge).to_contain_text("1", timeout=12_000)
        assert prescriber_page.evaluate("window.__sameDocument") is True
        assert Alert.objects.get().status == Alert.Status.NEW
        assert_no_csp_violation(prescriber_page)
        if SCREENSHOTS:
            prescriber_page.screenshot(path=os.path.join(SCREENSHOTS, "alerts-live-after.png"), full_page=True)
            trainer_page.screenshot(path=os.path.join(SCREENSHOTS, "alert-declared.png"), full_page=True)
    finally:
        prescriber_page.context.close()
        trainer_page.context.close()


def test_a_legal_representative_signs_the_charter_with_the_keyboard(world, live_server, page):
    from charter.models import Signature
    from tests.charter.factories import first_version

    first_version(world.region)
    login(page, live_server, world.user("legal_representative"))
    visit(page, live_server.url + reverse("charter:sign", args=[world.prescriber.pk]), "charter-sign")
    page.get_by_label("Votre fonction").focus()
    page.keyboard.type("Directrice")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent box
    expect(page.get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Signer la charte"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signature de Mission Locale des Hauts de Garonne")
    expect(page.get_by_text("Copie en préparation")).to_be_visible()
    signature = Signature.objects.get(organisation=world.prescriber)
    assert signature.signatory_function == "Directrice"


def test_a_trainer_fills_a_checklist_section_with_the_keyboard_and_sees_it_saved(world, live_server, page):
    from checklist.models import ChecklistAnswer
    from tests.checklist.factories import first_template

    first_template()
    login(page, live_server, world.user("trainer"))
    visit(page, live_server.url + reverse("pathways:pathway_detail", args=[world.pathway.pk]))
    page.get_by_role("button", name="Commencer la check-list").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-list de sécurisation")
    visit(page, page.url, "checklist-fill")
    # The first section's answers, one radio group per point: a tap or the keyboard (Space on the focused choice).
    section = page.locator("#rubrique-administrative")
    for label in section.locator("legend").all_inner_texts():
        group = section.get_by_role("radiogroup", name=label.strip())
        group.get_by_label("OK", exact=True).focus()
        page.keyboard.press("Space")
        expect(group.get_by_label("OK", exact=True)).to_be_checked()
    section.get_by_role("button", name="Enregistrer la rubrique").press("Enter")
    expect(page.locator("#rubrique-administrative").get_by_role("status")).to_contain_text("Enregistré à")
    assert ChecklistAnswer.objects.filter(checklist__stage=world.stage, answer="ok").count() == 6
    # The page-level progress follows without a reload (issue 21: it stayed at "0 sur 16").
    expect(page.locator("#checklist-progress")).to_contain_text("6 points renseignés sur")


WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 3)
  .map((e) => `${e.tagName}.${e.className} «${(e.textContent || "").trim().slice(0, 30)}»`)"""


def test_a_long_unbroken_word_wraps_instead_of_widening_the_page(world, live_server, page):
    """What people type (comments, reasons, messages, names) may hold a word of thousands of characters (pasted, or
    typed before the lengths were bounded): it wraps, and no page is wider than the window (issue 15, leak 8)."""
    from attendance.models import FollowUpAttempt
    from pathways.models import Beneficiary, JoinRequest, StageTransition
    from ruptures.models import Rupture
    from tests.ruptures.declaring import declare

    word = "x" * 5000
    name = "N" * Beneficiary._meta.get_field("last_name").max_length  # the longest name a person may have
    Beneficiary.objects.filter(pk=world.beneficiary.pk).update(last_name=name)
    FollowUpAttempt.objects.create(drift=world.drift, channel="phone", outcome="no_answer", by=world.user("trainer"))
    FollowUpAttempt.objects.update(comment=word)
    JoinRequest.objects.filter(pk=world.join_request.pk).update(message=word)
    alert = declare(world, comment="court").alert
    Rupture.objects.filter(alert=alert).update(comment=word)
    StageTransition.objects.filter(stage=world.stage).update(reason=word)

    width = page.viewport_size["width"]
    too_wide = []
    for role, pages in [
        (
            "trainer",
            {
                "drift": reverse("attendance:drift_detail", args=[world.drift.pk]),
                "watch-list": reverse("attendance:watch_list"),
                "beneficiaries": reverse("pathways:beneficiary_list"),
                "pathway": reverse("pathways:pathway_detail", args=[world.pathway.pk]),
                "alert": alert.get_absolute_url(),
            },
        ),
        ("prescriber_adviser", {"join-requests": reverse("pathways:join_request_list")}),
    ]:
        page.context.clear_cookies()
        login(page, live_server, world.user(role))
        for label, url in pages.items():
            visit(page, live_server.url + url, f"long-word-{label}")
            assert word in page.content() or name in page.content(), label
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append(f"{label}: {scroll_width}px, {page.evaluate(WIDER_THAN_THE_WINDOW)}")
    assert not too_wide, f"wider than the {width}px window: {too_wide}"
