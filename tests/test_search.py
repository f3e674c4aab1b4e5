"""Browsing and searching published projects (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import ProjectStatus
from marketplace.projects import search

from .conftest import shared_world
from .helpers import text_of


def build_shelf(make):
    """A school with published projects in two clusters, a draft, and another school's work."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    health = make.challenge(school, career_cluster="Healthcare & Human Services", title="Clinic")
    build = make.challenge(school, career_cluster="Construction", title="Dock")

    def publish(title, challenge=health, **kw):
        return make.project(team, challenge, ProjectStatus.PUBLISHED, title=title, **kw)

    projects = {
        "checkin": publish("CheckIn Buddy", pitch="Tablet check-in for clinics",
                           skills=["user research", "figma"]),
        "queue": publish("Quiet Queue", pitch="Text alerts so patients wait outside",
                         body="Built with **Python** and SMS.", skills=["python", "sms"]),
        "dock": publish("Dock Sentinel", build, pitch="Forklift warning lights",
                        skills=["arduino", "sensors"]),
    }  # fmt: skip
    make.project(team, health, title="Secret clinic draft")
    other = make.school()
    make.project(
        make.team(members=[make.student(make.classroom(school=other))]),
        make.challenge(other),
        ProjectStatus.PUBLISHED,
        title="Other school clinic",
    )
    return employer, projects, health


shelf = shared_world(build_shelf, name="shelf")  # built once; each test rolled back


def titles(response) -> list[str]:
    page = text_of(response)
    return [t for t in ("CheckIn Buddy", "Quiet Queue", "Dock Sentinel",
                        "Secret clinic draft", "Other school clinic") if t in page]  # fmt: skip


def _browsed(client, query_string):
    """The browse page for `query_string` and the statements it ran, with their parameters."""
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        page = client.get("/projects", query_string=query_string)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return page, seen


def test_employer_sees_published_work_of_schools_that_verified_them(client, login, shelf):
    """Drafts and other schools' projects never show."""
    employer, _, _ = shelf
    login(employer)
    assert sorted(titles(client.get("/projects"))) == [
        "CheckIn Buddy",
        "Dock Sentinel",
        "Quiet Queue",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("clinic", ["CheckIn Buddy"]),  # pitch
        ("python", ["Quiet Queue"]),  # body and skills
        ("pyth", ["Quiet Queue"]),  # the last word may be unfinished: a prefix
        ("sms pyth", ["Quiet Queue"]),
        ("pyth sms", []),  # a word followed by another is finished: matched whole
        ("pyth ", []),  # and so is one followed by a space
        ("Clinics, tablet.", ["CheckIn Buddy"]),  # finished words are stemmed: plurals match
        ("FORKLIFT warning", ["Dock Sentinel"]),  # every word, any case
        ("sensors", ["Dock Sentinel"]),  # skills
        ("zebra", []),
    ],
)
def test_full_text_search(client, login, shelf, query, expected):
    """Words are found in title, pitch, summary, body and skills."""
    employer, _, _ = shelf
    login(employer)
    assert titles(client.get("/projects", query_string={"q": query})) == expected


def test_filters_by_cluster_skill_and_challenge(client, login, shelf):
    """Career cluster, skill and challenge narrow the list."""
    employer, _, health = shelf
    login(employer)
    assert titles(client.get("/projects?cluster=Construction")) == ["Dock Sentinel"]
    assert titles(client.get("/projects?skill=Figma")) == ["CheckIn Buddy"]
    assert sorted(titles(client.get(f"/projects?challenge={health.id}"))) == [
        "CheckIn Buddy",
        "Quiet Queue",
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "AND OR NOT",
        "*",
        'a" OR 1=1 --',
        "NEAR(clinic",
        "clinic)" * 400,
        "'; DROP TABLE project; --",
        "^:*&|!",
    ],
)
def test_malformed_queries_get_a_page_not_an_error(client, login, shelf, query):
    """Quotes, operators and very long input are read as plain words."""
    employer, _, _ = shelf
    login(employer)
    response = client.get("/projects", query_string={"q": query})
    assert response.status_code == 200
    assert "project" in text_of(response)


def test_empty_results_and_deep_pages_are_clear(client, login, shelf):
    """No match says so; a page past the end shows the last page."""
    employer, _, _ = shelf
    login(employer)
    assert "No published project matches." in text_of(client.get("/projects?q=zebra"))
    deep = client.get("/projects?page=999999")
    assert deep.status_code == 200 and len(titles(deep)) == 3
    assert client.get("/projects?page=-3&school=abc").status_code == 200


