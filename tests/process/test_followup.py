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
            FollowUp("partial", done_part="sent the redlines", rest="the call isn't booked"),
        ),
        (
            "partly: legal signed off but procurement still needs the PO by Dec 4",
            FollowUp(
                "partial",
                due=dt.date(2026, 12, 4),
                done_part="legal signed off",
                rest="procurement still needs the PO",
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
