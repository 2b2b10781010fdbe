"""The command line as an admin meets it: database choice, migrations, help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import Settings
from tests.conftest import PG_SKIP, drop_pg_schema, make_pg_database, postgres_up

ROOT = Path(__file__).resolve().parents[1]


def dealcoach(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def test_database_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert Settings().database_url.endswith("dealcoach.db")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/from-env.db")
    assert Settings().database_url == "sqlite:////tmp/from-env.db"
    assert Settings(database_url="sqlite:////tmp/flag.db").database_url == "sqlite:////tmp/flag.db"


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite:////tmp/dotenv.db\nMicrosoftAppId=abc\n")
    s = Settings()
    assert s.database_url == "sqlite:////tmp/dotenv.db" and s.microsoft_app_id == "abc"


def test_sqlite_default_is_created_in_the_current_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "deals"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "dealcoach.db").exists() and "no open deals" in run.stdout


def test_no_command_prints_help() -> None:
    run = dealcoach()
    assert run.returncode == 0 and "chat" in run.stdout and "plan" in run.stdout


def test_postgres_must_be_migrated_explicitly_and_then_works() -> None:
    if not postgres_up():
        pytest.skip(PG_SKIP)
    db, schema = make_pg_database()
    try:
        url = db.url
        refused = dealcoach("--db", url, "deals")
        assert refused.returncode != 0 and "dealcoach migrate" in refused.stderr + refused.stdout
        assert "Traceback" not in refused.stderr
        migrated = dealcoach("--db", url, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        assert dealcoach("--db", url, "deals").returncode == 0
    finally:
        db.dispose()
        drop_pg_schema(schema)


UNREACHABLE = [
    ("nonsense", "is not a database URL"),
    ("mysql://u@127.0.0.1/db", "runs on SQLite or PostgreSQL"),
    ("postgresql://postgres:sekret@127.0.0.1:1/test", "Cannot reach the PostgreSQL database"),
    ("postgresql://postgres@nohost.invalid/test", "nohost.invalid"),
    ("sqlite:///{tmp}/missing/dir/coach.db", "mkdir -p"),
    ("sqlite:////proc/coach.db", "writable"),  # /proc refuses new files even to root
]


@pytest.mark.parametrize(("url", "says"), UNREACHABLE)
def test_bad_database_setting_is_one_line_and_exit_2(url: str, says: str, tmp_path: Path) -> None:
    url = url.format(tmp=tmp_path)
    for how in (["--db", url], []):
        run = dealcoach(*how, "deals", env={"DATABASE_URL": url})
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 2, run.stderr
        assert len(lines) == 1 and says in lines[0], run.stderr
        assert "sekret" not in run.stderr  # the password is never printed
    verbose = dealcoach("-v", "--db", url, "deals")
    assert verbose.returncode == 2 and "Traceback" in verbose.stderr
    assert says in verbose.stderr.strip().splitlines()[-1]


def test_migrate_and_serve_say_the_same(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nowhere/coach.db"
    for command in (["migrate"], ["serve", "--port", "0"]):
        run = dealcoach("--db", url, *command)
        assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
        assert "mkdir -p" in run.stderr


def test_invalid_setting_names_the_variable(tmp_path: Path) -> None:
    run = dealcoach("--db", f"sqlite:///{tmp_path}/c.db", "deals", env={"PORT": "abc"})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith("dealcoach: a setting is invalid: PORT"), run.stderr


@pytest.mark.parametrize("command", [["deals"], ["--help"]])
def test_reader_going_away_ends_quietly(command: list[str], tmp_path: Path) -> None:
    """`dealcoach deals | head`: the reader closes the pipe before we write."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--db", f"sqlite:///{tmp_path}/c.db", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout and proc.stderr
    proc.stdout.close()  # long before the interpreter has even imported the app
    err = proc.stderr.read()
    assert proc.wait(timeout=60) in (0, 141) and err == "", err


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        (["--now", "2027-03-31T16:00:00Z", "chat"], "2026-11-24T15:00:00Z"),  # flag wins
        (["chat", "--now", "2027-03-31T12:00:00-04:00"], "2026-11-24T15:00:00Z"),  # after it
        (["chat"], "2027-03-31T16:00:00Z"),  # from DEALCOACH_NOW
    ],
)
def test_now_runs_the_product_at_that_instant(
    tmp_path: Path, where: list[str], setting: str
) -> None:
    """On a quarter's last day the quick decision dates skip today and offer next quarter's end."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "--db", f"sqlite:///{tmp_path / 'n.db'}", *where],
        input="Acme Corp - renewal\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TZ": "UTC", "DEALCOACH_NOW": setting},
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "End of next month (Apr 30)" in run.stdout
    assert "End of next quarter (Jun 30)" in run.stdout
    assert "(Mar 31)" not in run.stdout  # "End of quarter" would be today


def test_a_bad_now_says_how_to_write_one(tmp_path: Path) -> None:
    run = dealcoach("--db", f"sqlite:///{tmp_path / 'n.db'}", "deals", "--now", "next tuesday")
    assert run.returncode != 0 and "is not an ISO date-time" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_clock_runs_on_from_now() -> None:
    """`serve --now` must still move through its schedule passes: the clock is not frozen."""
    import datetime as dt

    from app import make_clock, parse_now

    start = parse_now("2027-03-31T12:00:00-04:00")
    assert start == dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC)
    clock = make_clock(start)
    first, second = clock(), clock()
    assert start <= first <= second < start + dt.timedelta(minutes=1)
    assert parse_now(None) is None and parse_now("2027-01-01T00:00").tzinfo is not None


def _commands(p: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every leaf command of the parser, nested ones (`process load`) included."""
    import argparse

    found: list[tuple[str, ...]] = []
    for action in getattr(p, "_actions", []):
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _commands(child, (*path, name)) or [(*path, name)]
    return found


def test_common_options_work_after_every_command() -> None:
    """README: `--db`, `--user`, `--now` may come after the command name, for every command."""
    from app import parser

    needs = {
        ("process", "check"): ["f.yaml"],
        ("process", "load"): ["f.yaml"],
        ("purge",): ["--workspace", "slack:T1"],
    }
    commands = _commands(parser())
    assert ("process", "load") in commands and ("chat",) in commands
    for command in commands:
        after = ["--db", "sqlite:///x.db", "--user", "ann", "--now", "2026-11-24T15:00:00Z"]
        args = parser().parse_args([*command, *needs.get(command, []), *after])
        assert (args.db, args.user, args.now) == ("sqlite:///x.db", "ann", "2026-11-24T15:00:00Z"), command
        before = parser().parse_args(["--db", "sqlite:///y.db", *command, *needs.get(command, [])])
        assert (before.db, before.user, before.now) == ("sqlite:///y.db", None, None), command


def test_run_due_takes_a_shard_and_refuses_one_that_is_not_in_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app import parser

    assert parser().parse_args(["run-due", "--shard", "1/2"]).shard == (1, 2)
    assert parser().parse_args(["run-due"]).shard == (0, 1)
    for bad in ("2/2", "1", "a/b", "0/0", "-1/2"):
        with pytest.raises(SystemExit):
            parser().parse_args(["run-due", f"--shard={bad}"])
        assert "want I/N with 0 <= I < N" in capsys.readouterr().err


def test_process_load_takes_db_after_the_command(tmp_path: Path) -> None:
    from process.sales_process import default_text

    mine = tmp_path / "p.yaml"
    mine.write_text(default_text(), "utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    run = dealcoach("process", "load", str(mine), "--workspace", "console:local", "--db", db)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "t.db").exists()
