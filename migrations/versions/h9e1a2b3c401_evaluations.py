"""evaluation questionnaires: submissions apart from anonymous answers; training options

Revision ID: h9e1a2b3c401
Revises: e1a2b3c4d501
Create Date: 2026-12-02 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h9e1a2b3c401'
down_revision = 'e1a2b3c4d501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire', sa.String(length=100), nullable=False),
        sa.Column('target', sa.String(length=220), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_evaluation_submissions_training_id_trainings')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_submissions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_submissions')),
        sa.UniqueConstraint('training_id', 'user_id', 'questionnaire', 'target',
                            name=op.f('uq_evaluation_submissions_training_id_user_id_questionnaire_target')),
    )
    with op.batch_alter_table('evaluation_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_submissions_training_id'), ['training_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_submissions_user_id'), ['user_id'], unique=False)
    op.create_table(
        'evaluation_answers',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('training_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire', sa.String(length=100), nullable=False),
        sa.Column('target', sa.String(length=220), nullable=False),
        sa.Column('item_id', sa.String(length=100), nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.CheckConstraint('value IS NULL OR (value >= 1 AND value <= 5)', name=op.f('ck_evaluation_answers_value_range')),
        sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_evaluation_answers_training_id_trainings')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answers')),
    )
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_answers_training_id'), ['training_id'], unique=False)
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evaluation_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('require_evaluation', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.alter_column('evaluation_days', server_default=None)
        batch_op.alter_column('require_evaluation', server_default=None)


def downgrade():
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_column('require_evaluation')
        batch_op.drop_column('evaluation_days')
    op.drop_table('evaluation_answers')
    op.drop_table('evaluation_submissions')
