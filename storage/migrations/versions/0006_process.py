"""process: a deal's stage, its stage changes, and a workspace's own sales process

Revision ID: 0004_process
Revises: 0003_limits (file 0005_limits.py)
Create Date: 2026-11-30 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from storage.types import UTCDateTime


revision: str = "0004_process"
down_revision: Union[str, None] = "0003_limits"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("stage", sa.String(60), nullable=True))
    op.create_table(
        "dealstagechange",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.String(120), sa.ForeignKey("workspace.id"), nullable=False),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("review.id"), nullable=True),
        sa.Column("old_stage", sa.String(60), nullable=True),
        sa.Column("new_stage", sa.String(60), nullable=False),
        sa.Column("reason", sa.String(1000), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dealstagechange_deal_id", "dealstagechange", ["deal_id"])
    op.create_table(
        "salesprocessfile",
        sa.Column(
            "workspace_id", sa.String(120), sa.ForeignKey("workspace.id"), primary_key=True
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("salesprocessfile")
    op.drop_index("ix_dealstagechange_deal_id", table_name="dealstagechange")
    op.drop_table("dealstagechange")
    with op.batch_alter_table("deal") as batch:
        batch.drop_column("stage")
