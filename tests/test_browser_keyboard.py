"""Keyboard users after an in-place update: focus goes to what changed, is inside the window and
visibly marked; date fields show focus; one offer's consents sit together. Driven by keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import OfferStatus, ProjectStatus, Rung

from .browsing import log_in, once_per_ci, shot
from .helpers import school_today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

TODAY = school_today()

FOCUSED = """() => {
  const e = document.activeElement;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    name: e.getAttribute("name") || "",
    text: (e.textContent || "").trim().slice(0, 80),
    inView: r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight,
    outline: s.outlineStyle === "none" ? 0 : parseFloat(s.outlineWidth),
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def assert_seen(where: dict) -> None:
    """The focused element is inside the window and visibly marked."""
    assert where["inView"], where
    assert where["outline"] >= 2, where


def tab_to(page, predicate, limit: int = 80) -> int:
    """Press Tab until `predicate(focused)`; the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if predicate(focused(page)):
            return presses
    raise AssertionError(f"not reached in {limit} Tab presses; at {focused(page)}")


@pytest.fixture
def scene(make):
    once_per_ci()
    school = make.school(name="Riverside High School")
    teacher = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    classroom = make.classroom(teacher=teacher, name="Engineering Design")
    minors = [
        make.student(classroom, first_name=name, age=15, username=f"{name.lower()}.k")
        for name in ("Ava", "Ben", "Cy")
    ]
    team = make.team(classroom, minors, name="Trailblazers")
    organisation = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(organisation, first_name="Jordan", last_name="Lee")
    make.background_check(employer, school)
    # Busy board: several engagements, so the form appears far above the card's link.
    engagements = [
        make.engagement(
            make.project(team, status=ProjectStatus.PUBLISHED, title=f"App {n}"), employer
        )
        for n in range(6)
    ]
    offer = make.offer(engagements[0], rung=Rung.MENTORSHIP, status=OfferStatus.PROPOSED)
    for other in engagements[1:4]:  # other pending items on the approvals page
        make.offer(other, rung=Rung.MENTORSHIP, status=OfferStatus.PROPOSED)
    db.session.commit()
    return {"teacher": teacher, "employer": employer, "engagements": engagements, "offer": offer}


def test_the_offer_form_takes_focus_and_sending_lands_on_its_message(page, scene):
    page.set_viewport_size({"width": 1280, "height": 700})
    log_in(page, scene["employer"].email)
    page.wait_for_url("**/dashboard")
    page.goto("/pipeline")
    card = scene["engagements"][-1]
    tab_to(
        page,
        lambda f: (
            f["tag"] == "a"
            and f["text"] == "Claim to mentor"
            and page.evaluate(f"document.activeElement.closest('#card-{card.id}') !== null")
        ),
    )
    page.keyboard.press("Enter")
    page.wait_for_selector("#offer-panel form")
    page.wait_for_function("() => document.activeElement.tagName === 'H2'")
    heading = focused(page)
    assert heading["text"].startswith("A new offer to team Trailblazers"), heading
    assert_seen(heading)
    # The first field is one Tab away, not 32 Shift+Tabs.
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "rung"

    # Date fields show focus on every part, the calendar button included.
    page.locator("input[name=start_date]").focus()
    for _ in range(4):
        where = focused(page)
        if where["name"] != "start_date":
            break
        assert where["outline"] >= 2, where
        page.keyboard.press("Tab")

    for name, value in (
        ("start_date", (TODAY + timedelta(days=14)).isoformat()),
        ("end_date", (TODAY + timedelta(days=42)).isoformat()),
        ("respond_by", (TODAY + timedelta(days=7)).isoformat()),
        ("days_per_week", "1"),
        ("hours_per_week", "2"),
        ("supervisor", "Dr. Priya Patel"),
    ):
        page.fill(f"#offer-panel [name={name}]", value)
    page.check("#offer-panel input[name=remote]")
    page.locator("#offer-panel button:has-text('Send to the teacher')").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#offer-panel >> text=Sent to the teacher for approval.")
    page.wait_for_function("() => document.activeElement.getAttribute('role') === 'status'")
    message = focused(page)
    assert message["text"] == "Sent to the teacher for approval.", message
    assert_seen(message)
    shot(page, "keyboard-focus-after-sending")


def test_one_offers_consents_are_a_few_tab_presses_from_its_approval(page, scene):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, scene["teacher"].email)
    page.wait_for_url("**/dashboard")
    page.goto("/approvals")
    offer = scene["offer"]
    tab_to(
        page,
        lambda f: (
            f["text"] == "Approve the mentorship"
            and page.evaluate(f"document.activeElement.closest('#offer-{offer.id}') !== null")
        ),
    )
    presses = tab_to(page, lambda f: f["text"].startswith("Record consent for Cy"))
    # three short forms (a date field is three Tab stops in Chromium), nothing else between
    assert presses <= 3 * 8, presses
    assert_seen(focused(page))