def test_pages_of_24_sorted_by_recency(client, login, make):
    """Thirty projects make two pages, newest first."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)
    for n in range(30):
        make.project(team, challenge, ProjectStatus.PUBLISHED, title=f"Idea {n:02d}")
    login(employer)
    first = text_of(client.get("/projects?sort=recent"))
    assert "30 projects" in first and "Page 1 of 2" in first
    second = text_of(client.get("/projects?sort=recent&page=2"))
    assert second.count('class="project-card"') == 6
    assert "Page 2 of 2" in text_of(client.get("/projects?sort=recent&page=99"))  # the last


def test_htmx_gets_only_the_results(client, login, shelf):
    """Live filtering swaps just the results; the same URL without htmx is a whole page."""
    employer, _, _ = shelf
    login(employer)
    fragment = text_of(client.get("/projects?q=python", headers={"HX-Request": "true"}))
    assert "Quiet Queue" in fragment and "<html" not in fragment
    assert "<html" in text_of(client.get("/projects?q=python"))


def test_unverified_employer_sees_an_awaiting_page(client, login, make, shelf):
    """Before any school verifies them, employers see why there is nothing yet."""
    login(make.employer(make.organisation(pending_with=[make.school()])))
    page = text_of(client.get("/projects"))
    assert "Student projects appear once a school verifies your organisation" in page
    assert "CheckIn Buddy" not in page


def test_edits_to_a_published_project_are_searchable(client, login, shelf, app):
    """The search index follows changes to projects (FTS triggers / tsvector expression)."""
    employer, projects, _ = shelf
    projects["dock"].pitch = "Bright beacons for busy yards"
    login(employer)
    assert titles(client.get("/projects?q=beacons")) == ["Dock Sentinel"]
    assert titles(client.get("/projects?q=forklift")) == []


def test_most_relevant_first_and_most_recent_on_request(client, login, make):
    """Relevance puts the project about the words first, however old; recency the newest."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)
    make.project(team, challenge, ProjectStatus.PUBLISHED, title="Beacon Beacons",
                 pitch="Beacon lights", body="Beacons, beacons and a beacon.")  # fmt: skip
    make.project(team, challenge, ProjectStatus.PUBLISHED, title="Yard Map",
                 pitch="A map of the yard", body="One beacon at the gate.")  # fmt: skip
    login(employer)

    def order(sort):
        page = text_of(client.get("/projects", query_string={"q": "beacon", "sort": sort}))
        return sorted(("Beacon Beacons", "Yard Map"), key=page.index)

    assert order("relevance") == ["Beacon Beacons", "Yard Map"]
    assert order("recent") == ["Yard Map", "Beacon Beacons"]


def test_the_search_index_takes_each_project_as_written(app):
    """On PostgreSQL the GIN index has no pending list for every search to read through
    (migration 0030: fastupdate off)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's: set TEST_DATABASE_URL")
    options = db.session.scalar(
        sa.text("SELECT reloptions FROM pg_class WHERE relname = 'ix_project_search'")
    )
    assert "fastupdate=off" in (options or [])


def test_a_search_is_planned_for_its_words(client, login, shelf):
    """On PostgreSQL a search's values are written into its statement: a prepared statement's
    plan is made once, blind to the words, and one plan does not fit a common word and a rare
    one alike. Quotes in a query still cannot reach the SQL (only its words do)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the planner's choice is PostgreSQL's: set TEST_DATABASE_URL")
    employer, _, _ = shelf
    login(employer)
    page, seen = _browsed(client, {"q": "tablet' clinic"})
    assert titles(page) == ["CheckIn Buddy"]
    [(statement, parameters)] = [(s, p) for s, p in seen if "candidates" in s]
    # The last word may be unfinished: matched as the words of the index it begins.
    assert "to_tsquery('english'::regconfig, 'tablet') && CAST(" in statement
    assert "clinic" in completions(statement)
    assert not parameters
    # A filter's quotes, percent signs and backslashes are quoted as they are written in.
    odd = client.get("/projects", query_string={"q": "clinic", "skill": "o'reilly%\\"})
    assert odd.status_code == 200 and titles(odd) == []


def test_the_schools_are_one_value_and_no_school_is_no_project(client, login, shelf, app):
    """On PostgreSQL the schools an employer may browse are bound as one array, not a value per
    school that SQLAlchemy writes into the statement afresh on every page; with no school at
    all (an array PostgreSQL could not type when written out) nothing matches, with words or
    without."""
    employer, _, _ = shelf
    login(employer)
    page, seen = _browsed(client, {})
    assert len(titles(page)) == 3
    if db.engine.dialect.name == "postgresql":
        [(statement, parameters)] = [(s, p) for s, p in seen if "total" in s]
        assert statement.count("= ANY (") == 2  # the page and its count
        assert parameters["schools"] == [employer.organisation.verified_schools[0][0]]
    with app.test_request_context():
        for query in ("", "clinic", "clinic tab"):
            assert search.search(search.Filters(query=query), []).total == 0


