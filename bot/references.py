"""Where to reach a user or a channel later: platform references for proactive messages.

A chat platform hands the bot an opaque "address" (a Bot Framework ConversationReference,
say) when someone talks to it; reminders, nudges and digests need it weeks later. This is
the engine-side store for those addresses, keyed by workspace and target ("user:<id>" or
"channel:<id>"), so handlers never touch the database themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.engine import Clock
from storage import crud
from storage.db import Database

log = logging.getLogger(__name__)


class References:
    """Save and look up conversation references (JSON), one row per (workspace, target)."""

    def __init__(self, db: Database, *, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def remember(self, workspace_id: str, target: str, reference: dict[str, Any]) -> bool:
        """Store or refresh a reference; True when this target was not known before.

        False (and a warning logged) when the database is away: every message refreshes
        the reference, so the next one stores it, and the turn itself tells the user.
        """
        now: dt.datetime = self.clock()

        def save(session: Session) -> bool:
            return crud.save_conversation_ref(session, workspace_id, target, reference, now)

        try:
            return self.db.run(save, attempts=1)
        except IntegrityError:
            self.db.run(save)
            return False  # a concurrent first contact inserted it: now it is an update
        except OperationalError as exc:
            log.warning("reference %s/%s not saved: %s", workspace_id, target, exc.orig)
            return False

    def lookup(self, workspace_id: str, target: str) -> dict[str, Any] | None:
        return self.db.run(lambda s: crud.get_conversation_ref(s, workspace_id, target))

    def lookup_many(self, workspace_id: str, targets: list[str]) -> dict[str, dict[str, Any]]:
        """`lookup` for many targets in one query: target -> reference (unknown ones absent)."""
        return self.db.run(lambda s: crud.get_conversation_refs(s, workspace_id, targets))
