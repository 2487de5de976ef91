"""tracking corrections: the number the store still shows while a correction is pending

Revision ID: e_tracking_corrections
Revises: d_orders_keyset
"""
from alembic import op
import sqlalchemy as sa


revision = "e_tracking_corrections"
down_revision = "d_orders_keyset"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("packages") as batch:
        batch.add_column(sa.Column("corrected_from", sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table("packages") as batch:
        batch.drop_column("corrected_from")
