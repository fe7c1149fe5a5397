"""privacy: verification fields, anonymised accounts, purge (issue [1/8])

Revision ID: a1c3e5f70002
Revises: a1c3e5f70001
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70002'
down_revision = 'a1c3e5f70001'
branch_labels = None
depends_on = None


OLD_CHECK = "email IS NOT NULL OR nip IS NOT NULL"
NEW_CHECK = "email IS NOT NULL OR nip IS NOT NULL OR anonymised_at IS NOT NULL"
VERIFY_FLAGS = ('verify_show_score', 'verify_show_pangkat', 'verify_show_jabatan')
CLIENT_COLUMNS = (('client_address', 64), ('user_agent', 300), ('device_id', 64))


def upgrade():
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        for column in VERIFY_FLAGS:
            batch_op.add_column(sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f('ck_users_email_or_nip'), type_='check')
        batch_op.create_check_constraint('email_or_nip', sa.text(NEW_CHECK))

    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        for column, length in CLIENT_COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=length), nullable=True)


def downgrade():
    for column, _ in CLIENT_COLUMNS:
        op.execute(sa.text(f"UPDATE attendance_records SET {column} = '' WHERE {column} IS NULL"))
    with op.batch_alter_table('attendance_records', schema=None) as batch_op:
        for column, length in CLIENT_COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=length), nullable=False)

    # An anonymised account has neither e-mail nor NIP; the old rule needs a placeholder login.
    op.execute(sa.text("UPDATE users SET email = 'dianonimkan-' || id || '@invalid' "
                       "WHERE anonymised_at IS NOT NULL AND email IS NULL AND nip IS NULL"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_email_or_nip'), type_='check')
        batch_op.create_check_constraint('email_or_nip', sa.text(OLD_CHECK))
        batch_op.drop_column('anonymised_at')

    with op.batch_alter_table('institutions', schema=None) as batch_op:
        for column in reversed(VERIFY_FLAGS):
            batch_op.drop_column(column)
