"""How long steering takes per answer, against a trivial pass over the same texts.

Why a baseline in the same run: absolute microseconds depend on the machine; the ratio to
`str.lower()` + `split()` (the least any reader of the text must do) does not, much.
Not a test: it prints and never fails.

    PYTHONPATH=. python bench/steering.py [rounds]
"""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from process import learned_steering  # noqa: E402 - after the path set-up above
from process.steering import SURE, read_answer  # noqa: E402

TODAY = datetime.date(2026, 11, 24)
SOURCES = (
    ROOT.parent / "shared" / "coaching" / "answers-dev.tsv",
    ROOT / "tests" / "process" / "steering_examples.tsv",
)


def texts() -> tuple[str, list[str]]:
    """The answers of the dev sets (tidy, chat, enterprise), or our own examples without them."""
    shared = sorted((ROOT.parent / "shared" / "coaching").glob("answers-*.tsv"))
    for paths in (shared, [SOURCES[1]]):
        answers = [text for path in paths for text in _column(path)]
        if answers:
            return ", ".join(p.name for p in paths), answers
    raise SystemExit("no labelled answers found")


def _column(path: Path) -> list[str]:
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return [line.split("\t")[0] for line in lines[1:]]


def asks(answers: list[str]) -> tuple[float, float]:
    """Share of answers where the coach asks instead of guessing: a bare date ("dec 9"), and
    a step whose side it is unsure of (asked only where the question names no side)."""
    readings = [read_answer(t, TODAY) for t in answers]
    bare = sum(r.bare_date is not None for r in readings)
    unsure = sum(any(s.side_confidence < SURE for s in r.steps) for r in readings)
    return bare / len(readings), unsure / len(readings)


def per_answer(fn: Callable[[str], object], answers: list[str], rounds: int) -> float:
    """Best-of-5 seconds per answer, so a noisy neighbour does not inflate the figure."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            for text in answers:
                fn(text)
        best = min(best, (time.perf_counter() - start) / (rounds * len(answers)))
    return best


def with_and_without_model(answers: list[str], rounds: int) -> tuple[float, float]:
    """Best-of-5 seconds per answer with the learned second opinion and with the rules alone
    (process/learned_steering.py), the two passes interleaved so a neighbour's load hits both."""
    best = {True: float("inf"), False: float("inf")}
    for _ in range(5):
        for on in (True, False):
            learned_steering.use(on)
            start = time.perf_counter()
            for _ in range(rounds):
                for text in answers:
                    read_answer(text, TODAY)
            best[on] = min(best[on], (time.perf_counter() - start) / (rounds * len(answers)))
    learned_steering.use(True)
    return best[True], best[False]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    source, answers = texts()
    for text in answers:  # warm regex caches and imports
        read_answer(text, TODAY)
    base = per_answer(lambda t: t.lower().split(), answers, rounds)
    steer, rules = with_and_without_model(answers, rounds)
    long_text = " ".join(answers) * 10
    long = per_answer(lambda t: read_answer(t, TODAY), [long_text], 5)
    print(f"answers: {len(answers)} from {source}, {rounds} rounds, best of 5")
    print(f"baseline str.lower()+split : {base * 1e6:8.2f} us/answer")
    print(
        f"read_answer                : {steer * 1e6:8.2f} us/answer  ({steer / base:,.0f}x baseline)"
    )
    print(
        f"  of which the rules alone  : {rules * 1e6:8.2f} us/answer  ({rules / base:,.0f}x baseline;"
        f" the learned second opinion adds {(steer - rules) * 1e6:.1f} us)"
    )
    print(f"read_answer, {len(long_text):,}-char text: {long * 1e6:8.2f} us")
    bare, unsure = asks(answers)
    print(f"coach asks: what happens on a bare date {bare:.0%}; theirs or ours? {unsure:.0%} of answers")


if __name__ == "__main__":
    main()
