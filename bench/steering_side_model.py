"""Train the learned side head (customer / us) and measure it against the rules, honestly (issue 11).

    .venv/bin/python bench/steering_side_model.py             # error kinds, thresholds, figures
    .venv/bin/python bench/steering_side_model.py --write     # ... and write process/learned_steering_side.json
    .venv/bin/python bench/steering_side_model.py --errors    # only the kinds of side misses
    .venv/bin/python bench/steering_side_model.py --era       # regenerate bench/steering_side_era.tsv

Counts on a held-out file (never a row): `bench/steering_model.py --score FILE...` prints side
without the side head, with it filling only, and with it as shipped.

What is measured: side of the first step, on next-step answers whose label names a side, as
`../shared/tools/score-steering` counts it (a reading with no side, or not read as a step at
all, is a miss). "The rules" here means `read_answer` as shipped before the side head: the
rules plus the orientation second opinion (whose steps have no side: the coach asks).

The policy at the seam (process/steering.py, `_second_opinion`): the head *fills* a side the
reading left None when it is >= `fill` sure, and *overrides* the reading's side when it
disagrees with it >= `override` sure. Both thresholds are chosen on the late batches
(tests/process/blind/late/: 5, 10, 22-26), the only read files the rules were never tuned on
(their side there is 146/170, as it was blind), with the head's probabilities from
leave-one-writer-out (it never saw an answer by that batch's writer). Then the thresholds are
frozen and the whole pipeline is measured leave-one-file-out on every file.

Data: every file bench/steering_model.py trains on plus late/. Training settings are that
bench's (AdaGrad, 12 epochs, rate 0.3, L2 1e-4, min count 2, seed 7), not tuned here.
Not a test: prints, never fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import steering_model as sm  # noqa: E402 - the orientation bench: loading, training, writers

from process import learned_steering  # noqa: E402
from process.learned_steering import SIDE_FILE, Model, side_features  # noqa: E402
from process.steering import SURE, read_answer  # noqa: E402

LATE = sorted((sm.BLIND / "late").glob("*.tsv"))  # not recursive into unread/
DATA = [*sm.DATA, *LATE]
LATE_NAMES = frozenset(p.name for p in LATE)
SIDES = ("customer", "us")
TAUS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)  # 1.01 = never


def writer(source: str) -> str:
    """Who wrote a file (the file headers say): leave-one-writer-out keeps a writer's habits out."""
    if not source.startswith("batch-"):
        return sm.writer(source)
    n = int(source.removeprefix("batch-").removesuffix(".tsv"))
    for last, name in ((5, "A"), (10, "B"), (15, "C"), (18, "D"), (21, "E"), (24, "F"), (26, "G")):
        if n <= last:
            return f"writer {name}"
    return "writer ?"


@dataclass(frozen=True)
class Case:
    """One labelled next-step answer that names a side, and how the pipeline reads it."""

    source: str
    index: int
    text: str
    side: str  # the label: "customer" | "us"
    orientation: str  # the reading's (rules + orientation second opinion)
    read_side: str | None  # the reading's first-step side, before the side head
    step: str  # the first step's action, or the whole answer if no step was read
    from_model: bool  # the step is the orientation model's (the rules alone found none)
    sure: float  # the first step's side confidence (a side-less step >= SURE is a joint one)


def read_cases(paths: Sequence[Path], labels: Sequence[str] = SIDES) -> list[Case]:
    """Every next-step answer of `paths` whose side label is in `labels` ("-": no side, both
    sides' or unsaid), read as shipped without the side head."""
    out: list[Case] = []
    for path in paths:
        today = sm.file_today(path)
        for r in sm.load(path, any_today=True):
            if r.orientation != "next_step" or r.side not in labels:
                continue
            with_model = _without_side_head(lambda t=r.text, d=today: read_answer(t, d))
            learned_steering.use(False)
            alone = read_answer(r.text, today)
            learned_steering.use(True)
            first = with_model.steps[0].action if with_model.steps else r.text
            out.append(Case(path.name, r.index, r.text, r.side, with_model.orientation,
                            with_model.side if with_model.orientation == "next_step" else None,
                            first, alone.orientation != "next_step",
                            with_model.steps[0].side_confidence if with_model.steps else 0.0))
    return out


