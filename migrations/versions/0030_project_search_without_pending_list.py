"""The search index takes each project as it is written (PostgreSQL: GIN fastupdate off).

With fastupdate on, new and changed projects wait in the index's pending list until a vacuum
merges them, and every search reads that list from start to end: up to gin_pending_list_limit
(4 MB) of it between two vacuums. 100,000 projects loaded at once left 17,756 rows there and
took a search from 3 ms to 16 ms. Projects are written rarely and searched on every keystroke,
so each write pays its own index update instead. The list is merged once here. SQLite's FTS5
table has no such list: nothing to do there.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-30 22:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER INDEX ix_project_search SET (fastupdate = off)")
        op.execute("SELECT gin_clean_pending_list('ix_project_search')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER INDEX ix_project_search RESET (fastupdate)")
