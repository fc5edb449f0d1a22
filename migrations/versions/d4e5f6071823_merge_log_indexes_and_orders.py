"""merge log indexes and orders

Revision ID: d4e5f6071823
Revises: 40d5e991cd15, c3d4e5f60712
Create Date: 2026-11-23 20:10:49.530150

"""
from alembic import op
import sqlalchemy as sa

import connector.dbtypes
import connector.security.crypto


# revision identifiers, used by Alembic.
revision = 'd4e5f6071823'
down_revision = ('40d5e991cd15', 'c3d4e5f60712')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
