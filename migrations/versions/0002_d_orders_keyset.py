"""orders list keyset index: (store_id, placed_at, id), for the "All" tab and its cursor

Revision ID: d_orders_keyset
Revises: 0001
"""
from alembic import op

revision = "d_orders_keyset"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_orders_store_placed", "orders", ["store_id", "placed_at", "id"], unique=False)


def downgrade():
    op.drop_index("ix_orders_store_placed", table_name="orders")
