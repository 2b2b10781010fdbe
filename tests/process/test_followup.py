"""Answers to "how did it go?" (today: Tue 2026-11-24)."""

from __future__ import annotations

import datetime as dt

import pytest

from process.followup import FollowUp, read_followup

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done", FollowUp("done")),
        ("yes, sent it", FollowUp("done")),
        (
            "half done - sent the redlines but the call isn't booked",
            FollowUp("partial", done_part="sent the redlines", rest="Book the call"),
        ),
        (
            "partly: legal signed off but procurement still needs the PO by Dec 4",
            FollowUp(
                "partial",
                due=dt.date(2026, 12, 4),
                done_part="legal signed off",
                rest="Procurement to get the PO",
            ),
        ),
        ("CFO cancelled, moving it to Dec 3", FollowUp("reschedule", due=dt.date(2026, 12, 3))),
        ("pushed to Dec 10", FollowUp("reschedule", due=dt.date(2026, 12, 10))),
        ("it slipped", FollowUp("reschedule")),
        ("didn't need it anymore", FollowUp("drop", reason="didn't need it anymore")),
        ("we cancelled it", FollowUp("drop", reason="we cancelled it")),
        ("no idea", FollowUp("unclear")),
    ],
)
def test_read_followup(text: str, expected: FollowUp) -> None:
    assert read_followup(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "done_part", "rest"),
    [
        # a state ("it's half done") is neither what was done nor what is left
        ("it is half done", "", ""),
        ("the pilot is half done", "", ""),
        ("halfway there", "", ""),
        ("partly done, the rest next week", "", ""),
        # what is left is an action, whatever way it was said
        ("half done, still need to book the call", "", "Book the call"),
        ("mostly done but legal hasn't signed yet", "", "Legal to sign"),
        ("half done, the security questionnaire is still pending", "", "Finish the security questionnaire"),
        ("partly - the MSA was reviewed but redlines haven't been sent", "the MSA was reviewed", "Send redlines"),
        ("half done: we ran the demo, the pilot is not set up yet", "we ran the demo", "Set the pilot up"),
    ],
)
def test_the_rest_of_a_half_done_step_is_an_action(text: str, done_part: str, rest: str) -> None:
    said = read_followup(text, TODAY)
    assert (said.kind, said.done_part, said.rest) == ("partial", done_part, rest)
