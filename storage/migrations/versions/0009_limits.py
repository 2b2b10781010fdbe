"""limits: an index for the outbox's "is there a newer message?" check (issue 13)

`outbox.supersede` asks, for every pending row, whether a newer row exists for the same
(workspace, recipient, kind, subject). Without an index that is a scan of the table per
pending row: 18.5 s for a Monday of 5,000 nudges on SQLite (bench/delivery.py), growing
with every week the outbox keeps. With it, one index probe per pending row.

Revision ID: 0008_limits
Revises: 0005_share (file 0007_share.py)
Create Date: 2026-11-30 06:10:00
"""

from typing import Sequence, Union

from alembic import op


revision: str = "0008_limits"
down_revision: Union[str, None] = "0006_share_followup"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_recipient_date",
        "outbox",
        ["workspace_id", "recipient", "kind", "subject", "local_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_recipient_date", table_name="outbox")
