"""A small learned second opinion on orientation, beside the steering rules (issue 11).

`read_answer` (process/steering.py) reads an answer with its rules, then asks `overrule`:
when this model disagrees with the rules' orientation (history / vague / next step) with a
probability of at least `tau` (chosen in bench/steering_model.py on answers the rules had
not been tuned on, stored in the weights file), the model's orientation wins (never over
an answer that is only a date: the coach asks what happens then). It never chooses side,
owner or dates. `use(False)` (setting `STEERING_MODEL=off`) turns it off.

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

__all__ = ["MODEL_FILE", "Model", "features", "load", "overrule", "use"]

_log = logging.getLogger(__name__)

#: The shipped weights, next to this module.
MODEL_FILE: Final = "learned_steering.json"

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
    out = {"bias", f"len:{min(len(words), 24) // 4}"}
    out.update(["w:" + w for w in words])
    out.update([f"b:{a} {b}" for a, b in zip(["^", *words], [*words, "$"], strict=True)])
    for w in words:
        if len(w) < 3 or w[0] == ":":
            continue
        padded = f"<{w}>"
        size = len(padded)
        out.update(["c:" + padded[i : i + n] for n in _CHAR_N for i in range(size - n + 1)])
    if words:
        out.add("first:" + words[0])
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


@functools.cache
def load() -> Model | None:
    """The shipped model (read once), or None if its file is missing or malformed."""
    try:
        text = resources.files("process").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        return Model.from_json(text)
    except (OSError, ValueError, KeyError, TypeError):
        _log.exception("steering model %s unreadable: steering uses its rules alone", MODEL_FILE)
        return None


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
