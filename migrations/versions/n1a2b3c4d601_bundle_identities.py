"""Training bundles: a stable UUID on every row that travels, a row version where a row changes, uploads

Revision ID: n1a2b3c4d601
Revises: m3c4d5e6f703
Create Date: 2026-12-03 12:40:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'n1a2b3c4d601'
down_revision = 'q1a2b3c4d801'
branch_labels = None
depends_on = None

# Rows a training bundle carries (lms/bundles): each gets an identity that is the same on every copy.
UUID_TABLES = (
    'institutions', 'agencies', 'users', 'trainings', 'agenda_items', 'enrollments',
    'attendance_sessions', 'attendance_records', 'audit_events', 'attempts', 'responses',
    'lesson_progress', 'assignments', 'training_assignments', 'submissions', 'submission_files',
    'reviews', 'certificates', 'eligibility_overrides', 'evaluation_submissions',
    'training_reports', 'report_photos',
)
# Rows that change after creation: a counter raised by every update (responses and submissions
# already have theirs: `revision` and `version`).
VERSION_TABLES = (
    'trainings', 'agenda_items', 'enrollments', 'attendance_sessions', 'attendance_records',
    'attempts', 'lesson_progress', 'assignments', 'training_assignments', 'submission_files',
    'reviews', 'certificates', 'eligibility_overrides', 'training_reports', 'report_photos',
)
BATCH = 1000


def _fill_uuids(table_name):
    """Give every existing row its own random UUID (Python-side: the same on SQLite and PostgreSQL)."""
    connection = op.get_bind()
    table = sa.table(table_name, sa.column('id'), sa.column('uuid', sa.String(36)))
    ids = [row[0] for row in connection.execute(sa.select(table.c.id).order_by(table.c.id))]
    statement = table.update().where(table.c.id == sa.bindparam('row_id')).values(uuid=sa.bindparam('new_uuid'))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        connection.execute(statement, [{'row_id': row_id, 'new_uuid': str(uuid.uuid4())} for row_id in chunk])


def upgrade():
    op.create_table(
        'bundle_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('accept_institution', sa.Boolean(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bundle_uploads_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_uploads')),
    )
    with op.batch_alter_table('bundle_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_uploads_created_by_id'), ['created_by_id'], unique=False)
    for name in UUID_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
            if name in VERSION_TABLES:
                batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default=sa.text('1'),
                                              nullable=False))
        _fill_uuids(name)
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{name}_uuid'), ['uuid'])


def downgrade():
    op.drop_table('bundle_uploads')
    for name in reversed(UUID_TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{name}_uuid'), type_='unique')
            batch_op.drop_column('uuid')
            if name in VERSION_TABLES:
                batch_op.drop_column('row_version')