def _without_side_head(fn: Callable[[], object]):
    """Run `fn` with the side head unloaded (the orientation head stays on)."""
    return sm.with_side_head(None, fn)


#: Read files and the commit each was scored blind at (rules not yet tuned on it): batches 1-4
#: and 6-9 as in bench/steering_model.py, 11-15 at the start of round 3 and 16-21 at the end
#: of it (tests/process/blind/unread/README.md). The late batches are read at HEAD: the rules
#: have never been tuned on them.
ERA_AT = {
    **sm.BLIND_AT,
    **{f"batch-{n}.tsv": "594de6c" for n in range(11, 16)},
    **{f"batch-{n}.tsv": "a5e128e" for n in range(16, 22)},
}
ERA = sm.ROOT / "bench" / "steering_side_era.tsv"


def side_era(paths: Sequence[Path]) -> None:
    """Read each batch of ERA_AT with the `process/` of its blind commit (from `git archive`);
    cache orientation, side and the first step's action as TSV (ERA)."""
    by_name = {p.name: p for p in paths}
    out = ["source\tindex\tcommit\torientation\tside\tsure\tstep"]
    for commit in sorted(set(ERA_AT.values())):
        todo = [[r.source, r.index, r.text, sm.file_today(by_name[name]).isoformat()]
                for name, c in ERA_AT.items() if c == commit
                for r in sm.load(by_name[name], any_today=True)]
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(sm.ROOT), "archive", commit, "process"],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            script = (
                "import json, sys, datetime; from process.steering import read_answer\n"
                "for s, i, t, d in json.load(sys.stdin):\n"
                "    a = read_answer(t, datetime.date.fromisoformat(d))\n"
                "    steps = getattr(a, 'steps', ())\n"
                "    act = (steps[0].action if steps else a.action) if a.orientation == 'next_step' else t\n"
                "    act = ' '.join(act.split())\n"
                "    sure = getattr(steps[0], 'side_confidence', 1.0) if steps else 0.0\n"
                "    print(f\"{s}\\t{i}\\t" + commit + "\\t{a.orientation}\\t{a.side or '-'}\\t{sure}\\t{act}\")\n"
            )
            done = subprocess.run([sys.executable, "-c", script], input=json.dumps(todo), text=True,
                                  check=True, capture_output=True, cwd=tmp,
                                  env={**os.environ, "PYTHONPATH": tmp}).stdout
            out.extend(done.splitlines())
    ERA.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {ERA.relative_to(sm.ROOT)} ({len(out) - 1} rows)")


def era_cases(cases: list[Case]) -> list[Case]:
    """The cases of ERA_AT's batches as their blind commit read them (from the ERA cache)."""
    lines = ERA.read_text(encoding="utf-8").splitlines()[1:]
    era = {(s, int(i)): (o, side, float(sure), step)
           for s, i, _c, o, side, sure, step in (x.split("\t", 6) for x in lines)}
    out = []
    for c in cases:
        if (c.source, c.index) in era:
            o, side, sure, step = era[(c.source, c.index)]
            out.append(replace(c, orientation=o, read_side=side if o == "next_step" and side in SIDES else None,
                               step=step, from_model=False, sure=sure))
    return out


#: The population each batch mainly imitates, from its header ("Population:" / "Imitates:");
#: the dev sets and own batches mix them.
STYLE = {
    **dict.fromkeys((1, 4, 6, 11, 16, 22), "Slack shorthand"),
    **dict.fromkeys((2, 7, 12, 19, 23), "enterprise prose"),
    **dict.fromkeys((3, 8, 13, 18, 24), "second-language"),
    **dict.fromkeys((9, 14, 20, 25), "British/Indian"),
    **dict.fromkeys((10, 15, 17, 26), "phone typing"),
}


def style(source: str) -> str:
    if source.startswith("batch-"):
        return STYLE.get(int(source.removeprefix("batch-").removesuffix(".tsv")), "mixed")
    return "chat dev set" if source == "answers-chat-dev.tsv" else "mixed"


