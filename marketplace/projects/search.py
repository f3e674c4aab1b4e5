"""Full-text search over published projects: one interface, two engines.

SQLite (the default) uses an FTS5 table kept in step with `project` by triggers; PostgreSQL
uses a stored generated `tsvector` column with a GIN index. Both are created by migrations 0006
and 0008 (and 0032, the index's words), outside the models, so autogenerate leaves them alone
(see SEARCH_OBJECTS).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.sql import visitors

from ..built import Built
from ..extensions import db
from ..models import (
    Challenge,
    Engagement,
    EngagementStatus,
    Project,
    ProjectStatus,
    Rung,
    Team,
)
from ..pagination import Pagination, counted_page

# Name prefixes: "project_search" also covers PostgreSQL's project_search_word table and its
# triggers and function (migration 0032).
SEARCH_OBJECTS = ("project_search", "ix_project_search", "search_vector")
PER_PAGE = 24
COUNT_CAP = 1000
MAX_TERMS = 12
COMPLETIONS = 32  # an unfinished word beginning more words is matched as a prefix
TSVECTOR = "project.search_vector"  # a stored generated column (migration 0008)


def is_search_object(name: str | None) -> bool:
    """For Alembic's include_object: the search objects are hand-written, per dialect."""
    return name is not None and any(name.startswith(prefix) for prefix in SEARCH_OBJECTS)


def terms(query: str) -> list[str]:
    """The words of a query: quotes, operators and punctuation are dropped, never parsed."""
    return [t.lower() for t in re.findall(r"\w+", query[:300])][:MAX_TERMS]


def still_typing(query: str) -> bool:
    """Whether the query's last word may be unfinished, so it is matched as a prefix ("robo"
    finds robots while the live search follows the typing). A word with a space or a mark after
    it is finished and matched whole, as are all the words before the last: matching a finished
    word as a prefix reads every project of every word it begins (on PostgreSQL it loads them
    all from the index instead of skipping through the rarest word's: 6 ms instead of 1 for
    two words on 100,000 projects)."""
    read = query[:300]
    return bool(re.search(r"\w\Z", read)) and len(re.findall(r"\w+", read)) <= MAX_TERMS


@dataclass(frozen=True)
class Filters:
    query: str = ""
    cluster: str = ""
    skill: str = ""
    school_id: int | None = None
    challenge_id: int | None = None
    sort: str = "relevance"  # or "recent"


class Engaged(NamedTuple):
    """A browsing employer's organisation's engagement with a project, for its card."""

    id: int
    status: EngagementStatus
    rung: Rung


class CardChallenge(NamedTuple):
    title: str
    career_cluster: str


class CardTeam(NamedTuple):
    name: str


class Card(NamedTuple):
    """What a project's card shows (and the weekly digest's line), read as plain columns: a
    page of 24 cards built as ORM objects with their challenges cost more than the statement."""

    id: int
    title: str
    pitch: str
    skills: list[str]
    cover_key: str | None
    published_at: datetime | None
    challenge: CardChallenge
    team: CardTeam | None  # with `with_teams`
    engaged: Engaged | None = None  # a browsing employer's organisation's engagement with it


@dataclass
class Results:
    listing: Pagination  # one page of the matching projects, as cards
    filters: Filters = field(default_factory=Filters)
    more: bool = False  # more than COUNT_CAP matched

    @property
    def projects(self) -> list[Card]:
        return self.listing.items

    @property
    def total(self) -> int:
        return self.listing.total or 0

    @property
    def page(self) -> int:
        return self.listing.page

    @property
    def pages(self) -> int:
        return self.listing.pages


# The statements of the searches made lately (all of them a page of the browse list): built once
# for the same filters, schools and page, then run again as they are (see `built`).
_STATEMENTS: Built[tuple[sa.Select, sa.Select]] = Built(limit=256)


def search(
    filters: Filters,
    school_ids: list[int],
    page: int = 1,
    *,
    with_teams: bool = False,
    organisation_id: int | None = None,
) -> Results:
    """Published projects of `school_ids` matching the filters, a page at a time, with their
    challenge (and their team, `with_teams`; and `organisation_id`'s engagement with each, for
    an employer's cards), counted up to COUNT_CAP: one statement."""
    page = min(max(page, 1), math.ceil(COUNT_CAP / PER_PAGE))
    schools = tuple(sorted(set(school_ids)))
    words = terms(filters.query)
    completions = (
        _completions(words[-1])
        if words and still_typing(filters.query) and db.engine.dialect.name == "postgresql"
        else None
    )
    key = (db.engine.dialect.name, filters, schools, page, with_teams, organisation_id)
    query, paged = _STATEMENTS.get(
        (*key, completions),
        lambda: _statements(filters, schools, page, with_teams, organisation_id, completions),
    )
    listing = counted_page(query, page, PER_PAGE, paged)
    rows, listing.items = listing.items, []
    for id_, title, pitch, skills, cover_key, published_at, challenge, cluster, *rest in rows:
        team = CardTeam(rest.pop(0)) if with_teams else None
        engaged = Engaged(*rest) if organisation_id is not None and rest[0] is not None else None
        card = Card(
            id_,
            title,
            pitch,
            skills,
            cover_key,
            published_at,
            CardChallenge(challenge, cluster),
            team,
            engaged,
        )
        listing.items.append(card)
    more = (listing.total or 0) > COUNT_CAP
    listing.total = min(listing.total or 0, COUNT_CAP)
    return Results(listing, filters, more)


