"""The conversation engine every platform calls: `Coach.handle(turn) -> Outcome`.

One turn is one database transaction: the delivery's idempotency key, everything the user
told us and the new conversation state commit together or not at all. So a Slack retry or
a double click takes effect once, a crash mid-turn loses nothing that was confirmed, and a
restart resumes at the saved question.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.messages import DealList, Outcome, Reply, Text, Turn, UserRef
from bot.review import Dialog
from bot.state import ReviewState
from storage import crud
from storage.db import Database

log = logging.getLogger(__name__)

#: The one clock: returns the current instant as an aware UTC datetime. Only the composition
#: root (`app.py`) reads the system time and builds it (honouring `--now`/DEALCOACH_NOW);
#: everything else is handed it, so tests and `--now` can run the product at any instant.
Clock = Callable[[], dt.datetime]
T = TypeVar("T")


DB_DOWN = (
    "I can't reach my database right now, so I didn't save that. "
    "Nothing from before is lost: please send it again in a minute."
)
DB_DOWN_FORM = "I can't reach my database right now, so nothing was saved: press Save again in a minute."
BROKEN = (
    "Something went wrong on my side and I didn't save that answer; everything before it "
    "is safe. Please try again, or type *help*. (ref {ref})"
)


class Coach:
    """Runs dialogs against the store. Thread-safe: share one per process."""

    def __init__(self, db: Database, *, clock: Clock, default_timezone: str = "UTC") -> None:
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone

    def handle(self, turn: Turn) -> Outcome:
        """Apply one turn and return what to say. Never raises for bad input or a down database."""
        try:
            return self._run(lambda session: self._handle(session, turn))
        except IntegrityError:
            ref = self.clock().strftime("%H%M%S")
            log.exception(
                "integrity error ref=%s for %s/%s", ref, turn.user.workspace_id, turn.user.user_id
            )
            return Outcome([Text(BROKEN.format(ref=ref), "error")])
        except OperationalError:
            log.exception(
                "database unavailable for %s/%s", turn.user.workspace_id, turn.user.user_id
            )
            # A submitted form stays open (where the platform can) with the reason on its
            # first field, so what the user typed is not lost with the turn.
            first = next(iter(turn.form or {}), None)
            errors = {first: DB_DOWN_FORM} if first else {}
            return Outcome([Text(DB_DOWN, "error")], form_errors=errors)
        except Exception:
            ref = self.clock().strftime("%H%M%S")
            log.exception(
                "turn failed ref=%s workspace=%s user=%s event=%s",
                ref,
                turn.user.workspace_id,
                turn.user.user_id,
                turn.event_id,
            )
            return Outcome([Text(BROKEN.format(ref=ref), "error")])

    def _run(self, work: Callable[[Session], T], attempts: int = 4) -> T:
        """One unit of work, run once more if a concurrent insert won a race.

        Two deliveries of one event, or a new user's first two messages, both try to insert
        the same rows; the loser's second run finds them (its event key then makes it a
        duplicate, or its user and conversation simply exist).
        """
        try:
            return self.db.run(work, attempts)
        except IntegrityError:
            log.info("retrying a unit of work after a concurrent insert")
            return self.db.run(work, attempts)

    def _handle(self, session: Session, turn: Turn) -> Outcome:
        now = self.clock()
        who = turn.user
        if turn.event_id and not crud.claim_event(session, turn.event_id, now):
            log.info("duplicate delivery %s ignored", turn.event_id)
            return Outcome(duplicate=True)
        user = crud.ensure_user(
            session, who.workspace_id, who.user_id, now, who.display_name, who.timezone
        )
        conv = crud.load_conversation(session, user, now)
        dialog = Dialog(
            session, user, ReviewState.from_dict(conv.state), now, self.default_timezone
        )
        replies = dialog.run(turn)
        crud.save_conversation(session, conv, dialog.state.to_dict(), now)
        return Outcome(
            replies=replies, review_finished=dialog.finished, form_errors=dialog.form_errors
        )

    def deals(self, who: UserRef) -> DealList:
        """A user's deal list (App Home, `dealcoach deals`): read-only, outside any review."""

        def work(session: Session) -> DealList:
            now = self.clock()
            user = crud.ensure_user(
                session, who.workspace_id, who.user_id, now, who.display_name, who.timezone
            )
            return Dialog(session, user, ReviewState(), now, self.default_timezone).deal_list()

        return self._run(work)

    def plan(self, who: UserRef, deal_text: str = "") -> list[Reply]:
        """A deal's plan card (or a hint) without touching the user's review in progress."""

        def work(session: Session) -> list[Reply]:
            now = self.clock()
            user = crud.ensure_user(
                session, who.workspace_id, who.user_id, now, who.display_name, who.timezone
            )
            dialog = Dialog(session, user, ReviewState(), now, self.default_timezone)
            dialog.show_plan(deal_text)
            return dialog.out

        return self._run(work)

    def profile_checked_at(self, who: UserRef) -> dt.datetime | None:
        """When the platform profile (name, time zone) was last fetched, so handlers cache it.

        None when never, or when the database is away: the profile is only a cache, and
        the turn that follows tells the user the database is away.
        """

        def work(session: Session) -> dt.datetime | None:
            user = crud.ensure_user(session, who.workspace_id, who.user_id, self.clock())
            return user.profile_checked_at

        try:
            return self._run(work, attempts=1)
        except OperationalError as exc:
            log.warning("profile of %s/%s not read: %s", who.workspace_id, who.user_id, exc.orig)
            return None

    def save_profile(self, who: UserRef) -> None:
        """Store a freshly fetched profile (name, time zone) and when it was fetched.

        Skipped (and logged) when the database is away: the next turn fetches it again.
        """

        def work(session: Session) -> None:
            now = self.clock()
            user = crud.ensure_user(
                session, who.workspace_id, who.user_id, now, who.display_name, who.timezone
            )
            user.profile_checked_at = now
            session.add(user)

        try:
            self._run(work, attempts=1)
        except OperationalError as exc:
            log.warning("profile of %s/%s not saved: %s", who.workspace_id, who.user_id, exc.orig)

    def in_review(self, who: UserRef) -> bool:
        """Whether the user is mid-review (so a handler can say "picking up where we left off")."""

        def work(session: Session) -> bool:
            now = self.clock()
            user = crud.ensure_user(session, who.workspace_id, who.user_id, now)
            return ReviewState.from_dict(crud.load_conversation(session, user, now).state).active

        return self._run(work)
