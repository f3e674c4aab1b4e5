"""Browser-test support: Debian's Chromium through Playwright, the app on a live loopback server,
and a tab that fails the test on any console error. The fixtures are installed by conftest.py."""

from __future__ import annotations

import gc
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from marketplace.extensions import db

from .factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def _skip_or_fail(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    print(f"\n{'!' * 70}\n{message}\n{'!' * 70}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served over real HTTP on a free loopback port, CSRF on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    gc.collect()  # collect abandoned file responses now, inside this test (see pytestmark)


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser tab; fails the test on any console error (a CSP violation shows up there)."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors


@pytest.fixture
def tab(browser, live_server) -> Iterator:
    """`tab(login)`: that person's own browser window, logged in on first use and kept for the
    test (each has its own cookies, so switching people never races a response in flight);
    any console error fails the test."""
    pages: dict[str, object] = {}
    errors: list[str] = []

    def open_tab(login: str):
        if login in pages:
            return pages[login]
        context = browser.new_context(base_url=live_server, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                errors.append(f"{page.url} {msg.location} {msg.text[:60]}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, login)
        page.wait_for_url("**/dashboard")
        pages[login] = page
        return page

    yield open_tab
    for page in pages.values():
        page.context.close()  # type: ignore[attr-defined]
    assert errors == [], errors


def shot(page, name: str, *, always: bool = False) -> None:
    """A full-page screenshot in tests/screenshots/, to look at a page as its user sees it:
    taken when the run asks for them (`SCREENSHOTS=1 make test`), or `always` (a picture of a
    failure about to be reported). Each costs a few tenths of a second, and nobody looks at CI's."""
    if not always and os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sideways_px(page) -> int:
    """How far the page scrolls sideways (0 when it fits), once it has loaded: measured while a
    stylesheet is still on its way, a page reads as wider than it is (the judging page without
    app.css is 84 px wider than a phone), and a click that navigates does not wait for it. Against
    the width the page lays out in (clientWidth, without a scrollbar), not the window's."""
    page.wait_for_load_state("load")
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]:has-text('Log in')")


# A whole end-to-end flow in the browser runs on the SQLite pass only: what it checks in the
# page does not depend on the database, and every step's server work (the ladder, the judging,
# the messages, the partner log) is tested on both passes by the other tests. On this 2-core
# machine the PostgreSQL pass is the longer of the two, and these flows are its slowest tests.
sqlite_pass_only = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="a browser flow: run on the SQLite pass; its server work is tested on both",
)


def once_per_ci() -> None:
    """For a browser test of layout or focus only, which no database changes: run it on the
    SQLite pass of the suite and skip it on the PostgreSQL one (it costs seconds each time)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("layout and focus do not depend on the database: checked on the SQLite pass")
