"""The codes of the work-based-learning record export, per school (empty: the defaults).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 20:14:41.586127

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wbl_codes', sa.JSON(), server_default='{}', nullable=False))



def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('wbl_codes')

