"""Migration 0003_access on SQLite and PostgreSQL: the old catch-all team's reps become
its explicit members (an upgraded install's digest says the same thing), and a manager
can have only one team."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import Database, alembic_config


def downgrade(db: Database, revision: str) -> None:
    cfg = alembic_config(str(db.url))
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)

ROWS = [
    "INSERT INTO workspace (id, platform, name, created_at) VALUES "
    "('slack:T1', 'slack', '', '2026-11-01 00:00:00+00'), "
    "('slack:T2', 'slack', '', '2026-11-01 00:00:00+00')",
    'INSERT INTO "user" (id, workspace_id, platform_user_id, display_name, created_at) VALUES '
    "(1, 'slack:T1', 'UMIA', 'Mia', '2026-11-01 00:00:00+00'), "
    "(2, 'slack:T1', 'UANA', 'Ana', '2026-11-01 00:00:00+00'), "
    "(3, 'slack:T2', 'UBOB', 'Bob', '2026-11-01 00:00:00+00')",
    "INSERT INTO team (id, workspace_id, name, manager_user_id, digest_channel, timezone, "
    "digest_weekday, digest_time) VALUES (1, 'slack:T1', 'default', 1, 'C1', 'UTC', 0, '10:00')",
]


def test_the_default_teams_reps_become_members_and_managers_have_one_team(
    any_db: Database,
) -> None:
    downgrade(any_db, "0002_slack")  # the fixture migrated to head: go back to before 0003
    with any_db.engine.begin() as c:
        for sql in ROWS:
            c.execute(text(sql))
    any_db.migrate("head")
    with any_db.engine.begin() as c:
        rows = c.execute(text('SELECT platform_user_id, team_id, is_admin FROM "user" ORDER BY id'))
        assert [tuple(r) for r in rows] == [
            ("UMIA", 1, False),
            ("UANA", 1, False),
            ("UBOB", None, False),
        ]
    with pytest.raises(IntegrityError), any_db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO team (workspace_id, name, manager_user_id, timezone, digest_weekday, "
                "digest_time) VALUES ('slack:T1', 'second', 1, 'UTC', 0, '10:00')"
            )
        )
