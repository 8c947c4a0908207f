"""The layout in a real browser at the widths people use (issue 21, "rough edges found in the browser"): a small
laptop (1024 px), a desktop (1280 px), a phone (390 px) and a small phone (320 px).

On every page of the trainer, the prescriber's adviser and the regional officer, the document never scrolls
sideways, the page's primary action is on screen, and at laptop and desktop widths the notifications and the user
menu are visible and open. Wide tables on a phone either fit or sit in a focusable scroll container with a visible
hint, never silently clipped.
"""

import datetime

import pytest
from django.urls import reverse

from tests import test_browser as shared
from tests.test_browser import PASSWORD, SCREENSHOTS, expect, visit

browser = shared.browser  # the one Chromium of the module (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1024, 1280, 390, 320]
DESKTOP = 992  # Bootstrap's lg breakpoint: below it the menu folds behind its toggler

WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest(".table-responsive"))
  .slice(0, 4)
  .map((e) => `${e.tagName}.${e.className} «${(e.textContent || "").trim().slice(0, 30)}»`)"""


def new_page(chromium, width):
    context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.add_init_script(shared.CSP_LISTENER)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser, 1280)
    yield page
    page.context.close()


def login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(live_server.url + reverse("pathways:home"))


UNREADABLE_TABLES = """() => [...document.querySelectorAll(".table-responsive")]
  .filter((box) => box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1)
  .filter((box) => {
    const hint = box.previousElementSibling;
    const hinted = hint && hint.classList.contains("table-scroll-hint") && !hint.hidden && hint.offsetParent !== null;
    return !(hinted && box.tabIndex >= 0);
  })
  .map((box) => (box.querySelector("caption") || box).textContent.trim().slice(0, 60))"""


def on_screen(page, locator, width):
    """The element is shown and lies within the window's width (it may be further down: the page scrolls down)."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def trainer_pages(world):
    from checklist.services import checklist_start
    from tests.checklist.factories import first_template

    first_template()
    checklist = checklist_start(stage=world.stage, by=world.user("trainer"))
    day = world.slot.date.isoformat()
    afternoon = world.session.slots.get(date=world.slot.date, period="pm")
    return {
        "home": (reverse("pathways:home"), [lambda p: p.get_by_role("heading", level=1)]),
        "today": (reverse("attendance:today"), [lambda p: p.get_by_role("link", name="Émarger")]),
        "sheet": (
            reverse("attendance:sheet", args=[world.session.pk, day]),
            [
                # The afternoon column, hidden without a hint on a phone before (issue 21).
                lambda p: p.locator(f"#m-{world.stage.pk}-{afternoon.pk}"),
                lambda p: p.get_by_role("button", name="Enregistrer la feuille"),
            ],
        ),
        "watch-list": (reverse("attendance:watch_list"), [lambda p: p.get_by_role("link", name="Zoé MARTIN")]),
        "pathway": (
            reverse("pathways:pathway_detail", args=[world.pathway.pk]),
            [lambda p: p.get_by_role("link", name="Remplir")],
        ),
        "checklist": (
            reverse("checklist:edit", args=[checklist.pk]),
            [lambda p: p.get_by_role("button", name="Enregistrer la rubrique").first],
        ),
    }


def adviser_pages(world):
    from tests.ruptures.declaring import declare

    alert = declare(world).alert
    return {
        "alerts": (reverse("alerts:alert_list"), [lambda p: p.get_by_role("link", name="Zoé MARTIN")]),
        "alert": (
            alert.get_absolute_url(),
            [lambda p: p.get_by_role("button", name="Je prends en compte cette alerte")],
        ),
        "people": (
            reverse("pathways:beneficiary_list"),
            [lambda p: p.get_by_role("link", name="Inscrire une personne")],
        ),
        "pathway": (
            reverse("pathways:pathway_detail", args=[world.pathway.pk]),
            [lambda p: p.get_by_role("link", name="Prévoir une étape")],
        ),
    }


def regional_pages(world):
    return {
        "home": (reverse("pathways:home"), [lambda p: p.get_by_role("heading", level=1)]),
        "basin-dashboard": (
            reverse("dashboards:basin", args=[world.basin.pk]),
            [lambda p: p.get_by_role("heading", level=1)],
        ),
        "charter-overview": (reverse("charter:overview"), [lambda p: p.get_by_role("button", name="Afficher")]),
    }


