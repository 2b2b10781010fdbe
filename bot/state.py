"""A user's place in the review, as the JSON saved in `Conversation.state` after every turn."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

#: How many recorded actions `undo` can take back, one after another.
UNDO_DEPTH = 10


@dataclass
class ReviewState:
    """Everything the dialog needs to pick up again after a restart; empty `stage` = idle."""

    stage: str | None = None
    deal_id: int | None = None
    review_id: int | None = None
    #: Redirects on the current question, and history answers in a row (firmer redirect).
    redirects: int = 0
    history_streak: int = 0
    #: A step being completed over several turns: description, side, owner, due (ISO), origin.
    pending: dict[str, Any] | None = None
    #: The further steps of a multi-step answer, completed and saved after `pending`, and the
    #: plan lines saved from that answer so far (said together: "Added 2 steps: ...").
    queued: list[dict[str, Any]] = field(default_factory=list)
    batch: list[str] = field(default_factory=list)
    #: Open steps due by now, to be confirmed one by one at the start of a later review.
    due_queue: list[int] = field(default_factory=list)
    #: The step being rescheduled, and the stage to go back to afterwards.
    step_id: int | None = None
    resume: str | None = None
    #: A typed new date for that step on a weekend or public holiday (ISO), while "keep it
    #: or pick another date?" waits (bot/review/due.py); nothing is moved until answered.
    day_off: str | None = None
    #: Sides that got a step in this review, and those the coach gave up asking for.
    got: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    steps_added: int = 0
    #: A new decision date waiting for its reason (ISO).
    new_decision: str | None = None
    #: Steps from the sales process offered to a stuck rep (text, side, lead_days, meets), and
    #: the step questions they were offered at in this review (offered once per question).
    offered: list[dict[str, Any]] = field(default_factory=list)
    offered_for: list[str] = field(default_factory=list)
    #: Customer steps asked "Who on their side owns this?" in this review (lower-case
    #: descriptions): asked once per step, not again after an undo and a retype.
    owner_asked: list[str] = field(default_factory=list)
    #: How often the rep skipped "Who on their side owns this?" in this review: after two,
    #: the coach stops asking (a rep who doesn't know won't know for the next step either).
    owner_skips: int = 0
    #: The deal's stage was asked in this review (asked once; "not sure" is an answer).
    stage_asked: bool = False
    #: An answer to the stage question that named no stage ("we had the budget meeting,
    #: anyway Raj sends the approval by the 15th"): kept and read as the context answer
    #: once the stage is settled, so its history and its step are not lost.
    carried: str | None = None
    #: A step of its own typed at "Who on their side owns this?" while further steps of
    #: the same answer were still to be completed: answered at the step question that
    #: follows them (bot/review/step_details.py `carry_on`).
    waiting: str | None = None
    #: A new deal's name typed close to an existing deal's ("acme renewl"): the text, while
    #: "Did you mean …?" waits for its answer (bot/review/deal_choice.py).
    new_deal_text: str | None = None
    #: The kind of indecision picked at the risk question, whose de-risking step is offered.
    indecision: str | None = None
    #: The questions asked in this review, in order (sub-questions of a step left out), so
    #: `back` can return to the previous one.
    trail: list[str] = field(default_factory=list)
    #: What was recorded, newest last, so `undo` can take it back: dicts with a `kind`
    #: (step, decision, closed, moved, risk, edit, deal) and what restores it (bot/review/undo.py).
    #: Kept after a review ends, so `undo` right after works too.
    undo: list[dict[str, Any]] = field(default_factory=list)
    #: A side task (close or rename a deal) asked over a few turns, and where to go back after.
    task: dict[str, Any] | None = None
    #: The deal whose plan was shown or reviewed last: what `edit #3` refers to outside a review.
    last_deal_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ReviewState:
        """Tolerant of older or partial state: unknown keys are ignored, missing ones default.

        A deep copy: the loaded JSON must not change when the state does in place (an undo
        popping its list), or the saved row would look unchanged and not be written.
        """
        names = {f.name for f in fields(cls)}
        return cls(**{k: copy.deepcopy(v) for k, v in (data or {}).items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def active(self) -> bool:
        return self.stage is not None

    def idle(self) -> ReviewState:
        """The state after a review ends or stops: nothing in progress, `undo` still possible."""
        # the review's deal was shown last unless a plan was shown since (`plan Other`)
        return ReviewState(
            undo=self.undo[-UNDO_DEPTH:], last_deal_id=self.last_deal_id or self.deal_id
        )

    def reset_question(self) -> None:
        self.redirects = 0
        self.history_streak = 0
