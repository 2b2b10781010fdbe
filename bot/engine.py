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
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot import share, views
from bot.messages import DealList, Home, Outcome, Reply, Text, Turn, UserRef
from bot.review import Dialog, zone
from bot.state import ReviewState
from process import learned_steering
from storage import crud
from storage.db import Database
from storage.models import SharedPlan, User

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


def known(session: Session, who: UserRef, now: dt.datetime) -> User:
    """The speaker's row, refreshed with whatever the platform just told us about them."""
    return crud.ensure_user(
        session, who.workspace_id, who.user_id, now, who.display_name, who.timezone, who.is_admin
    )


class Coach:
    """Runs dialogs against the store. Thread-safe: share one per process."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        default_timezone: str = "UTC",
        admins: frozenset[str] = frozenset(),
        sales_process: str | None = None,
        steering_model: bool = True,
    ) -> None:
        """`sales_process` is the YAML of the configured process (SALES_PROCESS), already
        validated; None means the default. A workspace that loaded its own uses that.
        `steering_model` (STEERING_MODEL) turns the learned second opinion on steering on or
        off for this whole process (process/learned_steering.py; one setting per deployment)."""
        self.db = db
        self.clock = clock
        self.default_timezone = default_timezone
        #: The ADMINS setting: platform user ids (or "<workspace>:<id>") who may manage digests.
        self.admins = admins
        self.sales_process = sales_process
        self.steering_model = steering_model
        learned_steering.use(steering_model)

    def _dialog(self, session: Session, user: User, state: ReviewState, now: dt.datetime) -> Dialog:
        return Dialog(
            session,
            user,
            state,
            now,
            self.default_timezone,
            self.admins,
            sales_process=self.sales_process,
        )

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
        session.info["now"] = now  # a step changed in this turn is stamped with it (models)
        who = turn.user
        if turn.event_id and not crud.claim_event(session, turn.event_id, now):
            log.info("duplicate delivery %s ignored", turn.event_id)
            return Outcome(duplicate=True)
        if turn.external:
            # a buyer from another organisation: never a user of ours, never the review
            return share.buyer_turn(session, turn, now, self.default_timezone)
        user = known(session, who, now)
        conv = crud.load_conversation(session, user, now)
        dialog = self._dialog(session, user, ReviewState.from_dict(conv.state), now)
        replies = dialog.run(turn)
        crud.save_conversation(session, conv, dialog.state.to_dict(), now)
        return Outcome(
            replies=replies,
            review_finished=dialog.finished,
            form_errors=dialog.form_errors,
            notices=dialog.notices,
            digest_channel=dialog.digest_channel,
            changed_step=dialog.changed_step,
            shares=share.refresh(
                session, crud.shares_of_owner(session, user), now, self.default_timezone
            ),
        )

    def deals(self, who: UserRef) -> DealList:
        """A user's deal list (App Home, `dealcoach deals`): read-only, outside any review."""

        def work(session: Session) -> DealList:
            now = self.clock()
            user = known(session, who, now)
            return self._dialog(session, user, ReviewState(), now).deal_list()

        return self._run(work)

    def home(self, who: UserRef) -> Home | None:
        """The user's home tab in one transaction; None when the database cannot be reached
        (the platform then shows that instead of an empty or stale tab)."""

        def work(session: Session) -> Home:
            now = self.clock()
            user = known(session, who, now)
            dialog = self._dialog(session, user, ReviewState(), now)
            state = ReviewState.from_dict(crud.load_conversation(session, user, now).state)
            tz = zone(user.zone, self.default_timezone)
            team = views.team_deal_list(session, user, now.astimezone(tz).date(), tz)
            return Home(dialog.deal_list(), state.active, team)

        try:
            return self._run(work, attempts=2)
        except OperationalError as exc:
            log.warning("home of %s/%s not read: %s", who.workspace_id, who.user_id, exc.orig)
            return None

    def team_deals(self, who: UserRef) -> DealList | None:
        """A manager's team's open deals (App Home, `deals --team`); None for a non-manager."""

        def work(session: Session) -> DealList | None:
            now = self.clock()
            user = crud.ensure_user(session, who.workspace_id, who.user_id, now)
            tz = zone(user.zone, self.default_timezone)
            return views.team_deal_list(session, user, now.astimezone(tz).date(), tz)

        return self._run(work)

    def plan(
        self, who: UserRef, deal_text: str = "", start: str = "Type *review* to start one."
    ) -> list[Reply]:
        """A deal's plan card (or a hint) without touching the user's review in progress.

        The deal shown is remembered in the user's conversation as the one shown last, so
        a later `drop #2` in chat means its step #2 (`ReviewState.last_deal_id`). `start`
        says how to start a review where the hint is shown."""

        def work(session: Session) -> list[Reply]:
            now = self.clock()
            user = known(session, who, now)
            conv = crud.load_conversation(session, user, now)
            state = ReviewState.from_dict(conv.state)
            dialog = self._dialog(session, user, state, now)
            if dialog.show_plan(deal_text, start):
                # only what was shown changes: `updated_at` stays, so an idle review still
                # expires when it would have (crud.load_conversation)
                conv.state = dialog.state.to_dict()
                session.add(conv)
            return dialog.out

        return self._run(work)

    def deal_records(self, who: UserRef, deal_text: str | None = None) -> list[dict[str, Any]]:
        """The user's deals as data (see `bot.views.deal_records`): the open ones, or those
        whose name matches `deal_text` (closed ones included, archived never)."""

        def work(session: Session) -> list[dict[str, Any]]:
            now = self.clock()
            user = crud.ensure_user(
                session, who.workspace_id, who.user_id, now, who.display_name, who.timezone
            )
            dialog = self._dialog(session, user, ReviewState(), now)
            deals = (
                crud.find_deal(session, user, deal_text, include_closed=True)
                if deal_text
                else crud.open_deals(session, user)
            )
            return views.deal_records(session, deals, dialog.today, dialog.tz, dialog.process)

        return self._run(work)

    def shared_posted(self, share_id: int, message_id: str, rendered: str) -> None:
        """A shared plan was posted or updated: remember the message (later changes update
        it in place) and what it now shows (`SharedPost.rendered`)."""

        def work(session: Session) -> None:
            row = session.get(SharedPlan, share_id)
            if row is not None:
                row.message_id = message_id[:200]
                row.rendered = rendered
                session.add(row)

        self._run(work)

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
            user = known(session, who, now)
            user.profile_checked_at = now
            session.add(user)

        try:
            self._run(work, attempts=1)
        except OperationalError as exc:
            log.warning("profile of %s/%s not saved: %s", who.workspace_id, who.user_id, exc.orig)

    def display_names(self, workspace_id: str, user_ids: list[str]) -> dict[str, str]:
        """Stored display names of platform users (to show a mention as the person's name)."""

        def work(session: Session) -> dict[str, str]:
            found = crud.users_by_platform_id(session, workspace_id, user_ids)
            return {uid: u.display_name for uid, u in found.items() if u.display_name}

        return self._run(work)

    def in_review(self, who: UserRef) -> bool:
        """Whether the user is mid-review (so a handler can say "picking up where we left off")."""

        def work(session: Session) -> bool:
            now = self.clock()
            user = crud.ensure_user(session, who.workspace_id, who.user_id, now)
            return ReviewState.from_dict(crud.load_conversation(session, user, now).state).active

        return self._run(work)
