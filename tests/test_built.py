"""Statements built once per shape (marketplace.built): bounded, least recently used first out,
and what they read is read afresh on every run."""

from __future__ import annotations

from marketplace.built import Built
from marketplace.extensions import db
from marketplace.models import ProjectStatus

from .helpers import text_of


def test_each_key_is_built_once_and_the_least_recently_used_goes_first():
    built: Built[str] = Built(limit=2)
    calls: list[str] = []

    def make(key: str):
        return lambda: calls.append(key) or f"statement {key}"

    assert built.get("a", make("a")) == "statement a"
    assert built.get("a", make("a")) == "statement a"
    built.get("b", make("b"))
    built.get("a", make("a"))  # used again: "b" is now the oldest
    built.get("c", make("c"))
    assert len(built) == 2
    built.get("a", make("a"))
    built.get("b", make("b"))
    assert calls == ["a", "b", "c", "b"]


def test_a_search_run_again_reads_what_was_published_since(client, login, make):
    """The browse page's statement is kept for the same filters, schools and page; the
    projects are not: one published after the first look is on the next."""
    published = make.project(title="Tablet check-in", status=ProjectStatus.PUBLISHED)
    school = published.team.classroom.school
    login(make.employer(make.organisation(verified_by=[school])))
    first = text_of(client.get("/projects?q=tablet"))
    assert "Tablet check-in" in first and "Tablet triage" not in first
    make.project(published.team, title="Tablet triage", status=ProjectStatus.PUBLISHED)
    db.session.commit()
    again = text_of(client.get("/projects?q=tablet"))
    assert "Tablet check-in" in again and "Tablet triage" in again
    assert "2 projects" in again


def test_cards_tell_the_organisation_of_its_own_engagement_only(client, login, make):
    """The cards' engagement badges come with the projects, for the reader's organisation."""
    project = make.project(title="Forklift safety", status=ProjectStatus.PUBLISHED)
    school = project.team.classroom.school
    ours = make.employer(make.organisation(verified_by=[school]))
    make.engagement(project, make.employer(make.organisation(verified_by=[school])))
    login(ours)
    card = text_of(client.get("/projects")).split("Forklift safety")[1]
    assert "engaged" not in card.lower() and "Engagement" not in card
    make.engagement(project, ours)
    db.session.commit()
    page = text_of(client.get("/projects"))
    assert "You're engaged · interest" in page.split("Forklift safety")[1]
    assert page.count('class="project-card"') == 1  # one card, however many organisations engage


def test_readers_of_one_shape_share_the_navs_statement_not_their_counts(client, login, make):
    """Two students of one school ask the nav's counts with the same statement, each with their
    own id: each bell counts their own notifications."""
    from marketplace import nav
    from marketplace.models import Notification

    school = make.school()
    ava, ben = make.student(school=school), make.student(school=school)
    for user, count in ((ava, 2), (ben, 1)):
        for n in range(count):
            key = f"test-{user.id}-{n}"
            db.session.add(
                Notification(user_id=user.id, kind="test", subject="N", idempotency_key=key)
            )
    db.session.commit()
    before = len(nav._STATEMENTS)
    for user, count in ((ava, 2), (ben, 1), (ava, 2)):
        login(user)
        assert f'aria-label="Notifications, {count} unread"' in text_of(client.get("/dashboard"))
    assert len(nav._STATEMENTS) <= before + 1  # one shape: built once (if not already)
