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


def upgrade():
    pass


def downgrade():
    pass
