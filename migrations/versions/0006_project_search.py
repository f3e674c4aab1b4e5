"""full-text search over projects (FTS5 on SQLite, a tsvector GIN index on PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:25:00

Hand-written: the objects differ per database and live outside the models (alembic's
include_object skips them, see marketplace/projects/search.py).
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TSVECTOR = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(pitch, '')"
    " || ' ' || coalesce(summary, '') || ' ' || coalesce(body, '')"
    " || ' ' || coalesce(skills::text, ''))"
)
COLUMNS = "title, pitch, summary, body, skills"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_project_search ON project USING gin (({TSVECTOR}))")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE project_search USING fts5({COLUMNS}, content='project', "
        "content_rowid='id', tokenize='porter unicode61')"
    )
    op.execute(
        f"CREATE TRIGGER project_search_ai AFTER INSERT ON project BEGIN "
        f"INSERT INTO project_search(rowid, {COLUMNS}) VALUES "
        f"(new.id, new.title, new.pitch, new.summary, new.body, new.skills); END"
    )
    op.execute(
        f"CREATE TRIGGER project_search_ad AFTER DELETE ON project BEGIN "
        f"INSERT INTO project_search(project_search, rowid, {COLUMNS}) VALUES "
        f"('delete', old.id, old.title, old.pitch, old.summary, old.body, old.skills); END"
    )
    op.execute(
        f"CREATE TRIGGER project_search_au AFTER UPDATE ON project BEGIN "
        f"INSERT INTO project_search(project_search, rowid, {COLUMNS}) VALUES "
        f"('delete', old.id, old.title, old.pitch, old.summary, old.body, old.skills); "
        f"INSERT INTO project_search(rowid, {COLUMNS}) VALUES "
        f"(new.id, new.title, new.pitch, new.summary, new.body, new.skills); END"
    )
    op.execute("INSERT INTO project_search(project_search) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_project_search")
        return
    for trigger in ("project_search_ai", "project_search_ad", "project_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS project_search")
