"""The shared plan in the engine (issue 16): proposals are proposals, the decision date stays,
only the deal's own rep answers, and the post is re-sent only when what it shows changed."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from bot.engine import Coach
from bot.messages import Form, Turn, UserRef
from storage.db import Database
from storage.models import BuyerAction, Deal, DecisionDateChange, PlanStep
from tests.bot.chat import Chat
from tests.bot.test_review import first_review

BUYER = UserRef("console:test", "maria", "Maria")


def customer_step(db: Database) -> PlanStep:
    return db.run(lambda s: s.exec(select(PlanStep).where(PlanStep.side == "customer")).one())


def test_proposal_counter_and_who_may_answer(coach: Coach, db: Database) -> None:
    alice = Chat(coach)
    first_review(alice)
    assert "conversation with the customer" in alice.command("share", "Acme")  # not in a DM
    assert alice.last.shares == []

    alice.send(command="share", args="Acme", channel="C1")
    (post,) = alice.last.shares
    assert post.channel == "C1" and post.message_id is None
    alice.command("list")
    assert [p.share_id for p in alice.last.shares] == [post.share_id]  # not posted yet: again
    coach.shared_posted(post.share_id, "ts1", post.rendered)
    alice.command("list")
    assert alice.last.shares == []  # nothing the shared post shows changed

    step = customer_step(db)
    deal = db.run(lambda s: s.exec(select(Deal)).one())
    assert deal.decision_date is not None
    late = deal.decision_date + dt.timedelta(days=7)
    form_id = f"buyer:{post.share_id}:{step.id}:propose:C1"
    out = coach.handle(
        Turn(user=BUYER, external=True, form={"due": late.isoformat()}, form_id=form_id)
    )
    (notice,) = out.notices
    told = " ".join(line for r in notice.replies for line in getattr(r, "lines", ()))
    assert "after the decision date" in told and "stays where it is" in told
    (action,) = db.run(lambda s: list(s.exec(select(BuyerAction))))
    assert customer_step(db).due == step.due  # a proposal moves nothing

    past = coach.handle(
        Turn(
            user=BUYER,
            external=True,
            form_id=form_id,
            form={"due": (step.created_at.date() - dt.timedelta(days=1)).isoformat()},
        )
    )
    assert "from today on" in past.replies[0].text  # type: ignore[union-attr]

    bob = Chat(coach, user="bob")
    assert "isn't on one of your deals" in bob.click(f"proposal:{action.id}:accept")
    assert customer_step(db).due == step.due

    alice.click(f"proposal:{action.id}:counter")
    (form,) = [r for r in alice.last.replies if isinstance(r, Form)]
    counter = step.due + dt.timedelta(days=3) if step.due else late
    alice.send(form={"due": counter.isoformat()}, form_id=form.form_id)
    assert customer_step(db).due == counter
    assert [p.message_id for p in alice.last.shares] == ["ts1"]  # updated in place
    assert "already answered" in alice.click(f"proposal:{action.id}:accept")
    assert db.run(lambda s: s.exec(select(BuyerAction)).one()).status == "countered"
    deal_after = db.run(lambda s: s.exec(select(Deal)).one())
    assert deal_after.decision_date == deal.decision_date
    moves = db.run(lambda s: list(s.exec(select(DecisionDateChange))))
    assert all(m.old_date is None for m in moves)  # only the first setting, never a move
