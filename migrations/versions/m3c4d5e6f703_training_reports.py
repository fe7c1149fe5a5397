"""Laporan Pelaksanaan: the narrative parts of a training's report and its documentation photos

Revision ID: m3c4d5e6f703
Revises: h9e1a2b3c401
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'm3c4d5e6f703'
down_revision = 'h9e1a2b3c401'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('latar_belakang', sa.Text(), nullable=False),
        sa.Column('dasar_hukum', sa.Text(), nullable=False),
        sa.Column('maksud_tujuan', sa.Text(), nullable=False),
        sa.Column('sasaran', sa.Text(), nullable=False),
        sa.Column('kendala_solusi', sa.Text(), nullable=False),
        sa.Column('kesimpulan', sa.Text(), nullable=False),
        sa.Column('rekomendasi', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_reports_training_id_trainings')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_training_reports_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_reports')),
        sa.UniqueConstraint('training_id', name=op.f('uq_training_reports_training_id')),
    )
    op.create_table(
        'report_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('caption', sa.String(length=300), nullable=False),
        sa.Column('mime', sa.String(length=20), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_report_photos_training_id_trainings')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_photos_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photos')),
    )
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_photos_training_id'), ['training_id'], unique=False)


def downgrade():
    op.drop_table('report_photos')
    op.drop_table('training_reports')
