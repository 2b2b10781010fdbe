"""The sales process as data: stages, exit criteria, typical steps and their lead times.

A sales leader edits a small YAML file (`process/default_process.yaml` is the default that
ships); `parse_process(text)` validates it with pydantic and returns a `SalesProcess`, or
raises `ProcessFileError` whose `problems` say what is wrong and on which line. Pure: the
text is handed in (the one exception, `default_process()`, reads the file shipped inside this
package, as an import would).
"""

from __future__ import annotations

import calendar
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import holidays as holiday_calendars
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from process.plan import Side

#: Longest lead time accepted for one step or criterion, in working days (about a year).
MAX_LEAD_DAYS = 250
_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    # A misspelled key ("lead_day") is an error, not a silently ignored line.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcessStep(_Strict):
    """A step that usually moves a deal through a stage, offered when the rep is stuck."""

    text: str = Field(min_length=3, max_length=300)
    lead_days: int = Field(ge=0, le=MAX_LEAD_DAYS, description="typical working days it takes")
    source: str = Field(min_length=3)
    meets: str | None = Field(default=None, description="the exit criterion it achieves")
    prepares: str | None = Field(
        default=None,
        description="the exit criterion it gets ready for without meeting it (done before that "
        "criterion's own lead time): agreeing a pilot's success criteria prepares the pilot",
    )


class ExitCriterion(_Strict):
    """What must be true before a deal leaves its stage, and how long it typically takes."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2, max_length=60, description="short, for sentences: 'Legal'")
    text: str = Field(min_length=3, max_length=300)
    lead_days: int = Field(ge=0, le=MAX_LEAD_DAYS)
    source: str = Field(min_length=3)
    match: list[str] = Field(default_factory=list, description="words naming a plan step on it")
    prepare_match: list[str] = Field(
        default_factory=list,
        description="words of a step that only gets ready for it ('success criteria', 'set "
        "up'): done, such a step does not meet the criterion",
    )

    def matches(self, description: str) -> bool:
        """Whether a plan step's description names this criterion (a `match` word in it)."""
        pattern = _words_pattern(tuple(self.match))
        return bool(pattern and pattern.search(description))

    def met_by(self, description: str) -> bool:
        """Whether a *done* plan step meets this criterion: it names it, and is not just
        getting ready for it (a `prepare_match` word: "Agree the success criteria for the
        pilot" done does not mean the pilot validated the solution)."""
        if not self.matches(description):
            return False
        prepares = _words_pattern(tuple(self.prepare_match))
        return not (prepares and prepares.search(description))


@cache
def _words_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled pattern for a criterion's words (the digest checks thousands of steps)."""
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


class ProcessStage(_Strict):
    id: str = Field(pattern=_ID)
    name: str = Field(min_length=2, max_length=100)
    decision: bool = Field(default=False, description="this stage ends with the decision")
    exit_criteria: list[ExitCriterion] = Field(min_length=1)
    customer_steps: list[ProcessStep] = []
    our_steps: list[ProcessStep] = []

    @model_validator(mode="after")
    def _meets_known_criteria(self) -> ProcessStage:
        ids = {c.id for c in self.exit_criteria}
        if len(ids) != len(self.exit_criteria):
            raise ValueError(f"stage {self.id!r} names an exit criterion twice")
        for step in (*self.customer_steps, *self.our_steps):
            for how, crit in (("meets", step.meets), ("prepares", step.prepares)):
                if crit is not None and crit not in ids:
                    raise ValueError(
                        f"step {step.text!r} {how} {crit!r}, which is not an exit criterion "
                        f"of stage {self.id!r} (those are: {', '.join(sorted(ids))})"
                    )
        return self

    def steps(self, side: Side) -> list[ProcessStep]:
        return self.customer_steps if side == "customer" else self.our_steps


#: What a customer reads for a de-risking step whose process gives no `shared_step`.
NEUTRAL_SHARED_STEP = "Follow up with what you need for your decision"


