"""merge stock sync

Revision ID: e5f607182934
Revises: d4e5f6071823, f2e8cff8a4d6
Create Date: 2026-11-23 20:52:21.991533

"""
from alembic import op
import sqlalchemy as sa

import connector.dbtypes
import connector.security.crypto


# revision identifiers, used by Alembic.
revision = 'e5f607182934'
down_revision = ('d4e5f6071823', 'f2e8cff8a4d6')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
