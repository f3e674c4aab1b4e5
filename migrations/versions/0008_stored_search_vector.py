"""PostgreSQL: keep each project's tsvector in a stored generated column

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:00:00

Ranking recomputed the tsvector of every match; a stored column computes it once per write.
Hand-written and PostgreSQL only (SQLite keeps its FTS5 table); outside the models, like 0006.
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TSVECTOR = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(pitch, '')"
    " || ' ' || coalesce(summary, '') || ' ' || coalesce(body, '')"
    " || ' ' || coalesce(skills::text, ''))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"ALTER TABLE project ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({TSVECTOR}) STORED"
    )
    op.execute("DROP INDEX IF EXISTS ix_project_search")
    op.execute("CREATE INDEX ix_project_search ON project USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_project_search")
    op.execute("ALTER TABLE project DROP COLUMN IF EXISTS search_vector")
    op.execute(f"CREATE INDEX ix_project_search ON project USING gin (({TSVECTOR}))")
