"""Phones: at 390 px no page of any role scrolls sideways (tables and the pipeline board scroll
inside their own box), and the nav folds into a Menu that opens without JavaScript. The pages
are the ones the route × role matrix knows (tests/routes.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from marketplace.extensions import db

from .browsing import log_in, once_per_ci, shot, sideways_px
from .factories import Factory
from .outcomes import PAGE
from .routes import ROUTES
from .world import ROLES, World, build_world

pytestmark = [
    pytest.mark.browser,
    # The development server leaves a static file to the garbage collector when Chromium moves
    # on mid-download (test_browser.py says more): the test server's doing, not the app's.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

PHONE = {"width": 390, "height": 844}


def pages_for(world: World, role: str) -> list[str]:
    """Every page the matrix says `role` gets (200): each endpoint once (its other rows render
    the same template for other rows of the world). A PDF is left out: the browser's viewer
    shows it, not a page of ours (and takes a second to open)."""
    first = {}
    for route in ROUTES:
        if route.method == "GET" and route.expect[role] is PAGE:
            first.setdefault(route.endpoint, route.url(world))
    return [url for url in first.values() if not url.split("?")[0].endswith(".pdf")]


def login_name(user) -> str:
    return user.username or user.email


def test_no_page_of_any_role_scrolls_sideways_on_a_phone(browser, live_server):
    once_per_ci()
    world = build_world(Factory())
    db.session.commit()
    too_wide: dict[str, int] = {}
    seen = 0
    for role in ROLES:
        context = browser.new_context(base_url=live_server, viewport=PHONE)
        context.route("**/notifications/bell", lambda route: route.abort())  # no polling
        page = context.new_page()
        user = world.user(role)
        if user is not None:
            log_in(page, login_name(user))
            page.wait_for_url("**/dashboard")
        for url in pages_for(world, role):
            try:
                response = page.goto(url)
            except PlaywrightError as error:  # a file the browser downloads: not a page
                assert "Download is starting" in str(error), error
                continue
            if response is None or "text/html" not in response.headers["content-type"]:
                continue
            width = sideways_px(page)
            seen += 1
            if width > 0:
                too_wide[f"{role} {url}"] = width
                shot(page, f"phone-too-wide-{role}-{len(too_wide)}", always=True)
        context.close()
    assert seen > 100, seen  # the matrix's pages, not a handful
    assert too_wide == {}, f"pages wider than the phone by so many px: {too_wide}"


def test_the_menu_opens_on_a_phone_and_folds_on_a_wide_screen(browser, live_server):
    once_per_ci()
    world = build_world(Factory())
    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    log_in(page, world.teacher.email)
    page.wait_for_url("**/dashboard")
    reviews = page.locator("nav .nav-menu a", has_text="Reviews")
    assert page.locator("nav li.nav-wide a", has_text="Reviews").is_hidden()
    assert reviews.is_hidden()
    page.click("nav .nav-menu summary")  # no JavaScript: <details> opens by itself
    assert reviews.is_visible()
    menu_bottom = page.evaluate("document.querySelector('nav').getBoundingClientRect().bottom")
    assert menu_bottom < 844 / 3, "the bar leaves the first screen to the page"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("nav li.nav-wide a", has_text="Reviews").is_visible()
    assert page.locator("nav .nav-menu").is_hidden()
    context.close()