def _statements(
    filters: Filters,
    school_ids: tuple[int, ...],
    page: int,
    with_teams: bool,
    organisation_id: int | None,
    completions: tuple[str, ...] | None = None,
) -> tuple[sa.Select, sa.Select]:
    """The search's statement (each row a card's columns, its team's name `with_teams`, its
    engagement's id, status and rung when `organisation_id` is given, and the capped count
    last), and its page `page`; an unfinished last word matched as its `completions`."""
    query = sa.select(Project).where(
        Project.status == ProjectStatus.PUBLISHED, _of_schools(school_ids)
    )
    challenge = Project.challenge_id == Challenge.id
    if filters.cluster:
        query = query.join(Challenge, challenge).where(Challenge.career_cluster == filters.cluster)
    if filters.skill:
        needle = '"' + filters.skill.strip().lower().replace('"', "") + '"'
        query = query.where(sa.cast(Project.skills, sa.Text).contains(needle, autoescape=True))
    if filters.school_id:
        query = query.where(Project.school_id == filters.school_id)
    if filters.challenge_id:
        query = query.where(Project.challenge_id == filters.challenge_id)
    newest = (Project.published_at.desc(), Project.id.desc())
    words = terms(filters.query)
    if words:
        query, score = _match(query, words, still_typing(filters.query), completions)
    # Counting stops past COUNT_CAP: "1,000+ projects" is as useful as an exact figure, and
    # an exact count of every published project on each request does not scale.
    offset = (page - 1) * PER_PAGE
    if words and filters.sort == "relevance":
        # Relevance is ranked over the newest COUNT_CAP + 1 matches, read once for the count
        # and the page: a common word would otherwise rank every project it is in. The page's
        # 24 are picked from those by score before anything is joined to them (joining all
        # 1,001 to their challenges first cost 3 ms).
        candidates = (
            query.with_only_columns(
                Project.id.label("id"),
                score.label("score"),
                Project.published_at.label("published_at"),
            )
            .order_by(*newest)
            .limit(COUNT_CAP + 1)
            .cte("candidates")
            .prefix_with("MATERIALIZED")
        )
        total = sa.select(sa.func.count()).select_from(candidates).scalar_subquery()
        shown = (
            sa.select(candidates.c.id, candidates.c.score)
            .order_by(
                candidates.c.score.desc(), candidates.c.published_at.desc(), candidates.c.id.desc()
            )
            .limit(PER_PAGE)
            .offset(offset)
            .subquery("shown")
        )

        def ranked(rows: sa.Subquery | sa.CTE) -> sa.Select:
            return (
                sa.select(Project)
                .join(rows, rows.c.id == Project.id)
                .join(Challenge, challenge)
                .order_by(rows.c.score.desc(), *newest)
            )

        query, paged = ranked(candidates), ranked(shown)
    else:
        capped = query.with_only_columns(Project.id).limit(COUNT_CAP + 1).subquery()
        total = sa.select(sa.func.count()).select_from(capped).scalar_subquery()
        if not filters.cluster:
            query = query.join(Challenge, challenge)
        query = query.order_by(*newest)
        paged = query.limit(PER_PAGE).offset(offset)
    query, paged = (_cards(q, total, with_teams, organisation_id) for q in (query, paged))
    if words and db.engine.dialect.name == "postgresql":
        query, paged = _written_out(query), _written_out(paged)
    return query, paged


def _of_schools(school_ids: tuple[int, ...]) -> sa.ColumnElement[bool]:
    """Projects of `school_ids`. On PostgreSQL one array, `school_id = ANY(:schools)`: an IN
    list is a bound value per school, and SQLAlchemy writes the list into the statement's text
    afresh on every run (an employer verified by 25 schools: 50 values a page, twice in the
    statement). Written out (`_written_out`), it is one ARRAY[…], which PostgreSQL cannot type
    when it is empty: no school is no project."""
    if not school_ids:
        return sa.false()
    if db.engine.dialect.name != "postgresql":
        return Project.school_id.in_(school_ids)
    schools = sa.bindparam("schools", list(school_ids), type_=ARRAY(sa.Integer))
    return Project.school_id == sa.any_(schools)


def _cards(
    query: sa.Select, total: sa.ScalarSelect[int], with_teams: bool, organisation_id: int | None
) -> sa.Select:
    """`query` of projects (joined to their challenges) as cards' columns, the count last."""
    columns: list[sa.orm.QueryableAttribute[Any]] = [
        Project.id,
        Project.title,
        Project.pitch,
        Project.skills,
        Project.cover_key,
        Project.published_at,
        Challenge.title,
        Challenge.career_cluster,
    ]
    if with_teams:
        query = query.join(Team, Team.id == Project.team_id)
        columns.append(Team.name)
    if organisation_id is not None:
        # An organisation has at most one engagement per project: no card comes twice.
        query = query.outerjoin(
            Engagement,
            sa.and_(
                Engagement.project_id == Project.id,
                Engagement.organisation_id == organisation_id,
            ),
        )
        columns += [Engagement.id, Engagement.status, Engagement.rung]
    return query.with_only_columns(*columns, total.label("total"))


