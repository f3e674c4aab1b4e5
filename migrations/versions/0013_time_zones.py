"""time zones: each school's, each organisation's

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='', nullable=False))

    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='America/New_York', nullable=False))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('timezone')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('timezone')
