"""assignments (tugas): definitions, training choices, submissions, their files, reviews, comment snippets

Revision ID: e1a2b3c4d501
Revises: b7e2c4a10007
Create Date: 2026-12-02 20:50:23.706802

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1a2b3c4d501'
down_revision = 'b7e2c4a10007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('course_slug', sa.String(length=100), nullable=True),
    sa.Column('lesson_slug', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('accepts', sa.JSON(), nullable=False),
    sa.Column('max_images', sa.Integer(), nullable=False),
    sa.Column('max_chars', sa.Integer(), nullable=False),
    sa.Column('max_links', sa.Integer(), nullable=False),
    sa.Column('due_day', sa.Integer(), nullable=True),
    sa.Column('due_time', sa.Time(), nullable=True),
    sa.Column('accept_late', sa.Boolean(), nullable=False),
    sa.Column('max_revisions', sa.Integer(), nullable=False),
    sa.Column('rubric', sa.JSON(), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('pass_points', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('opd_target', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('max_revisions >= 0', name=op.f('ck_assignments_max_revisions')),
    sa.CheckConstraint('pass_points >= 0 AND pass_points <= max_points', name=op.f('ck_assignments_pass_points')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assignments_created_by_id_users')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_assignments_training_id_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('scope', 'slug', name=op.f('uq_assignments_scope_slug'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_course_slug'), ['course_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_training_id'), ['training_id'], unique=False)

    op.create_table('comment_snippets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=100), server_default=sa.text("''"), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_comment_snippets_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_comment_snippets_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_snippets'))
    )
    with op.batch_alter_table('comment_snippets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_snippets_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'withdrawn', 'in_review', 'revision_requested', 'resubmitted', 'passed', 'failed')", name=op.f('ck_submissions_status')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_submissions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_submissions_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_submissions_training_id_trainings')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('assignment_id', 'training_id', 'user_id', name=op.f('uq_submissions_assignment_id_training_id_user_id'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index('ix_submissions_queue', ['training_id', 'assignment_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_training_id'), ['training_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_user_id'), ['user_id'], unique=False)

    op.create_table('training_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('included', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_training_assignments_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_assignments_training_id_trainings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_assignments')),
    sa.UniqueConstraint('training_id', 'assignment_id', name=op.f('uq_training_assignments_training_id_assignment_id'))
    )
    with op.batch_alter_table('training_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_assignments_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_assignments_training_id'), ['training_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('overall_comment', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('rubric', sa.JSON(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('revision', 'passed', 'failed')", name=op.f('ck_reviews_outcome')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_reviews_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('submission_id', 'round', name=op.f('uq_reviews_submission_id_round'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('mime', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('image', 'pdf')", name=op.f('ck_submission_files_kind')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_files_submission_id_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_files'))
    )
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_files_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('submission_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_files_submission_id'))

    op.drop_table('submission_files')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_submission_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('training_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_assignments_training_id'))
        batch_op.drop_index(batch_op.f('ix_training_assignments_assignment_id'))

    op.drop_table('training_assignments')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_user_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_training_id'))
        batch_op.drop_index('ix_submissions_queue')
        batch_op.drop_index(batch_op.f('ix_submissions_assignment_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_agency_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('comment_snippets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_snippets_assignment_id'))

    op.drop_table('comment_snippets')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_training_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_course_slug'))

    op.drop_table('assignments')
