"""Open Badges 3.0: each certificate's place in the published Bitstring Status List

Revision ID: q1a2b3c4d801
Revises: m3c4d5e6f703
Create Date: 2026-12-03 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'q1a2b3c4d801'
down_revision = 'p1a2b3c4d701'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_list_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_certificates_status_list_index'), ['status_list_index'])
    # Certificates issued so far take their id, as new ones do at issue (unique, never reused).
    op.execute("UPDATE certificates SET status_list_index = id WHERE status_list_index IS NULL")


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_certificates_status_list_index'), type_='unique')
        batch_op.drop_column('status_list_index')
