"""share: a plan shared with the customer (issue 16)

- `planstep.confirmed_by` / `confirmed_at`: the buyer confirmed a customer step.
- `sharedplan`: where a deal's plan was posted for both sides, to update it in place.
- `buyeraction`: every buyer action (who, when, what), proposals until the rep answers.

Revision ID: 0005_share
Revises: 0004_process (file 0006_process.py)
Create Date: 2026-11-30 04:20:00
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from storage.types import UTCDateTime


revision: str = "0005_share"
down_revision: Union[str, None] = "0004_process"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("planstep") as batch:
        batch.add_column(sa.Column("confirmed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        "sharedplan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.String(length=120), sa.ForeignKey("workspace.id"), nullable=False
        ),
        sa.Column("deal_id", sa.Integer(), sa.ForeignKey("deal.id"), nullable=False),
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.JSON(), nullable=False),
        sa.Column("rendered", sa.String(length=64), nullable=False),
        sa.Column("shared_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "channel", "deal_id"),
    )
    op.create_index("ix_sharedplan_deal_id", "sharedplan", ["deal_id"])
    op.create_table(
        "buyeraction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.String(length=120), sa.ForeignKey("workspace.id"), nullable=False
        ),
        sa.Column("share_id", sa.Integer(), sa.ForeignKey("sharedplan.id"), nullable=False),
        sa.Column("step_id", sa.Integer(), sa.ForeignKey("planstep.id"), nullable=False),
        sa.Column("actor_id", sa.String(length=120), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("proposed_due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_buyeraction_share_id", "buyeraction", ["share_id"])


def downgrade() -> None:
    op.drop_index("ix_buyeraction_share_id", table_name="buyeraction")
    op.drop_table("buyeraction")
    op.drop_index("ix_sharedplan_deal_id", table_name="sharedplan")
    op.drop_table("sharedplan")
    with op.batch_alter_table("planstep") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("confirmed_by")
