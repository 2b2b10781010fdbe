"""share (follow-up): customer-facing wording and change tracking of plan steps (issue 16)

- `planstep.shared_text`: what the customer sees for a step the coach proposed.
- `planstep.revision` / `changed_at`: bumped on every change, for iCalendar SEQUENCE and
  LAST-MODIFIED (re-importing the .ics updates the events).

Revision ID: 0006_share_followup
Revises: 0005_share (file 0007_share.py)
Create Date: 2026-11-30 06:00:00
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from storage.types import UTCDateTime


revision: str = "0006_share_followup"
down_revision: Union[str, None] = "0005_share"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("planstep") as batch:
        batch.add_column(sa.Column("shared_text", sa.String(length=300), nullable=True))
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("changed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("planstep") as batch:
        batch.drop_column("changed_at")
        batch.drop_column("revision")
        batch.drop_column("shared_text")