def kind(c: Case) -> str:
    if c.orientation != "next_step":
        return "a: not read as a step"
    if c.read_side is None:
        return "b: step, no side (orientation model's step)" if c.from_model else "b: step, no side (rules' step)"
    return "ok" if c.read_side == c.side else "c: step, wrong side"


def errors(cases: list[Case], show: bool) -> None:
    """Counts of each kind of side miss, per population (read files vs late files, by writer)."""
    groups: dict[str, Counter[str]] = {}
    for c in cases:
        for g in (("late " if c.source in LATE_NAMES else "read ") + writer(c.source),
                  ("late " if c.source in LATE_NAMES else "read ") + style(c.source),
                  "late, all" if c.source in LATE_NAMES else "read, all"):
            groups.setdefault(g, Counter())[kind(c)] += 1
    kinds = sorted({k for g in groups.values() for k in g if k != "ok"})
    print("\nkinds of side misses (the reading as shipped before the side head)")
    print(f"  {'writer or population':26} {'sided':>5} {'ok':>4} " + " ".join(f"{k[:28]:>28}" for k in kinds))
    for g in sorted(groups, key=lambda g: (g.endswith("all"), "writer" not in g and "'s" not in g, g)):
        n = sum(groups[g].values())
        print(f"  {g:26} {n:5} {groups[g]['ok']:4} " + " ".join(f"{groups[g][k]:28}" for k in kinds))
    if show:
        for k in kinds:
            print(f"\n  {k}:")
            for c in cases:
                if kind(c) == k:
                    print(f"    {c.source}: {c.side} -> {c.read_side} [{c.step}] {c.text}")


def combine(c: Case, probs: dict[str, float], fill: float, override: float) -> str | None:
    """As `learned_steering.side_opinion` at the seam: fill a missing side, override a present
    one; an answer not read as a step has no step to give a side to, and a joint step keeps
    its missing side."""
    read = c.read_side
    if c.orientation != "next_step" or (read is None and c.sure >= SURE):
        return read  # no step, or a step the rules are sure is both sides'

    best = max(probs, key=probs.__getitem__)
    if read is None:
        return best if probs[best] >= fill else None
    return best if best != read and probs[best] >= override else read


FEATS: dict[tuple[str, str], list[str]] = {}


def feats(c: Case) -> list[str]:
    key = (c.text, c.step)
    if key not in FEATS:
        FEATS[key] = sorted(side_features(c.text, c.step))  # sorted: the same run twice
    return FEATS[key]


def train(cases: Sequence[Case]) -> Model:
    """Logistic regression for "us" against "customer", by AdaGrad with bench/steering_model.py's
    settings (epochs, rate, L2 on the weights a step touches, minimum count, seed). Two labels
    make the softmax a logistic: the file keeps one column per label, customer's at 0.
    Features are numbered once per call so the inner loop indexes lists (the shared box is slow)."""
    xs = [feats(c) for c in cases]
    counts = Counter(f for x in xs for f in x)
    names = sorted(f for f, n in counts.items() if n >= sm.MIN_COUNT or f == "bias")
    number = {f: k for k, f in enumerate(names)}
    rows = [[number[f] for f in x if f in number] for x in xs]
    ys = [1.0 if c.side == "us" else 0.0 for c in cases]
    w = [0.0] * len(names)
    g2 = [1e-8] * len(names)
    order = list(range(len(rows)))
    rng = random.Random(sm.SEED)
    for _ in range(sm.EPOCHS):
        rng.shuffle(order)
        for i in order:
            x = rows[i]
            scale = 1.0 / math.sqrt(len(x))
            z = sum(w[k] for k in x) * scale
            p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
            err = p - ys[i]
            for k in x:
                grad = err * scale + sm.L2 * w[k]
                g2[k] += grad * grad
                w[k] -= sm.RATE * grad / math.sqrt(g2[k])
    weights = {f: (0.0, round(v, 4)) for f, v in zip(names, w, strict=True) if abs(v) >= 1e-4}
    meta = {"trained_on": len(cases), "epochs": sm.EPOCHS, "rate": sm.RATE, "l2": sm.L2,
            "min_count": sm.MIN_COUNT, "seed": sm.SEED, "features": len(weights)}
    return Model(SIDES, weights, meta)