class IndecisionKind(_Strict):
    """One kind of fear of a wrong choice, and the de-risking step that answers it."""

    id: str = Field(pattern=_ID)
    label: str = Field(min_length=2, max_length=60)
    step: str = Field(min_length=3, max_length=300)
    lead_days: int = Field(ge=0, le=MAX_LEAD_DAYS)
    #: The same step as the customer reads it on a shared plan or an export: `step` is
    #: coaching for the rep ("...and stop adding more") and never leaves our side.
    shared_step: str = Field(default=NEUTRAL_SHARED_STEP, min_length=3, max_length=300)


class SalesProcess(_Strict):
    """A whole process: its stages in the buyer's order, and the plan-size warning."""

    name: str = Field(min_length=2, max_length=100)
    holidays: str | None = Field(default=None, description="country code for public holidays")
    #: The month (1-12) the workspace's fiscal year starts: "Q1", "EOFY" and "FY27" in answers
    #: are read against it (process/dates.py). January unless the process file says otherwise.
    fiscal_year_start: int = Field(default=1, ge=1, le=12)
    #: How reps here write numeric dates: "DMY" (3/12 is 3 December), "MDY" (March 12), or
    #: "auto" (from each rep's time zone: North America MDY, elsewhere DMY).
    date_order: Literal["auto", "DMY", "MDY"] = "auto"
    max_plan_steps: int = Field(default=20, ge=3, le=100)
    max_plan_steps_source: str = ""
    stages: list[ProcessStage] = Field(min_length=1)
    indecision: list[IndecisionKind] = []
    indecision_source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> SalesProcess:
        ids = [s.id for s in self.stages]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"stage id {twice[0]!r} {_TWICE}")
        crit = [c.id for s in self.stages for c in s.exit_criteria]
        if len(set(crit)) != len(crit):
            raise ValueError("two exit criteria have the same id (ids are process-wide)")
        if self.indecision and not self.indecision_source.strip():
            raise ValueError("`indecision` needs an `indecision_source`: where the kinds come from")
        if sum(s.decision for s in self.stages) > 1:
            raise ValueError("only one stage can be marked `decision: true`")
        known = holiday_calendars.list_supported_countries()
        if self.holidays is not None and self.holidays.upper() not in known:
            raise ValueError(f"holidays: {self.holidays!r} is not a known country code")
        return self

    def stage(self, stage_id: str | None) -> ProcessStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def index(self, stage_id: str | None) -> int:
        """The stage's position; an unknown or unset stage counts as the first."""
        return next((i for i, s in enumerate(self.stages) if s.id == stage_id), 0)

    @property
    def decision_index(self) -> int:
        """The stage that ends with the decision (the last one unless marked)."""
        return next((i for i, s in enumerate(self.stages) if s.decision), len(self.stages) - 1)

    def criterion(self, criterion_id: str) -> ExitCriterion | None:
        return next(
            (c for s in self.stages for c in s.exit_criteria if c.id == criterion_id), None
        )


#: The end of the duplicate-stage message; `parse_process` says it with the line instead.
_TWICE = "is used by two stages"


class ProcessFileError(ValueError):
    """A process file that cannot be used; `problems` are 'line N: where: what' lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_process(text: str, require_decision: bool = True) -> SalesProcess:
    """Validate a process file's YAML text.

    Raises `ProcessFileError` listing every problem with its line number (1-based), e.g.
    "line 14: stages[0].exit_criteria[0].lead_days: Input should be greater than or equal to 0",
    "line 40: stages[2].id: stage id 'legal' is used by two stages (first on line 12)", or
    "line 5: stages: no stage is marked `decision: true` …". `require_decision=False` reads
    a file stored before the decision stage was required (its last stage is the decision).
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ProcessFileError([f"{where}not valid YAML: {e.problem or e}"]) from None
    except yaml.YAMLError as e:
        raise ProcessFileError([f"not valid YAML: {e}"]) from None
    if not isinstance(data, dict):
        raise ProcessFileError(["line 1: the file must be a mapping with `name` and `stages`"])
    problems = _stage_problems(root, data, require_decision)
    try:
        process = SalesProcess.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            if _TWICE in str(err["msg"]):
                continue  # said by `_stage_problems`, with its line
            loc = tuple(err["loc"])
            path = _path(loc) or "(top level)"
            problems.append(f"line {_line(root, loc)}: {path}: {err['msg']}")
        raise ProcessFileError(problems) from None
    if problems:
        raise ProcessFileError(problems)
    return process


