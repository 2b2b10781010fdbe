"""A small learned second opinion on orientation, beside the steering rules (issue 11).

`read_answer` (process/steering.py) reads an answer with its rules, then asks `overrule`:
when this model disagrees with the rules' orientation (history / vague / next step) with a
probability of at least `tau` (chosen in bench/steering_model.py on answers the rules had
not been tuned on, stored in the weights file), the model's orientation wins (never over
an answer that is only a date: the coach asks what happens then). It never chooses owner
or dates. `use(False)` (setting `STEERING_MODEL=off`) turns it and the side head off.

The side head (`side_opinion`, weights in `learned_steering_side.json`, trained and measured
in bench/steering_side_model.py): a logistic regression over the answer's words and the first
step's words that gives that step a side (customer / us) where the reading has none (at a
probability >= the file's `fill`) or replaces the rules' side (>= `override`).

What the model is: a multinomial logistic regression over the words, word pairs and letter
groups of an answer, trained in the repo (`bench/steering_model.py`) from the labelled
answers in `tests/process/` and `../shared/coaching/`, and shipped as plain JSON weights
(`learned_steering.json`, package data like the sales-process YAML). Inference is a few
hundred dictionary look-ups in plain Python: no numpy, no pickle, no network, no clock.

Why letter groups: reps type "wil sing the order form by fridsy" and "hopefuly"; whole
words miss those, their 3-5-letter pieces do not.

Shapes: `features(text)` is a list of feature names (strings); `Model.probabilities(text)`
is a dict label -> probability (summing to 1) over the labels the file was trained on
(for orientation: "history", "vague", "next_step"). `load()` returns the shipped model, or
None when the file is missing or unreadable (the caller then uses the rules alone; the
log says why). Docs: docs/steering_model.md.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Final

from process.steering_vocab import words as _word_set

__all__ = [
    "MODEL_FILE",
    "SIDE_FILE",
    "Model",
    "features",
    "load",
    "load_side",
    "overrule",
    "side_features",
    "side_opinion",
    "use",
]

_log = logging.getLogger(__name__)

#: The shipped weights, next to this module.
MODEL_FILE: Final = "learned_steering.json"
#: The side head's weights (customer / us), next to this module.
SIDE_FILE: Final = "learned_steering_side.json"

# Slack markup the handler may not have decoded, and the shapes of numbers: "12/8" and
# "12/18" are the same kind of thing to a reader of orientation ("0/0").
_MENTION: Final = re.compile(r"<@[^>]*>")
_LINK: Final = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<(?:https?|mailto):[^>]*>")
_ENTITY: Final = re.compile(r"&(?:amp|lt|gt);")
_DIGITS: Final = re.compile(r"\d+")
_TOKEN: Final = re.compile(r"[a-z0-9']+|[?!]|:[a-z_]+:")
_CHAR_N: Final = (3, 4, 5)
_MAX_CHARS: Final = 600  # a chat answer; longer text adds nothing but time


def _normal(text: str) -> str:
    text = text[:_MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'").lower()
    text = _MENTION.sub(" @someone ", text)
    text = _LINK.sub(lambda m: f" {m[1] or 'link'} ", text)
    text = _ENTITY.sub(" and ", text)
    return _DIGITS.sub("0", text)


def features(text: str) -> list[str]:
    """The feature names of one answer, each once and in no particular order: words, word
    pairs, 3-5 letter groups inside words, the first word, and a rough length."""
    words = _TOKEN.findall(_normal(text))
    out = _word_features(words)
    for w in words:
        if len(w) < 3 or w[0] == ":":
            continue
        padded = f"<{w}>"
        size = len(padded)
        out.update(["c:" + padded[i : i + n] for n in _CHAR_N for i in range(size - n + 1)])
    return list(out)


def _word_features(words: list[str]) -> set[str]:
    out = {"bias", f"len:{min(len(words), 24) // 4}"}
    out.update(["w:" + w for w in words])
    out.update([f"b:{a} {b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)])
    if words:
        out.add("first:" + words[0])
    return out


# Who the first step is about: the first person word in it. "we/I/our" lean ours, "they/their"
# and a named person theirs, but "they want our W-9" is ours: the model weighs them with the
# rest of the words rather than a rule taking the first one.
_PERSON_WORDS: Final = _word_set(
    "we i i'm im i'll ill i'd imma we'll we're our ours my me us "
    "they they'll they're their theirs them he she he'll she'll his her him "
    "client client's customer customer's"
)
_NAME: Final = re.compile(r"(?<![\w@])[A-Z][a-z]+(?:'s)?\b")
_NOT_NAMES: Final = _word_set(
    "i we they he she our their my the a an it this that then once after kindly please pls "
    "client customer so and but also next just only good ok okay sorry correction "
    "monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may jun jul aug "
    "sep sept oct nov dec january february march april june july august september october "
    "november december"
)


def side_features(text: str, step: str) -> list[str]:
    """The features the side head reads: the answer's (`features`) without its letter groups,
    plus the words, word pairs, first two words and first person word of `step` (the first
    step's action as the rules cut it, or the whole answer), the first person word of the
    answer, and whether a capitalised name opens the step. Why no letter groups: with them
    the head was worse on every leave-one-out figure (docs/steering_model.md); whose step it
    is rests on whole words ("us", "their"), not on their spelling."""
    said = _TOKEN.findall(_normal(text))
    out = _word_features(said)
    words = _TOKEN.findall(_normal(step))
    out.update(["s:" + w for w in words])
    out.update([f"sb:{a} {b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)])
    out.update([f"s{k}:{w}" for k, w in enumerate(words[:2])])
    person = next((w for w in words if w in _PERSON_WORDS), "none")
    out.add("sp:" + person)
    first = next((w for w in said if w in _PERSON_WORDS), "none")
    out.add("tp:" + first)
    name = _NAME.match(step.strip())
    if name is not None and name[0].lower().removesuffix("'s") not in _NOT_NAMES:
        out.add("s:<name>")
    return list(out)


@dataclass(frozen=True)
class Model:
    """Weights of a linear model: `weights[feature][k]` for `labels[k]`; unknown features count 0."""

    labels: tuple[str, ...]
    weights: Mapping[str, Sequence[float]]
    meta: Mapping[str, object]

    def scores(self, names: Iterable[str]) -> list[float]:
        """Raw scores per label; every present feature has the value 1/sqrt(count)."""
        names = list(names)
        if not names:
            return [0.0] * len(self.labels)
        scale = 1.0 / math.sqrt(len(names))
        rows = [w for w in map(self.weights.get, names) if w is not None]
        if not rows:
            return [0.0] * len(self.labels)
        # from_json checked that every row has one weight per label
        return [sum(column) * scale for column in zip(*rows, strict=False)]

    def probabilities(self, text: str) -> dict[str, float]:
        """Label -> probability for one answer (softmax of `scores`)."""
        return _softmax(self.labels, self.scores(features(text)))

    def to_json(self) -> str:
        """The file format: {"labels": [...], "meta": {...}, "weights": {feature: [w, ...]}}."""
        return json.dumps(
            {"labels": list(self.labels), "meta": dict(self.meta), "weights": dict(self.weights)},
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Model:
        """Parse the file format; raises ValueError (or KeyError/TypeError) on a malformed file."""
        data = json.loads(text)
        labels = tuple(str(x) for x in data["labels"])
        weights = {str(k): tuple(float(x) for x in v) for k, v in data["weights"].items()}
        if any(len(v) != len(labels) for v in weights.values()):
            raise ValueError("a weight row does not have one value per label")
        return cls(labels, weights, dict(data.get("meta", {})))


def _softmax(labels: Sequence[str], scores: Sequence[float]) -> dict[str, float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return {label: e / total for label, e in zip(labels, exps, strict=True)}


def _load(name: str) -> Model | None:
    try:
        text = resources.files("process").joinpath(name).read_text(encoding="utf-8")
        return Model.from_json(text)
    except (OSError, ValueError, KeyError, TypeError):
        _log.exception("steering model %s unreadable: steering uses its rules alone", name)
        return None


@functools.cache
def load() -> Model | None:
    """The shipped orientation model (read once), or None if its file is missing or malformed."""
    return _load(MODEL_FILE)


@functools.cache
def load_side() -> Model | None:
    """The shipped side model (labels "customer", "us"; read once), or None if its file is
    missing or malformed."""
    return _load(SIDE_FILE)


_enabled = True


def use(enabled: bool) -> None:
    """Turn the second opinion on or off for this process (the composition root does, from
    the `steering_model` setting); off, `overrule` always answers None."""
    global _enabled
    _enabled = enabled


def overrule(text: str, orientation: str) -> tuple[str, float] | None:
    """The model's orientation and its probability, when it disagrees with `orientation` (the
    rules') with a probability >= the file's `tau`; else None (also when off or unloaded)."""
    model = load() if _enabled else None
    if model is None:
        return None
    probs = model.probabilities(text)
    best = max(probs, key=probs.__getitem__)
    tau = float(model.meta.get("tau", 1.01))  # a file without tau never overrules
    return (best, probs[best]) if best != orientation and probs[best] >= tau else None


def side_opinion(text: str, step: str, side: str | None) -> tuple[str, float] | None:
    """The side head's side for the first step and its probability, when it should replace
    `side` (the rules'): when `side` is None and the model is >= the file's `fill` sure, or
    when it disagrees with `side` and is >= the file's `override` sure; else None (also when
    off or unloaded). `step` is the first step's action (or the whole answer)."""
    model = load_side() if _enabled else None
    if model is None:
        return None
    probs = _softmax(model.labels, model.scores(side_features(text, step)))
    best = max(probs, key=probs.__getitem__)
    # a file without a threshold never changes a side
    tau = float(model.meta.get("fill" if side is None else "override", 1.01))
    return (best, probs[best]) if best != side and probs[best] >= tau else None
