"""the institution's stored public address (overrides PUBLIC_BASE_URL)

Revision ID: a1c3e5f70006
Revises: a1c3e5f70005
Create Date: 2026-12-02 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70006'
down_revision = 'a1c3e5f70005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_base_url', sa.String(length=300), server_default='', nullable=False))
    # The default only fills the existing row; the application sets the value from then on.
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.alter_column('public_base_url', server_default=None)


def downgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.drop_column('public_base_url')