def _stage_problems(root: yaml.Node, data: dict[str, Any], require_decision: bool) -> list[str]:
    """What the model cannot say with a line: a stage id used twice (the line of each reuse)
    and no stage marked `decision: true` (the line of `stages:`)."""
    stages = data.get("stages")
    if not isinstance(stages, list) or not stages:
        return []  # the model says what is wrong with `stages` itself
    problems = []
    first: dict[str, int] = {}
    for i, stage in enumerate(stages):
        sid = stage.get("id") if isinstance(stage, dict) else None
        if not isinstance(sid, str):
            continue
        line = _line(root, ("stages", i, "id"))
        if sid in first:
            problems.append(
                f"line {line}: stages[{i}].id: stage id {sid!r} {_TWICE} (first on line "
                f"{first[sid]}); stage ids must be unique"
            )
        else:
            first[sid] = line
    if require_decision and not any(
        isinstance(st, dict) and st.get("decision") is True for st in stages
    ):
        problems.append(
            f"line {_key_line(root, 'stages')}: stages: no stage is marked `decision: true`. "
            "Mark the stage that ends with the customer's decision (usually signature): the "
            "work-back check counts the exit criteria up to it against the decision date."
        )
    return problems


def _key_line(root: yaml.Node, key: str) -> int:
    """The 1-based line of a top-level key (where `stages:` is written)."""
    if isinstance(root, yaml.MappingNode):
        for k, _ in root.value:
            if k.value == key:
                return k.start_mark.line + 1
    return 1


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the deepest YAML node `loc` reaches (where the error is)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def default_text() -> str:
    """The YAML text of the process that ships with dealcoach."""
    return resources.files("process").joinpath("default_process.yaml").read_text("utf-8")


@cache
def default_process() -> SalesProcess:
    return parse_process(default_text())


@cache
def _parsed(text: str) -> SalesProcess:
    # A stored or configured file was checked when it was loaded; one from before the
    # decision stage was required still works (its last stage is the decision).
    return parse_process(text, require_decision=False)


def process_from(text: str | None) -> SalesProcess:
    """The process in `text` (a stored or configured file), else the default; parsed once."""
    return _parsed(text) if text else default_process()


#: How `describe` says each `date_order`.
_DATE_ORDERS = {
    "auto": "from each rep's time zone, MM/DD in North America and DD/MM elsewhere",
    "DMY": "day first, 3/12 is 3 December",
    "MDY": "month first, 3/12 is March 12",
}


def describe(process: SalesProcess) -> str:
    """The process as plain text, stage by stage (what `dealcoach process show` prints)."""
    lines = [f"{process.name}  ({len(process.stages)} stages; warn past "
             f"{process.max_plan_steps} plan steps; holidays: {process.holidays or 'none'})"]
    month = calendar.month_name[process.fiscal_year_start]
    lines.append(f"Fiscal year starts in {month} (fiscal_year_start: {process.fiscal_year_start})")
    lines.append(f"Numeric dates: {_DATE_ORDERS[process.date_order]} (date_order: {process.date_order})")
    for n, st in enumerate(process.stages, 1):
        flag = "  [the decision]" if st.decision else ""
        lines.append(f"\n{n}. {st.name} ({st.id}){flag}")
        lines.append("   Exit criteria:")
        lines += [
            f"   - {c.name}: {c.text} (~{c.lead_days} working days)" for c in st.exit_criteria
        ]
        for label, side in (("Customer steps", "customer"), ("Our steps", "us")):
            steps = st.steps(side)  # type: ignore[arg-type]
            if steps:
                lines.append(f"   {label}:")
                lines += [f"   - {s.text} (~{s.lead_days} working days)" for s in steps]
    return "\n".join(lines)
