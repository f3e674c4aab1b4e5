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
    card = text_of(client.get("/projects")).split("Forklift safety")[1]
    assert "You're engaged · interest" in card
    assert card.count("Forklift safety") == 0  # one card, however many organisations engage
