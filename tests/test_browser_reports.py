"""The funnel in a real Chromium: the chart is drawn from the same figures as the table, and a
filter redraws both in place (htmx) without loading the page again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db

from .browsing import shot, sqlite_pass_only
from .test_reports_funnel import build

pytestmark = [
    pytest.mark.browser,
    sqlite_pass_only,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_the_funnel_chart_and_its_filters(tab, make):
    world = build(make)
    db.session.commit()
    page = tab(world["admin"].email)
    page.goto("/reports/funnel")
    expect(page.locator("#funnel-summary")).to_contain_text("Of 6 engagements")
    drawn = "Chart.getChart(document.querySelector('canvas[data-funnel]')).data.datasets[0].data"
    assert page.evaluate(drawn) == [6, 5, 2, 1, 1, 1]
    shot(page, "reports-1-funnel")
    page.evaluate("window.notReloaded = true")
    page.select_option("select[name=class]", str(world["e3"].team.classroom_id))
    expect(page.locator("#funnel-summary")).to_contain_text("Of 1 engagement")
    assert page.evaluate("window.notReloaded") is True  # swapped in place
    assert f"class={world['e3'].team.classroom_id}" in page.url  # and the address follows
    assert page.evaluate(drawn) == [1, 1, 1, 0, 0, 0]


def test_the_students_report_breaks_down_in_place_and_the_tabs_lead_on(tab, make):
    from .test_reports_students import build as build_students

    world = build_students(make)
    page = tab(world["rivera"].email)
    page.goto("/reports/students")
    expect(page.locator("#students-summary")).to_contain_text("5 students: 4 in a project")
    expect(page.locator("#students-table tbody")).to_contain_text("Grade 11")
    page.evaluate("window.notReloaded = true")
    page.select_option("select[name=by]", "class")
    expect(page.locator("#students-table tbody")).to_contain_text("Robotics B")
    assert page.evaluate("window.notReloaded") is True
    assert "by=class" in page.url
    shot(page, "reports-2-students")
    page.locator("#students-table tbody tr", has_text="Robotics A").get_by_role(
        "link", name="4"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robotics A: students")
    expect(page.locator("main")).to_contain_text("Dev Student")
    page.goto("/reports/students")
    for tab_name, heading in (("Partners", "Partners"), ("Events", "Pitch events")):
        page.get_by_role("navigation", name="Reports").get_by_role("link", name=tab_name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