def _written_out(statement: sa.Select) -> sa.Select:
    """`statement` with its values written into its text instead of bound (SQLAlchemy quotes
    each as it renders it). psycopg prepares what runs 5 times, and PostgreSQL then plans the
    prepared statement once for any values. A search's best plan depends on its words (walk the
    newest projects for a common word, look a rare one up in the index), and a plan made blind
    to them guesses 500 matches for every word: a common word took 20 ms instead of 11 on
    100,000 projects. With the words in its text, each search is planned for its words (a
    search run five times on one connection, such as a popular word, is prepared and its plan
    kept as well)."""

    def write_out(bind: sa.BindParameter[Any]) -> None:
        bind.literal_execute = True

    return visitors.cloned_traverse(statement, {}, {"bindparam": write_out})


# The words of the search index that an unfinished word begins (PostgreSQL, migration 0032),
# as the index writes it (stemmed: "happy" begins "happi"); a row for each word the index makes
# of it, none for a word it leaves out ("the"). U+10FFFF, the last character, bounds the words
# that begin with the lexeme (the table's collation is "C"): chr() of it needs a UTF8 database.
_BEGUN = sa.text(
    """
    SELECT typed.lexeme, array(
        SELECT held.word FROM project_search_word held
        WHERE held.word >= typed.lexeme AND held.word < typed.lexeme || chr(1114111)
        ORDER BY held.word LIMIT :most)
    FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, :typed))) AS typed(lexeme)
    """
)


def _completions(word: str) -> tuple[str, ...] | None:
    """The words of the index an unfinished last word may be (itself first), to be matched as
    whole words: a prefix, `robot:*`, has the GIN index read every project of every word it
    begins before the other words narrow them, while whole words, `robot | robotic`, are
    skipped through by the rarest word ("clinic robot" on 100,000 projects: 1.6 ms of the
    database against 0.4). None keeps the prefix: a word the index splits or leaves out, and
    one that begins more than COMPLETIONS words (typed in the first letters)."""
    rows = db.session.execute(_BEGUN, {"typed": word, "most": COMPLETIONS + 1}).all()
    if len(rows) != 1 or len(rows[0][1]) > COMPLETIONS:
        return None
    lexeme, begun = rows[0]
    return tuple(dict.fromkeys([lexeme, *begun]))


def _tsquery_words(lexemes: tuple[str, ...]) -> str:
    """Lexemes OR'ed in tsquery's own syntax, taken as written (not parsed or stemmed again)."""
    return " | ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)


def _match(
    query: sa.Select,
    words: list[str],
    prefix_last: bool,
    completions: tuple[str, ...] | None = None,
) -> tuple[sa.Select, sa.ColumnElement]:
    """Restrict to projects matching every word (the last as a prefix if `prefix_last`, or as
    one of its `completions`); return their score (higher is more relevant). Each word is
    stemmed: "clinic" finds clinics."""
    if db.engine.dialect.name == "postgresql":
        english: sa.ColumnClause[Any] = sa.literal_column("'english'::regconfig")
        tsquery: sa.ColumnElement[Any]
        if completions is not None:
            tsquery = sa.cast(
                sa.bindparam("completions", _tsquery_words(completions), sa.String), TSQUERY
            )
            if words[:-1]:
                finished = sa.bindparam("words", " & ".join(words[:-1]), sa.String)
                tsquery = sa.func.to_tsquery(english, finished).op("&&")(tsquery)
        else:
            # "(w | w:*)" matches what "w:*" does, and lets the planner estimate the word from
            # the column's statistics (a prefix alone gets a fixed guess): a common word is then
            # read newest first by index instead of every project it is in being fetched.
            last = f"({words[-1]} | {words[-1]}:*)" if prefix_last else words[-1]
            tsquery = sa.func.to_tsquery(
                english, sa.bindparam("words", " & ".join([*words[:-1], last]), sa.String)
            )
        vector: sa.ColumnClause[str] = sa.literal_column(TSVECTOR)  # a tsvector reads as text
        return query.where(vector.op("@@")(tsquery)), sa.func.ts_rank(vector, tsquery)
    fts = sa.table("project_search", sa.column("rowid"), sa.column("project_search"))
    match = " ".join(f'"{w}"' for w in words) + ("*" if prefix_last else "")
    # MATERIALIZED: run the full-text query once, not once per candidate row.
    hits = (
        sa.select(fts.c.rowid, sa.func.bm25(sa.literal_column("project_search")).label("score"))
        .where(sa.literal_column("project_search").op("MATCH")(match))
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    return query.join(hits, hits.c.rowid == Project.id), -hits.c.score  # bm25: lower is better
