"""students ask to join a team (or join at once, as the class allows)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_joining', sa.String(length=8), server_default='ask', nullable=False))

    op.create_table('team_join_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_team_join_request_classroom_id_classroom')),
    sa.ForeignKeyConstraint(['student_id'], ['user.id'], name=op.f('fk_team_join_request_student_id_user')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_join_request_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_join_request')),
    sa.UniqueConstraint('classroom_id', 'student_id', name=op.f('uq_team_join_request_classroom_id_student_id'))
    )
    with op.batch_alter_table('team_join_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_join_request_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('team_join_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_join_request_team_id'))

    op.drop_table('team_join_request')
    with op.batch_alter_table('classroom', schema=None) as batch_op:
        batch_op.drop_column('team_joining')