def cross_validate(cases: list[Case], group_of: Callable[[str], str], held: Sequence[str],
                   targets: list[Case] | None = None):
    """{(source, index): probabilities} for each held-out group's cases (or `targets`, read
    another way), from a head trained on every case outside that group."""
    out: dict[tuple[str, int], dict[str, float]] = {}
    for h in held:
        model = train([c for c in cases if group_of(c.source) != h])
        for c in cases if targets is None else targets:
            if group_of(c.source) == h:
                out[(c.source, c.index)] = learned_steering._softmax(model.labels, model.scores(feats(c)))  # noqa: SLF001
    return out


def choose(cases: list[Case], probs) -> tuple[float, float]:
    """The (fill, override) with the most sides right on `cases`; a tie goes to the higher
    thresholds (change fewer readings)."""
    grid = []
    for fill in TAUS:
        for override in TAUS:
            ok = sum(combine(c, probs[(c.source, c.index)], fill, override) == c.side for c in cases)
            grid.append((ok, fill, override))
    base = sum(c.read_side == c.side for c in cases)
    print(f"\n1. thresholds on {len(cases)} sided answers read by rules never tuned on them (late batches"
          " at HEAD, batches 1-4, 6-9, 11-21 at their blind commits); head leave-one-writer-out")
    print(f"   reading without the head: {sm.pct(base, len(cases))}")
    print("   right, by fill (rows) x override (columns; 1.01 = never):")
    print("   fill\\over " + " ".join(f"{t:5.2f}" for t in TAUS))
    for fill in TAUS:
        print(f"   {fill:9.2f} " + " ".join(f"{ok:5d}" for ok, f, o in grid if f == fill))
    ok, fill, override = max(grid)
    print(f"   chosen: fill {fill}, override {override} ({sm.pct(ok, len(cases))})")
    fill_only = max(g for g in grid if g[2] > 1)
    print(f"   best fill-only: fill {fill_only[1]} ({sm.pct(fill_only[0], len(cases))})")
    return fill, override


def table(title: str, cases: list[Case], probs, fill: float, override: float, show: bool = False) -> None:
    """Per held-out file: (a) reading without the head, (b) the head's side for every step read
    (as if both thresholds were 0), (c) with the head at the thresholds."""
    print(f"\n{title}")
    print(f"  {'file':24} {'n':>4} {'(a) without':>15} {'(b) head':>15} {'(c) with':>15}  fixed/broken/asked")
    pools: dict[str, list[int]] = {}
    changes: list[str] = []
    for source in dict.fromkeys(c.source for c in cases):
        mine = [c for c in cases if c.source == source]
        t = [len(mine), 0, 0, 0, 0, 0, 0]
        for c in mine:
            p = probs[(c.source, c.index)]
            head = max(p, key=p.__getitem__) if c.orientation == "next_step" else None  # needs a step
            both = combine(c, p, fill, override)
            t[1] += c.read_side == c.side
            t[2] += head == c.side
            t[3] += both == c.side
            t[4] += c.read_side != c.side and both == c.side
            t[5] += c.read_side == c.side and both != c.side
            t[6] += both is None and c.orientation == "next_step"
            if both != c.read_side:
                mark = "fixed" if both == c.side else "BROKEN" if c.read_side == c.side else "still wrong"
                changes.append(f"  {mark:11} {source}: {c.read_side} -> {both} ({p[both]:.2f}): {c.text}")
        print(f"  {source:24} {t[0]:4} {sm.pct(t[1], t[0]):>15} {sm.pct(t[2], t[0]):>15} "
              f"{sm.pct(t[3], t[0]):>15}  +{t[4]}/-{t[5]}/{t[6]}")
        for pool in ("all files", "late files" if source in LATE_NAMES else "read files"):
            pools.setdefault(pool, [0] * 7)
            pools[pool] = [a + b for a, b in zip(pools[pool], t, strict=True)]
    for pool, t in pools.items():
        print(f"  {'pooled, ' + pool:24} {t[0]:4} {sm.pct(t[1], t[0]):>15} {sm.pct(t[2], t[0]):>15} "
              f"{sm.pct(t[3], t[0]):>15}  +{t[4]}/-{t[5]}/{t[6]}")
    if show:
        print("  where (c) differs from (a):")
        print("\n".join(changes) or "  (nowhere)")


