"""Workspaces as tenants: their Grid org, uninstalls, and purging (engine side of tenancy.py).

Handlers call this instead of touching the database: the Slack adapter notes each
workspace's Enterprise Grid org as requests arrive (so proactive delivery finds an org's
installation), marks a workspace uninstalled on `app_uninstalled` / `tokens_revoked`, and
`dealcoach purge` deletes a workspace's data.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.engine import Clock
from storage import tenancy
from storage.db import Database

log = logging.getLogger(__name__)


class Tenants:
    def __init__(self, db: Database, *, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._noted: dict[str, str | None] = {}  # written by this process
        self._orgs: dict[str, str | None] = {}  # read by this process

    def is_noted(self, workspace_id: str, enterprise_id: str | None) -> bool:
        """Whether `note_enterprise` has nothing to write (no database round trip)."""
        return workspace_id in self._noted and self._noted[workspace_id] == enterprise_id

    def note_enterprise(self, workspace_id: str, enterprise_id: str | None) -> None:
        """Record the workspace's Grid org (None: not on Grid); it talks to us, so it is
        installed. Written once per workspace per process."""
        if self.is_noted(workspace_id, enterprise_id):
            return
        now = self.clock()

        def save(session: Session) -> None:
            tenancy.note_enterprise(session, workspace_id, enterprise_id, now)

        try:
            self.db.run(save)
        except IntegrityError:
            self.db.run(save)  # a concurrent first request inserted the row: now an update
        self._noted[workspace_id] = self._orgs[workspace_id] = enterprise_id

    def enterprise_of(self, workspace_id: str) -> str | None:
        """The workspace's Grid org as last seen (None: not on Grid, or never seen)."""
        if workspace_id not in self._orgs:
            self._orgs[workspace_id] = self.db.run(lambda s: tenancy.enterprise_of(s, workspace_id))
        return self._orgs[workspace_id]

    def uninstalled(
        self, workspace_id: str | None, enterprise_id: str | None, why: str
    ) -> list[str]:
        """Stop scheduling for a workspace (or every workspace of an org-wide install);
        returns the workspace ids flagged."""
        now = self.clock()

        def work(session) -> list[str]:  # type: ignore[no-untyped-def]
            targets = [workspace_id] if workspace_id else []
            if not targets and enterprise_id:
                targets = tenancy.workspaces_of(session, enterprise_id)
            for ws in targets:
                skipped = tenancy.mark_uninstalled(session, ws, now, why)
                log.warning("%s: %s; %s pending messages skipped", ws, why, skipped)
            return targets

        flagged = self.db.run(work)
        for ws in flagged:
            self._noted.pop(ws, None)  # the next request from it means it was installed again
        return flagged

    def purge(self, workspace_id: str, dry_run: bool = False) -> dict[str, int]:
        """Delete (or, with `dry_run`, count) everything stored for a workspace."""
        return self.db.run(lambda s: tenancy.purge(s, workspace_id, dry_run))
