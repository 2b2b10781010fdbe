"""The review with the learned second opinion on steering (process/learned_steering.py):
a hedged wish the rules take for a step is pushed back on, and STEERING_MODEL=off (the
Coach's `steering_model=False`) gives the rules alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bot.engine import Coach
from config import Settings
from process import learned_steering
from process.steering import read_answer
from storage.db import Database
from storage.models import PlanStep
from tests.bot.chat import Chat
from tests.conftest import FakeClock

TODAY = dt.date(2026, 11, 24)  # conftest's T0 in the review's time zone
WISH = "Maybe they will sign in January, we are hoping."  # vague: no step, no date to hold


def start(chat: Chat) -> None:
    chat.command("review")
    chat.say("Globex - platform deal")
    chat.say("Feb 2")
    chat.say("Renewal of their analytics platform.")
    assert chat.stage == "customer_next"


def stored(db: Database) -> list[str]:
    with db.session() as s:
        return [r.description for r in s.exec(select(PlanStep)).all()]


@pytest.fixture
def rules_coach(db: Database, clock: FakeClock) -> Iterator[Coach]:
    try:
        yield Coach(db, clock=clock, default_timezone="America/New_York", steering_model=False)
    finally:
        learned_steering.use(True)  # the switch is process-wide: leave it as other tests expect


def test_a_hedged_wish_is_pushed_back_not_planned(coach: Coach, db: Database) -> None:
    chat = Chat(coach)
    start(chat)
    out = chat.say(WISH)
    assert "What specifically, and who does it?" in out  # the coach pushes for a concrete step
    assert stored(db) == []


def test_with_the_model_off_the_review_follows_the_rules_alone(
    rules_coach: Coach, db: Database
) -> None:
    assert learned_steering.overrule(WISH, "next_step") is None  # the Coach turned it off
    chat = Chat(rules_coach)
    start(chat)
    out = chat.say(WISH)
    if read_answer(WISH, TODAY).orientation == "next_step":  # the rules at 594de6c: a step
        assert "What specifically" not in out
        if "keep it or pick another date?" in out:  # Jan 31 is a Sunday: the day-off question
            out = chat.click(chat.choice("Keep"))
        if "Who on their side owns this?" in out:
            chat.click(chat.choice("Skip"))
        assert stored(db)
    else:
        assert "What specifically" in out and not stored(db)


def test_the_setting_reads_off() -> None:
    assert Settings(steering_model="off").steering_model is False  # type: ignore[arg-type]
    assert Settings().steering_model is True
