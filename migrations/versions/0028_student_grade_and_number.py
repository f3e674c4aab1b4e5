"""A student's grade and school student number, kept on the roster for the state's record.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30 21:12:38.632029

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('student_number', sa.String(length=40), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('student_number')
        batch_op.drop_column('grade')

