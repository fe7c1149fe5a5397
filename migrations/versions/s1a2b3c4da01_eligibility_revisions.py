"""Eligibility revisions: a token per training that changes with every write the certificates page's facts read

Revision ID: s1a2b3c4da01
Revises: m3c4d5e6f703
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's1a2b3c4da01'
down_revision = 'n1a2b3c4d601'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'eligibility_revisions',
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'],
                                name=op.f('fk_eligibility_revisions_training_id_trainings')),
        sa.PrimaryKeyConstraint('training_id', name=op.f('pk_eligibility_revisions')),
    )


def downgrade():
    op.drop_table('eligibility_revisions')
