"""safety fixes of issue [1/8] (spare: imports, attempts)

Revision ID: a1c3e5f70003
Revises: a1c3e5f70002
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70003'
down_revision = 'a1c3e5f70002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
