"""access: who may see what (platform admins; managers' teams replace the catch-all team)

- `user.is_admin`: the platform's admin/owner flag, stored with the profile.
- A manager has at most one team (`team.manager_user_id` unique where set).
- The old catch-all team ("default", which silently held every rep without a team) keeps
  its manager, channel and schedule, but its members become explicit: every rep of that
  workspace without a team is put in it, so an existing install's digest says the same
  thing the morning after the upgrade. From then on a rep is in a digest only when a
  manager (or an admin) added them.

Revision ID: 0003_access
Revises: 0003_control
Create Date: 2026-11-30 03:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0003_access"
down_revision: Union[str, None] = "0003_control"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_team_manager", "team", ["workspace_id", "manager_user_id"], unique=True)
    op.execute(
        """
        UPDATE "user" SET team_id = (
            SELECT t.id FROM team t
            WHERE t.workspace_id = "user".workspace_id AND t.name = 'default'
        )
        WHERE team_id IS NULL AND EXISTS (
            SELECT 1 FROM team t
            WHERE t.workspace_id = "user".workspace_id AND t.name = 'default'
        )
        """
    )


def downgrade() -> None:
    op.drop_index("ix_team_manager", table_name="team")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("is_admin")
