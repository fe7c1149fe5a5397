"""Electronic signatures on certificates: signing state, the unsigned PDF's hash, who signed and when

Revision ID: p1a2b3c4d701
Revises: m3c4d5e6f703
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'p1a2b3c4d701'
down_revision = 'm3c4d5e6f703'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_state', sa.String(length=20), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('unsigned_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('signed_by', sa.String(length=300), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('signer_label', sa.String(length=100), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('signature_box', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_certificates_unsigned_sha256'), ['unsigned_sha256'], unique=False)
        batch_op.create_index('ix_certificates_training_sign_state', ['training_id', 'sign_state'], unique=False)
        batch_op.create_check_constraint('sign_state', "sign_state IN ('none', 'pending', 'signed')")
    # Every certificate issued so far is unsigned: its PDF as rendered is the one on record.
    op.execute("UPDATE certificates SET unsigned_sha256 = pdf_sha256")


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint('sign_state', type_='check')
        batch_op.drop_index('ix_certificates_training_sign_state')
        batch_op.drop_index(batch_op.f('ix_certificates_unsigned_sha256'))
        batch_op.drop_column('signature_box')
        batch_op.drop_column('signer_label')
        batch_op.drop_column('signed_by')
        batch_op.drop_column('signed_at')
        batch_op.drop_column('unsigned_sha256')
        batch_op.drop_column('sign_state')
