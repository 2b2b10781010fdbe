"""The learned second opinion on steering (process/learned_steering.py, docs/steering_model.md).

The figures that say whether it helps are in bench/steering_model.py (leave-one-file-out
and leave-one-writer-out); these tests hold the seam: the shipped file loads, the model
only overrules the rules when it is very sure, a step it finds gets its side from the side
head (or none, and the coach asks), the side head fills or overrides a side only past its
thresholds, and the setting turns both off.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterator
from importlib import resources

import pytest

from process import learned_steering
from process.learned_steering import (
    MODEL_FILE,
    SIDE_FILE,
    Model,
    features,
    overrule,
    side_features,
    side_opinion,
)
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


def test_a_step_only_the_model_found_has_no_side_without_the_side_head(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "the PO comes thru from there finance by 12/11 i think we had a call on it"
    sure_of("next_step", monkeypatch)
    monkeypatch.setattr(learned_steering, "load_side", lambda: None)
    reading = read_answer(text, TODAY)
    assert reading.orientation == "next_step"
    (step,) = reading.steps
    assert step.side is None and step.side_confidence == 0.0 and reading.side is None
    assert step.due == datetime.date(2026, 12, 11) and reading.due == step.due
    assert "12/11" not in step.action


def test_the_side_head_gives_the_models_step_a_side_with_its_probability(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "the PO comes thru from there finance by 12/11 i think we had a call on it"
    sure_of("next_step", monkeypatch)
    side_sure_of("customer", 0.8, monkeypatch)
    (step,) = read_answer(text, TODAY).steps
    assert step.side == "customer" and step.side_confidence == pytest.approx(0.8)
    assert step.due == datetime.date(2026, 12, 11)


def side_sure_of(side: str, p: float, monkeypatch: pytest.MonkeyPatch, **meta: float) -> None:
    """Ship a side head that says `side` with probability `p` whatever the text."""
    score = math.log(p / (1 - p))
    weights = {"bias": (0.0, score) if side == "us" else (score, 0.0)}
    # with "bias" as the only feature the score is the log-odds itself (scale 1/sqrt(1))
    model = Model(("customer", "us"), weights, {"fill": 0.55, "override": 0.9, **meta})
    monkeypatch.setattr(learned_steering, "side_features", lambda text, step: ["bias"])
    monkeypatch.setattr(learned_steering, "load_side", lambda: model)


def test_the_side_head_fills_a_missing_side_and_overrides_only_when_very_sure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    side_sure_of("us", 0.8, monkeypatch)
    assert side_opinion("x", "x", None) == ("us", pytest.approx(0.8))  # fill 0.55
    assert side_opinion("x", "x", "customer") is None  # override 0.9
    assert side_opinion("x", "x", "us") is None  # agrees
    side_sure_of("us", 0.95, monkeypatch)
    assert side_opinion("x", "x", "customer") == ("us", pytest.approx(0.95))
    side_sure_of("us", 0.5, monkeypatch)
    assert side_opinion("x", "x", None) is None  # below fill: the coach asks
    side_sure_of("us", 0.99, monkeypatch, fill=1.01, override=1.01)
    assert side_opinion("x", "x", None) is None and side_opinion("x", "x", "customer") is None


def test_the_side_head_is_off_with_the_setting_and_without_its_file(
    rules_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    side_sure_of("us", 0.99, monkeypatch)
    assert side_opinion("x", "x", None) is None
    learned_steering.use(True)
    monkeypatch.setattr(learned_steering, "load_side", lambda: None)
    assert side_opinion("x", "x", None) is None


def test_the_shipped_side_head_loads_with_its_thresholds() -> None:
    model = learned_steering.load_side()
    assert model is not None and model.labels == ("customer", "us")
    assert 0.5 <= float(model.meta["fill"]) <= 1.0  # chosen by bench/steering_side_model.py
    assert 0.5 <= float(model.meta["override"]) <= 1.01
    size = len(resources.files("process").joinpath(SIDE_FILE).read_bytes())
    assert size < 1_000_000, f"{SIDE_FILE} is {size:,} bytes"


def test_side_features_see_the_step_and_who_it_names() -> None:
    names = set(side_features("ok so imma send the deck to there CFO", "Imma send the deck"))
    assert {"s0:imma", "sb:send the", "sp:imma", "tp:imma", "w:there"} <= names
    assert not any(n.startswith("c:") for n in names)  # letter groups: orientation only
    assert "s:<name>" in side_features("Priya walks her VP through it", "Priya walks her VP through it")
    assert "s:<name>" not in side_features("They sign on Friday", "They sign on Friday")


# New answers in the styles of the late batches (not in any labelled file): when they were
# written the rules gave no side (most were steps only the orientation model found) or the
# wrong one. The split rules merged later read some of them right by themselves, so what is
# held here is the head's own verdict and the reading with both.
SIDED = [
    ("imma send the pricing deck to there CFO tonite", "us"),
    ("coo approves the budget by end of next week", "customer"),
    ("the client has asked our insurance certificate before 10 December", "us"),
    ("I'll chase Rohan in procurement on Thursday for the PO number.", "us"),
    ("their CISO said shes taking the pen test results to the risk committee on dec 10", "customer"),
    ("two things on us: revised quote by wed, reference call by fri", "us"),
]


@pytest.mark.parametrize(("text", "side"), SIDED)
def test_the_side_head_reads_them_as_labelled(text: str, side: str) -> None:
    reading = read_answer(text, TODAY)
    assert reading.orientation == "next_step" and reading.side == side == reading.steps[0].side
    verdict = learned_steering.side_opinion(text, reading.steps[0].action, None)
    assert verdict is not None and verdict[0] == side


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
