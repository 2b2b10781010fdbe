"""The sales process file: the default is valid and readable; a broken one says what and where."""

from __future__ import annotations

import pytest

from process.sales_process import (
    ProcessFileError,
    default_process,
    default_text,
    describe,
    parse_process,
)

SMALL = """\
name: Two stages
stages:
  - id: first
    name: First
    exit_criteria:
      - id: agreed
        name: Agreement
        text: They agree
        lead_days: 3
        source: a guess
    customer_steps:
      - text: Agree it
        lead_days: 3
        meets: agreed
        source: a guess
  - id: second
    name: Second
    decision: true
    exit_criteria:
      - id: signed
        name: Signature
        text: They sign
        lead_days: 2
        source: a guess
"""


def test_the_default_process_is_valid_and_every_default_has_its_source() -> None:
    p = default_process()
    assert [s.id for s in p.stages] == [
        "problem_agreed",
        "solution_validated",
        "business_case_approved",
        "security_legal_procurement",
        "signature_kickoff",
    ]
    for stage in p.stages:
        assert stage.customer_steps and stage.our_steps
        for item in (*stage.exit_criteria, *stage.customer_steps, *stage.our_steps):
            assert item.source.strip()
    assert p.max_plan_steps == 20
    assert p.stages[p.decision_index].id == "signature_kickoff"


def test_describe_lists_stages_criteria_and_lead_times() -> None:
    text = describe(default_process())
    assert "4. Security, legal and procurement" in text
    assert "Legal: Legal agrees the contract (MSA or subscription agreement) (~10 working days)" in text


def test_a_small_valid_file_parses() -> None:
    p = parse_process(SMALL)
    assert p.stage("second") is not None and p.index("second") == 1
    assert p.criterion("agreed") is not None


def _problems(text: str) -> list[str]:
    with pytest.raises(ProcessFileError) as e:
        parse_process(text)
    return e.value.problems


def test_a_wrong_type_is_reported_on_its_own_line() -> None:
    broken = SMALL.replace("lead_days: 2", "lead_days: two weeks")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "two weeks" in t)
    assert _problems(broken) == [
        f"line {line}: stages[1].exit_criteria[0].lead_days: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def test_a_negative_lead_time_and_a_misspelled_key_are_both_reported() -> None:
    broken = SMALL.replace("lead_days: 3\n        meets", "lead_days: -1\n        meets").replace(
        "    name: Second", "    nmae: Second"
    )
    problems = _problems(broken)
    lines = broken.splitlines()
    neg = next(i for i, t in enumerate(lines, 1) if "-1" in t)
    typo = next(i for i, t in enumerate(lines, 1) if "nmae" in t)
    assert f"line {neg}: stages[0].customer_steps[0].lead_days: Input should be greater than or equal to 0" in problems
    assert f"line {typo}: stages[1].nmae: Extra inputs are not permitted" in problems
    assert any(p.startswith("line 16: stages[1].name: Field required") for p in problems)


def test_a_step_meeting_an_unknown_criterion_names_the_ones_there_are() -> None:
    (problem,) = _problems(SMALL.replace("meets: agreed", "meets: agred"))
    assert problem.startswith("line 3: stages[0]: Value error, step 'Agree it' meets 'agred'")
    assert "(those are: agreed)" in problem


def test_broken_yaml_gives_line_and_column() -> None:
    (problem,) = _problems(SMALL.replace("    name: First", "    name: [First"))
    assert problem.startswith("line ") and "not valid YAML" in problem


def test_not_a_mapping_and_unknown_holidays_are_refused() -> None:
    assert _problems("- just\n- a list\n") == [
        "line 1: the file must be a mapping with `name` and `stages`"
    ]
    (problem,) = _problems("holidays: XX\n" + SMALL)
    assert "'XX' is not a known country code" in problem


def test_default_text_is_the_shipped_file() -> None:
    assert default_text().lstrip().startswith("# The sales process")


def test_a_stage_id_used_twice_is_named_with_its_line() -> None:
    broken = SMALL.replace("  - id: second", "  - id: first")
    lines = broken.splitlines()
    again = [i for i, t in enumerate(lines, 1) if t == "  - id: first"]
    assert _problems(broken) == [
        f"line {again[1]}: stages[1].id: stage id 'first' is used by two stages "
        f"(first on line {again[0]}); stage ids must be unique"
    ]


def test_a_process_with_no_decision_stage_fails_clearly() -> None:
    (problem,) = _problems(SMALL.replace("    decision: true\n", ""))
    assert problem.startswith("line 2: stages: no stage is marked `decision: true`.")
    # a file stored before it was required still reads (its last stage is the decision)
    old = parse_process(SMALL.replace("    decision: true\n", ""), require_decision=False)
    assert old.stages[old.decision_index].id == "second"
