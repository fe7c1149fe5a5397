"""a covering index for results: final scores read from the index, not the attempt rows

Revision ID: b7e2c4a10007
Revises: a1c3e5f70006
Create Date: 2026-12-02 21:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2c4a10007'
down_revision = 'a1c3e5f70006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_attempts_results', 'attempts', ['quiz_id', 'context', 'user_id', 'number', 'status',
                                                        'percent', 'deadline_at'], unique=False)


def downgrade():
    op.drop_index('ix_attempts_results', table_name='attempts')
