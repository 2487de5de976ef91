"""Speed at the platform's limit: packages remember a possible store write; shared rate buckets.

Revision ID: c_speed
Revises: e_tracking_corrections
"""
from alembic import op
import sqlalchemy as sa

revision = "c_speed"
down_revision = "e_tracking_corrections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_contacted", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Packages from before cannot tell whether a write reached the store: they look first.
    op.execute(sa.text("UPDATE packages SET store_contacted = :contacted").bindparams(contacted=True))
    op.create_table(
        "rate_buckets",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("available", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=False),
        sa.Column("restore_rate", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id"),
    )


def downgrade():
    op.drop_table("rate_buckets")
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_column("store_contacted")
