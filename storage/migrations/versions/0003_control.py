"""control: per-deal step numbers, why a step or a deal was closed, when a deal closed

`planstep.number` numbers a deal's steps 1, 2, 3 in the order they were added (what the rep
types in `edit #3`), so existing rows are numbered the same way here.

Revision ID: 0003_control
Revises: 0002_slack
Create Date: 2026-11-30 03:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from storage.types import UTCDateTime


revision: str = "0003_control"
down_revision: Union[str, None] = "0002_slack"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("planstep") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.String(1000), nullable=True))
    with op.batch_alter_table("deal") as batch:
        batch.add_column(sa.Column("close_reason", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE planstep SET number = (SELECT COUNT(*) FROM planstep AS earlier "
        "WHERE earlier.deal_id = planstep.deal_id AND earlier.id <= planstep.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("deal") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("close_reason")
    with op.batch_alter_table("planstep") as batch:
        batch.drop_column("close_reason")
        batch.drop_column("number")
