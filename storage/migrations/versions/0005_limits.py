"""limits: Enterprise Grid ids, uninstalled workspaces, wider names and time zones

- workspace.enterprise_id: the Enterprise Grid org a Slack workspace belongs to, so
  proactive delivery finds its installation the way bolt does (enterprise id + team id,
  then the org-wide install).
- workspace.uninstalled_at: set by Slack's app_uninstalled / tokens_revoked; the schedule
  plans nothing for such a workspace until it talks to us again.
- user.display_name 200 -> 256 (Teams and Slack display names reach 256 characters);
  time zone columns 64 -> 128 (long IANA and Windows zone names).

Revision ID: 0003_limits
Revises: 0003_access
Create Date: 2026-11-30 03:10:00
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import storage.types

revision: str = "0003_limits"
down_revision: Union[str, None] = "0003_access"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("uninstalled_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite does not enforce VARCHAR lengths, and widening a column there means copying
        # the table, which its foreign keys (team members -> user) refuse: nothing to do.
        return
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "display_name", existing_type=sa.String(length=200), type_=sa.String(length=256)
        )
        for name in ("timezone", "timezone_override"):
            batch_op.alter_column(
                name, existing_type=sa.String(length=64), type_=sa.String(length=128)
            )
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.alter_column(
            "timezone", existing_type=sa.String(length=64), type_=sa.String(length=128)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        _narrow()
    with op.batch_alter_table("workspace", schema=None) as batch_op:
        batch_op.drop_column("uninstalled_at")
        batch_op.drop_column("enterprise_id")


def _narrow() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.alter_column(
            "timezone", existing_type=sa.String(length=128), type_=sa.String(length=64)
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        for name in ("timezone", "timezone_override"):
            batch_op.alter_column(
                name, existing_type=sa.String(length=128), type_=sa.String(length=64)
            )
        batch_op.alter_column(
            "display_name", existing_type=sa.String(length=256), type_=sa.String(length=200)
        )