def test_relevance_pages_hold_every_match_once(client, login, make):
    """The page's 24 are picked by score before the cards are read: page 2 goes on where page
    1 stopped, the strongest matches first."""
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)
    for n in range(30):
        body = "beacon " * (1 + n % 3)
        make.project(team, challenge, ProjectStatus.PUBLISHED, title=f"Idea {n:02d}", body=body)
    login(employer)

    def shown(page):
        html = text_of(client.get("/projects", query_string={"q": "beacon", "page": page}))
        return [f"Idea {n:02d}" for n in range(30) if f"Idea {n:02d}" in html]

    first, second = shown(1), shown(2)
    assert len(first) == 24 and len(second) == 6
    assert sorted(first + second) == [f"Idea {n:02d}" for n in range(30)]
    strongest = {f"Idea {n:02d}" for n in range(30) if n % 3 == 2}  # "beacon" three times
    assert strongest <= set(first)


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the search index's words are PostgreSQL's (SQLite's FTS5 reads prefixes)")


def _searched(client, query):
    """The page for `query` and the text of its search statement."""
    page, seen = _browsed(client, {"q": query})
    [statement] = [s for s, _ in seen if "candidates" in s]
    return page, statement


def completions(statement: str) -> list[str]:
    """The words an unfinished last word was matched as, in the statement's order (a test
    that committed may have left words of its own in the index's list: they match nothing)."""
    written = set(re.findall(r"CAST\('((?:[^']|'')*)' AS TSQUERY\)", statement))
    [query] = written  # in the rank and in the match alike
    return re.findall(r"''(\w+)''", query)


def test_an_unfinished_word_is_matched_as_the_words_it_begins(client, login, make):
    """On PostgreSQL the last word, while it may be unfinished, is looked up among the words
    of the index and matched as each word it begins, whole, not as a prefix (which has the GIN
    index read every project of the prefix's words). The words follow new and edited projects."""
    _postgresql_only()
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)

    def publish(title, pitch):
        return make.project(team, challenge, ProjectStatus.PUBLISHED, title=title, pitch=pitch)

    publish("Arm", "A Roboflow arm for the clinic")
    publish("Cart", "A robot cart for the clinic")
    publish("Scan", "A robust scanner for the clinic")
    lights = publish("Lights", "Warning lights for the dock")
    login(employer)

    page, statement = _searched(client, "clinic robo")
    assert sorted(t for t in ("Arm", "Cart", "Scan") if f"<strong>{t}<" in page.text) == [
        "Arm",
        "Cart",
    ]
    assert ":*" not in statement and "to_tsquery('english'::regconfig, 'clinic')" in statement
    begun = completions(statement)
    assert begun[0] == "robo" and {"robot", "roboflow"} <= set(begun)  # itself, then the rest
    assert "robust" not in begun
    page, statement = _searched(client, "rob")
    assert {"rob", "robot", "roboflow", "robust"} <= set(completions(statement))
    assert {"Arm", "Cart", "Scan"} <= {t for t in ("Arm", "Cart", "Scan") if t in page.text}

    lights.pitch = "Roboticist-approved lights for the dock"  # a word the index never held
    db.session.flush()
    page, statement = _searched(client, "robo")
    assert "roboticist" in completions(statement) and "<strong>Lights<" in page.text
    page, _ = _searched(client, "dock robox")  # begins no word: matches nothing
    assert "<strong>Lights<" not in page.text and "No published project matches" in page.text


def test_a_last_word_that_begins_many_words_or_is_left_out_keeps_the_old_match(client, login, make):
    """A word that begins more than COMPLETIONS words is matched as a prefix, and a word the
    index leaves out ("the") drops out of the search, as to_tsquery does with it."""
    from marketplace.projects.search import COMPLETIONS

    _postgresql_only()
    school = make.school()
    employer = make.employer(make.organisation(verified_by=[school]))
    team = make.team(members=[make.student(make.classroom(school=school))])
    challenge = make.challenge(school)
    body = " ".join(f"zed{n:03d}" for n in range(COMPLETIONS + 1))
    make.project(team, challenge, ProjectStatus.PUBLISHED, title="Many", body=body)
    make.project(team, challenge, ProjectStatus.PUBLISHED, title="Clinic", pitch="A clinic")
    login(employer)
    page, statement = _searched(client, "zed")
    assert "(zed | zed:*)" in statement and "<strong>Many<" in page.text
    page, statement = _searched(client, "clinic the")
    assert "(the | the:*)" in statement and "<strong>Clinic<" in page.text


def test_words_with_quotes_and_backslashes_are_written_as_tsquery_takes_them(app):
    _postgresql_only()
    from marketplace.projects.search import _tsquery_words

    for lexemes in (("it's",), ("a\\b", "c''d"), ("plain", "wo'rd\\")):
        matched = db.session.scalar(
            sa.text(
                "SELECT array_agg(w ORDER BY w) FROM unnest(CAST(:words AS text[])) AS w"
                " WHERE array_to_tsvector(ARRAY[w]) @@ CAST(:query AS tsquery)"
            ),
            {"words": list(lexemes), "query": _tsquery_words(lexemes)},
        )
        assert matched == sorted(lexemes)