def summary(cases: list[Case], by_file, late: list[Case], by_writer, fill: float, override: float) -> None:
    """Pooled side right (fixed / broken) for the two variants: fill only, and fill + override."""
    print("\n   the two variants, pooled (right, +fixed/-broken):")
    read = [c for c in cases if c.source not in LATE_NAMES]
    for name, over in (("fill only", 1.01), ("fill + override", override)):
        parts = []
        for title, subset, probs in (("read files LOFO", read, by_file), ("late LOFO", late, by_file),
                                     ("late LOWO", late, by_writer)):
            got = [combine(c, probs[(c.source, c.index)], fill, over) for c in subset]
            ok = sum(g == c.side for g, c in zip(got, subset, strict=True))
            fixed = sum(g == c.side != c.read_side for g, c in zip(got, subset, strict=True))
            broken = sum(c.read_side == c.side != g for g, c in zip(got, subset, strict=True))
            parts.append(f"{title} {sm.pct(ok, len(subset))} +{fixed}/-{broken}")
        print(f"   {name:16} (fill {fill}, override {over}): " + "; ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="train on every file, write the head")
    parser.add_argument("--era", action="store_true", help="regenerate bench/steering_side_era.tsv")
    parser.add_argument("--errors", action="store_true", help="only the kinds of side misses, with rows")
    args = parser.parse_args()
    if args.era:
        side_era(DATA)
        return
    t0 = time.perf_counter()
    cases = read_cases(DATA)
    writers = Counter(writer(c.source) for c in cases)
    print(f"{len(cases)} sided next-step answers in {len(DATA)} files; by writer: "
          + ", ".join(f"{w} {n}" for w, n in sorted(writers.items())))
    errors(cases, show=args.errors)
    if args.errors:
        return
    late = [c for c in cases if c.source in LATE_NAMES]
    by_writer = cross_validate(cases, writer, sorted({writer(c.source) for c in late}))
    era = era_cases(cases)
    era_probs = cross_validate(cases, writer, sorted({writer(c.source) for c in era}), era)
    table("0. the era readings (rules before they were tuned on the batch), head leave-one-writer-out,"
          " every threshold 0.5 (for reference)", era, era_probs, 0.5, 0.5)
    fill, override = choose(era + late, {**era_probs, **by_writer})
    joint = read_cases(DATA, ("-",))
    sources = list(dict.fromkeys(c.source for c in cases + joint))
    by_file = cross_validate(cases, lambda s: s, sources, cases + joint)
    table(f"2. side, leave-one-file-out (the head never saw the file), fill {fill}, override {override}",
          cases, by_file, fill, override, show=True)
    summary(cases, by_file, late, by_writer, fill, override)
    kept = [sum(side(c) is None for c in joint) for side in (
        lambda c: c.read_side, lambda c: combine(c, by_file[(c.source, c.index)], fill, override))]
    print(f"\n   next-step answers labelled with no side (both sides', or unsaid): {len(joint)}; left"
          f" without a side: without the head {kept[0]}, with it {kept[1]} (leave-one-file-out)")
    table(f"3. side on the late batches, leave-one-writer-out, fill {fill}, override {override}",
          late, by_writer, fill, override)
    print(f"\n{time.perf_counter() - t0:.0f} s")
    if args.write:
        model = train(cases)
        meta = dict(model.meta, fill=fill, override=override, files=sorted(p.name for p in DATA))
        (sm.ROOT / "process" / SIDE_FILE).write_text(
            Model(model.labels, model.weights, meta).to_json() + "\n", encoding="utf-8")
        print(f"wrote process/{SIDE_FILE}: {len(model.weights)} features, fill {fill}, override {override}")


if __name__ == "__main__":
    main()