ROLES = {"trainer": trainer_pages, "prescriber_adviser": adviser_pages, "regional_officer": regional_pages}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(ROLES))
def test_pages_fit_the_window_with_their_primary_action_in_view(world, live_server, browser, role, width):
    pages = ROLES[role](world)
    page = new_page(browser, width)
    problems = []
    try:
        login(page, live_server, world.user(role))
        for name, (url, primary_actions) in pages.items():
            visit(page, live_server.url + url, SCREENSHOTS and f"layout-{width}-{role}-{name}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                problems.append(f"{name}: the page is {scroll_width}px wide, {page.evaluate(WIDER_THAN_THE_WINDOW)}")
            for action in primary_actions:
                if not on_screen(page, action(page), width):
                    problems.append(f"{name}: {action(page)} is beyond the window's edge")
            unreadable = page.evaluate(UNREADABLE_TABLES)
            if unreadable:
                problems.append(f"{name}: tables cut off without a focusable box and a hint: {unreadable}")
        if width >= DESKTOP:
            # The notifications and the user menu are in the bar, and the menu opens within the window.
            notifications = page.locator("header").get_by_role("link", name="Notifications")
            user_menu = page.locator("header").get_by_role("button", name=world.user(role).get_full_name())
            for element in (notifications, user_menu):
                if not on_screen(page, element, width):
                    problems.append(f"{element} is beyond the window's edge")
            user_menu.click()
            log_out = page.get_by_role("button", name="Se déconnecter")
            if not on_screen(page, log_out, width):
                problems.append("the user menu opens beyond the window's edge")
            assert on_screen(page, page.get_by_role("link", name="Accueil"), width)
        else:
            # On a phone the main links fold behind the toggler, which opens them; the notifications stay in view.
            assert on_screen(page, page.locator("header").get_by_role("link", name="Notifications"), width)
            page.get_by_role("button", name="Ouvrir le menu").click()
            expect(page.get_by_role("link", name="Accueil")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.context.close()
    assert not problems, problems


# --------------------------------------------------------------------------------------------------------------
# The other rough edges of issue 21, each in the browser.

COLOURS = """(selector) => {
  const element = document.querySelector(selector);
  let background = element, colour = getComputedStyle(element).backgroundColor;
  while (background && /rgba\\(.*, 0\\)|transparent/.test(colour)) {
    background = background.parentElement;
    colour = background ? getComputedStyle(background).backgroundColor : "rgb(255, 255, 255)";
  }
  return [getComputedStyle(element).color, colour];
}"""


def luminance(css_colour):
    """The relative luminance (WCAG 2.1) of a computed CSS colour, "rgb(r, g, b)" or "rgba(r, g, b, a)"."""
    values = [float(v) for v in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [(c / 255 / 12.92) if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_helper_knows_the_wcag_values():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(108, 117, 125)", "rgb(246, 247, 249)"), 2) == 4.37  # Bootstrap's grey, issue 21


def test_the_footer_language_button_and_label_contrast_at_least_4_5_to_1(world, live_server, page):
    visit(page, live_server.url + reverse("accounts:login"))
    for selector in (".app-footer .language-submit", ".app-footer label[for=language-select]"):
        foreground, background = page.evaluate(COLOURS, selector)
        assert contrast(foreground, background) >= 4.5, (selector, foreground, background)


def test_a_day_without_a_session_leads_the_trainer_to_the_sheets_to_fill(world, live_server, page):
    from attendance.models import Slot

    Slot.objects.filter(session=world.session, date=world.today).delete()
    yesterday = world.today - datetime.timedelta(days=1)
    login(page, live_server, world.user("trainer"))
    visit(page, live_server.url + reverse("attendance:today"), "attendance-today-without-session")
    expect(page.get_by_text("Aucune de vos sessions n'a lieu aujourd'hui.")).to_be_visible()
    to_fill = page.locator("#sheets-to-fill li")
    expect(to_fill.first).to_contain_text("2 demi-journées à compléter")
    expect(page.locator("#next-session-day")).to_contain_text("Feuille de Titre pro ADVF")
    to_fill.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Émargement du")
    assert page.url.endswith(reverse("attendance:sheet", args=[world.session.pk, yesterday.isoformat()]))


def test_saving_a_sheet_already_autosaved_says_there_is_nothing_to_save(world, live_server, page):
    login(page, live_server, world.user("trainer"))
    visit(page, live_server.url + reverse("attendance:sheet", args=[world.session.pk, world.slot.date.isoformat()]))
    with page.expect_response(lambda r: r.request.method == "POST" and "/jour/" in r.url):
        page.locator(f"#m-{world.stage.pk}-{world.slot.pk}").select_option("present")
    expect(page.locator("#sheet-status")).to_contain_text("1 changement enregistré")
    page.get_by_role("button", name="Enregistrer la feuille").click()
    expect(page.locator("#sheet-status")).to_contain_text("Rien à enregistrer : la feuille est à jour.")


def test_the_charter_signing_form_prefills_the_signatorys_name(world, live_server, page):
    from tests.charter.factories import first_version

    first_version(world.region)
    representative = world.user("legal_representative")
    login(page, live_server, representative)
    visit(page, live_server.url + reverse("charter:sign", args=[world.prescriber.pk]))
    expect(page.get_by_label("Votre nom")).to_have_value(representative.get_full_name())


def test_english_pages_write_dates_day_first(world, live_server, page):
    day = world.slot.date
    login(page, live_server, world.user("trainer"))
    visit(page, live_server.url + reverse("pathways:home"))
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    visit(page, live_server.url + reverse("attendance:sheet", args=[world.session.pk, day.isoformat()]))
    expect(page.locator(".breadcrumb-item.active")).to_have_text(day.strftime("%d/%m/%Y"))
