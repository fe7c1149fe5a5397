"""jobs.updated_at: a running job's last sign of life, so its page can say when a worker stopped

Revision ID: b3d5f7a90004
Revises: a1c3e5f70003
Create Date: 2026-12-02 17:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a90004'
down_revision = 'a1c3e5f70003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('jobs') as batch_op:
        batch_op.drop_column('updated_at')
