"""The playbook's pure parts: steering decisions, small answer readers, quick dates."""

from __future__ import annotations

import datetime as dt

import pytest

from process import playbook as pb
from process.steering import Reading

TODAY = dt.date(2026, 11, 24)


def reading(orientation: str, side: str | None = None, due: dt.date | None = None) -> Reading:
    return Reading(orientation, side, due, None, "x", None)  # type: ignore[arg-type]


def test_next_step_is_accepted() -> None:
    assert pb.steer(reading("next_step", "customer"), "customer", 0, 0, "Acme").kind == "accept"


def test_history_is_acknowledged_then_redirected_more_firmly() -> None:
    first = pb.steer(reading("history"), "customer", 0, 0, "Acme")
    second = pb.steer(reading("history"), "customer", 1, 1, "Acme")
    assert first.kind == second.kind == "redirect"
    assert first.keep_as_context and second.keep_as_context
    assert "kept it as context" in first.message and "customer have to do next" in first.message
    assert first.message != second.message and "already happened" in second.message


def test_vague_asks_what_specifically() -> None:
    s = pb.steer(reading("vague"), "us", 0, 0, "Acme")
    assert s.kind == "redirect" and "specifically" in s.message and not s.keep_as_context


@pytest.mark.parametrize("asked", ["customer", "us", None])
def test_coach_gives_up_on_the_third_redirect_and_names_the_gap(asked) -> None:  # type: ignore[no-untyped-def]
    s = pb.steer(reading("vague"), asked, pb.MAX_REDIRECTS - 1, 0, "Acme")
    assert s.kind == "give_up" and "noted" in s.message


@pytest.mark.parametrize("text", ["that's all", "Thats it", "nothing else", "no", "done.", "None"])
def test_done_words(text: str) -> None:
    assert pb.is_done(text)


@pytest.mark.parametrize(
    "text", ["done by Friday they sign", "nothing happens until they sign", "no date"]
)
def test_not_done_words(text: str) -> None:
    assert not pb.is_done(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Corp - 2027 renewal", ("Acme Corp", "2027 renewal")),
        ("Acme Corp — renewal", ("Acme Corp", "renewal")),
        ("Globex: expansion", ("Globex", "expansion")),
        ("Initech", ("Initech", "")),
        ("Hewlett-Packard - upsell", ("Hewlett-Packard", "upsell")),
    ],
)
def test_split_deal_name(text: str, expected: tuple[str, str]) -> None:
    assert pb.split_deal_name(text) == expected


def test_clean_answer_strips_control_characters_and_cuts_long_text() -> None:
    assert pb.clean_answer("a\x00b\x1b[31m  c\n") == ("a b [31m c", False)
    cut, was_cut = pb.clean_answer("x" * 10_000)
    assert was_cut and len(cut) == pb.MAX_ANSWER_CHARS + 1


def test_quick_step_dates_never_pass_the_decision_date() -> None:
    options = pb.quick_step_dates(TODAY, dt.date(2026, 12, 1))
    assert options and all(d <= dt.date(2026, 12, 1) for _, d in options)
    assert options[0] == ("This Friday", dt.date(2026, 11, 27))


def test_quick_decision_dates_skip_a_month_end_too_close() -> None:
    labels = [label for label, _ in pb.quick_decision_dates(dt.date(2026, 11, 28))]
    assert "End of this month" not in labels
    assert pb.quick_decision_dates(dt.date(2026, 11, 28))[0][1] == dt.date(2026, 12, 31)


def test_progress_labels() -> None:
    assert pb.progress(pb.Stage.CUSTOMER_NEXT) == "Step 4 of 8"
    assert pb.progress(pb.Stage.STEP_DUE, pb.Stage.US_NEXT) == "Step 5 of 8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Their security team has to finish the vendor risk assessment by Friday.",
            "Their security team has to finish the vendor risk assessment",
        ),
        (
            "The customer needs to share their usage data, by Thursday.",
            "The customer needs to share their usage data",
        ),
        ("they will run the security scan in 3 days", "They will run the security scan"),
        ("by Friday", "By Friday"),  # a bare date is vague: its words are all there is
    ],
)
def test_step_description_drops_the_date_phrase(text: str, expected: str) -> None:
    from process.steering import read_answer

    assert pb.step_description(read_answer(text, TODAY), text) == expected


def test_follow_up_questions_carry_no_step_number_and_days_read_right() -> None:
    for stage in (
        pb.Stage.CONFIRM_DUE,
        pb.Stage.RESCHEDULE,
        pb.Stage.RESCHEDULE_LATE,
        pb.Stage.DEAL_STAGE,  # first reviews only: numbered, it repeated the decision's 2
    ):
        assert pb.progress(stage) == ""
    assert pb.progress(pb.Stage.PICK_DEAL) == "Step 1 of 8"
    assert [pb.days(n) for n in (0, 1, 2, -1)] == ["0 days", "1 day", "2 days", "-1 day"]


@pytest.mark.parametrize(
    ("description", "named"),
    [
        ("Their CFO signs the order form", True),
        ("Their R&D lead signs off", True),
        ("Their IT lead approves the pilot", True),
        ("Procurement lead raises the PO", True),
        ("Their head of procurement signs", True),
        ("Their security team has to finish the vendor risk assessment", False),
        ("Legal reviews our MSA", False),
        ("Legal sends the lead list", False),
        ("They send the PO to their CFO", False),
        ("Customer to send PO", False),
        ("Sign the order form", False),
    ],
)
def test_names_owner_tells_a_person_from_a_group(description: str, named: bool) -> None:
    assert pb.names_owner(description) is named


@pytest.mark.parametrize(
    ("description", "mine"),
    [
        ("I send the SOC 2 report", True),
        ("I'll book the kickoff", True),
        ("Me to send the deck", True),
        ("We send the proposal", False),
        ("Ian sends the deck", False),
        ("Invite their CTO", False),
    ],
)
def test_first_person_steps_are_the_reps(description: str, mine: bool) -> None:
    assert pb.first_person(description) is mine
