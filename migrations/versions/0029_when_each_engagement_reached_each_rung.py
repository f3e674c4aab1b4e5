"""When each engagement reached each rung above interest, filled in from its accepted offers.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 21:36:53.500176

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached_mentorship_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reached_job_shadowing_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reached_externship_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reached_internship_at', sa.DateTime(timezone=True), nullable=True))
    for rung in ('mentorship', 'job_shadowing', 'externship', 'internship'):
        op.execute(
            f"UPDATE engagement SET reached_{rung}_at = ("
            "SELECT coalesce(offer.answered_at, offer.updated_at) FROM offer "
            f"WHERE offer.engagement_id = engagement.id AND offer.accepted_rung = '{rung}')"
        )


def downgrade():
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_column('reached_internship_at')
        batch_op.drop_column('reached_externship_at')
        batch_op.drop_column('reached_job_shadowing_at')
        batch_op.drop_column('reached_mentorship_at')

