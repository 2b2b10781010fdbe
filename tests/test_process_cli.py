"""`dealcoach process check/show/load` and SALES_PROCESS, as an admin meets them."""

from __future__ import annotations

from pathlib import Path

from process.sales_process import default_text
from tests.test_app import dealcoach


def test_check_accepts_the_default_and_names_line_and_field_of_each_problem(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(default_text(), encoding="utf-8")
    ok = dealcoach("process", "check", str(good))
    assert ok.returncode == 0 and "OK: “Default B2B buyer's journey”, 5 stages" in ok.stdout
    lines = default_text().splitlines()
    n = next(i for i, t in enumerate(lines) if "lead_days: 15" in t)
    lines[n] = lines[n].replace("15", "three weeks")
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = dealcoach("process", "check", str(bad))
    assert run.returncode == 2
    assert f"{bad}:{n + 1}: stages[3].exit_criteria[0].lead_days: Input should be a valid integer" in run.stderr
    missing = dealcoach("process", "check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "cannot read it" in missing.stderr


def test_check_names_a_duplicate_stage_and_a_missing_decision_stage(tmp_path: Path) -> None:
    text = default_text()
    lines = text.splitlines()
    second = next(i for i, t in enumerate(lines, 1) if t == "  - id: solution_validated")
    dup = tmp_path / "dup.yaml"
    dup.write_text(text.replace("  - id: solution_validated", "  - id: problem_agreed"), "utf-8")
    run = dealcoach("process", "check", str(dup))
    assert run.returncode == 2
    assert f"{dup}:{second}: stages[1].id: stage id 'problem_agreed' is used by two stages" in run.stderr
    none = tmp_path / "none.yaml"
    none.write_text(text.replace("    decision: true\n", ""), "utf-8")
    run = dealcoach("process", "check", str(none))
    stages = next(i for i, t in enumerate(lines, 1) if t == "stages:")
    assert run.returncode == 2
    assert f"{none}:{stages}: stages: no stage is marked `decision: true`." in run.stderr


def test_load_is_per_workspace_and_show_says_which_is_in_force(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    mine = tmp_path / "mine.yaml"
    mine.write_text(default_text().replace("Default B2B buyer's journey", "Our own journey"), "utf-8")
    loaded = dealcoach("--db", db, "process", "load", str(mine), "--workspace", "slack:T1")
    assert loaded.returncode == 0 and "Loaded “Our own journey” for slack:T1" in loaded.stdout
    there = dealcoach("--db", db, "process", "show", "--workspace", "slack:T1")
    assert "loaded for slack:T1" in there.stdout and "Our own journey" in there.stdout
    elsewhere = dealcoach("--db", db, "process", "show", "--workspace", "slack:T2")
    assert "the default that ships" in elsewhere.stdout
    assert "Default B2B buyer's journey" in elsewhere.stdout
    raw = dealcoach("--db", db, "process", "show", "--yaml")
    assert raw.stdout == default_text()


def test_a_broken_file_is_not_loaded(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstages: []\n", "utf-8")
    run = dealcoach("--db", db, "process", "load", str(bad))
    assert run.returncode == 2 and "Nothing was loaded." in run.stderr
    assert f"{bad}:2: stages: List should have at least 1 item" in run.stderr
    assert "the default that ships" in dealcoach("--db", db, "process", "show").stdout


def test_sales_process_setting_points_to_a_file(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    f = tmp_path / "team.yaml"
    f.write_text(default_text().replace("Default B2B buyer's journey", "Team journey"), "utf-8")
    run = dealcoach("--db", db, "process", "show", env={"SALES_PROCESS": str(f)})
    assert f"from SALES_PROCESS ({f})" in run.stdout and "Team journey" in run.stdout
    f.write_text("name: [", "utf-8")
    broken = dealcoach("--db", db, "deals", env={"SALES_PROCESS": str(f)})
    assert broken.returncode != 0 and "SALES_PROCESS is not a usable process file" in broken.stderr


def test_show_prints_the_fiscal_year_start_and_the_date_order(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    shipped = dealcoach("--db", db, "process", "show").stdout
    assert "Fiscal year starts in January (fiscal_year_start: 1)" in shipped, shipped
    assert "(date_order: auto)" in shipped, shipped
    mine = tmp_path / "mine.yaml"
    text = default_text()
    assert "fiscal_year_start: 1\n" in text and "date_order: auto\n" in text
    mine.write_text(
        text.replace("fiscal_year_start: 1\n", "fiscal_year_start: 7\n").replace(
            "date_order: auto\n", "date_order: DMY\n"
        ),
        "utf-8",
    )
    assert dealcoach("--db", db, "process", "load", str(mine), "--workspace", "slack:T1").returncode == 0
    there = dealcoach("--db", db, "process", "show", "--workspace", "slack:T1").stdout
    assert "Fiscal year starts in July (fiscal_year_start: 7)" in there, there
    assert "Numeric dates: day first, 3/12 is 3 December (date_order: DMY)" in there, there
