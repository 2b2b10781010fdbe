"""The learned second opinion on steering (process/learned_steering.py, docs/steering_model.md).

The figures that say whether it helps are in bench/steering_model.py (leave-one-file-out
and leave-one-writer-out); these tests hold the seam: the shipped file loads, the model
only overrules the rules when it is very sure, a step it finds has no side (the coach asks),
and the setting turns it off.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from importlib import resources

import pytest

from process import learned_steering
from process.learned_steering import MODEL_FILE, Model, features, overrule
from process.steering import read_answer

TODAY = datetime.date(2026, 11, 24)  # a Tuesday


@pytest.fixture
def rules_only() -> Iterator[None]:
    learned_steering.use(False)
    try:
        yield
    finally:
        learned_steering.use(True)


def test_the_shipped_model_loads_and_is_small() -> None:
    model = learned_steering.load()
    assert model is not None
    assert model.labels == ("history", "vague", "next_step")
    assert 0.5 <= float(model.meta["tau"]) <= 1.0  # chosen by bench/steering_model.py
    size = len(resources.files("process").joinpath(MODEL_FILE).read_bytes())
    assert size < 3_000_000, f"{MODEL_FILE} is {size:,} bytes"


def test_probabilities_are_a_distribution() -> None:
    model = learned_steering.load()
    assert model is not None
    for text in ("", "ok", "they sign the order form by friday", "x" * 5000, "🙏 <@U123> &amp;"):
        probs = model.probabilities(text)
        assert set(probs) == set(model.labels)
        assert abs(sum(probs.values()) - 1) < 1e-9


def test_features_see_words_pairs_and_letter_groups() -> None:
    names = features("Hopefuly they sing by 12/18")
    assert {"w:hopefuly", "b:they sing", "c:<hope", "w:0", "first:hopefuly"} <= set(names)
    assert len(names) == len(set(names))  # each once


def test_model_file_round_trips_and_rejects_a_malformed_row() -> None:
    model = Model(("a", "b"), {"bias": (0.5, -0.5), "w:x": (1.0, 0.0)}, {"tau": 0.9})
    assert Model.from_json(model.to_json()) == model
    broken = json.loads(model.to_json())
    broken["weights"]["w:x"] = [1.0]
    with pytest.raises(ValueError, match="one value per label"):
        Model.from_json(json.dumps(broken))


# New answers in the styles of the blind batches (not in any labelled file), which the rules
# alone read wrongly at 594de6c; with the second opinion they are read as labelled.
OVERRULED = [
    ("hopefuly they sing b4 new yr", "vague"),
    ("need more exec sponsors there honestly", "vague"),
    ("Maybe they will sign in January, we are hoping.", "vague"),
    ("Their financial year is finishing at 30 of June.", "history"),
    ("The contract with the current vendor is finishing in April 2027.", "history"),
]


@pytest.mark.parametrize(("text", "orientation"), OVERRULED)
def test_the_second_opinion_reads_them_as_labelled(text: str, orientation: str) -> None:
    assert read_answer(text, TODAY).orientation == orientation


@pytest.mark.parametrize(("text", "_orientation"), OVERRULED)
def test_off_it_never_overrules(rules_only: None, text: str, _orientation: str) -> None:
    for label in ("history", "vague", "next_step"):
        assert overrule(text, label) is None


def sure_of(label: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ship a model that says `label` with probability ~1 whatever the text (tau 0.9)."""
    labels = ("history", "vague", "next_step")
    bias = tuple(50.0 if x == label else 0.0 for x in labels)
    model = Model(labels, {"bias": bias}, {"tau": 0.9})
    monkeypatch.setattr(learned_steering, "load", lambda: model)


def test_a_step_only_the_model_found_has_no_side_so_the_coach_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "the PO comes thru from there finance by 12/11 i think we had a call on it"
    sure_of("next_step", monkeypatch)
    reading = read_answer(text, TODAY)
    assert reading.orientation == "next_step"
    (step,) = reading.steps
    assert step.side is None and step.side_confidence == 0.0 and reading.side is None
    assert step.due == datetime.date(2026, 12, 11) and reading.due == step.due
    assert "12/11" not in step.action


def test_overruled_to_vague_keeps_no_step(monkeypatch: pytest.MonkeyPatch) -> None:
    sure_of("vague", monkeypatch)
    reading = read_answer("Raj sends the signed order form by Friday", TODAY)
    assert reading.orientation == "vague"
    assert reading.steps == () and reading.due is None and reading.side is None


def test_a_model_as_sure_as_the_rules_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    sure_of("next_step", monkeypatch)
    text = "Raj sends the signed order form by Friday"
    learned_steering.use(False)
    try:
        alone = read_answer(text, TODAY)
    finally:
        learned_steering.use(True)
    assert read_answer(text, TODAY) == alone


def test_a_missing_model_file_leaves_the_rules_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned_steering, "load", lambda: None)
    assert overrule("hopefuly they sing b4 new yr", "next_step") is None


def test_clear_answers_stay_the_rules_reading() -> None:
    for text, orientation in [
        ("Raj sends the signed order form by Friday", "next_step"),
        ("we had the demo last week, went well", "history"),
        ("we'll see how it goes", "vague"),
    ]:
        reading = read_answer(text, TODAY)
        assert reading.orientation == orientation
        assert overrule(text, orientation) is None


def test_an_answer_that_is_only_a_date_is_never_overruled(monkeypatch: pytest.MonkeyPatch) -> None:
    # the shipped model takes "in 2 wks" for history; the rules know it is a bare date and
    # the coach asks what happens then
    sure_of("history", monkeypatch)
    reading = read_answer("in 2 wks", TODAY)
    assert reading.orientation == "vague" and reading.bare_date == datetime.date(2026, 12, 8)
