"""The composition root and command line: settings, database, clock, coach, front ends.

Nothing else builds global objects; every command below wires what it needs and runs.
This is also the only place that reads the system time: `make_clock` builds the one clock
every other part is handed, so `--now` (or DEALCOACH_NOW) runs the product at any instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import json
import logging
import os
import shlex
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from bot import exports
from bot.engine import Clock, Coach
from bot.messages import Mention, PlanCard, Turn, UserRef
from config import Settings, configured_process, read_process_file
from handlers.console import Console, print_replies, terminal_safe
from process.sales_process import default_text, describe, process_from
from storage.db import Database, DatabaseSettingError, schema_is_current
from storage.inbox import Inbox

log = logging.getLogger("dealcoach")

CONSOLE_WORKSPACE = "console:local"


def build_database(settings: Settings, migrate: bool = True) -> Database:
    """The database, migrated on SQLite; PostgreSQL must be migrated with `dealcoach migrate`."""
    db = Database(settings.database_url)
    db.check()
    if db.is_sqlite and migrate:
        db.migrate()
    elif migrate and not schema_is_current(db):
        raise SystemExit(
            "The database schema is not up to date. Run `dealcoach migrate` (with the same "
            "DATABASE_URL) and try again."
        )
    return db


def inbox_path(settings: Settings, db: Database) -> Path:
    """INBOX_PATH, else beside the SQLite file, else ./dealcoach-inbox.jsonl."""
    if settings.inbox_path:
        return Path(settings.inbox_path)
    sqlite_file = db.engine.url.database if db.is_sqlite else None
    if sqlite_file and sqlite_file != ":memory:":
        return Path(sqlite_file + ".inbox")
    return Path.cwd() / "dealcoach-inbox.jsonl"


def console_user(settings: Settings, name: str | None) -> UserRef:
    who = name or os.environ.get("USER") or getpass.getuser() or "me"
    # Whoever runs the terminal holds the database file itself, so they are its admin.
    return UserRef(
        workspace_id=CONSOLE_WORKSPACE,
        user_id=who,
        display_name=who,
        timezone=os.environ.get("TZ") or settings.default_timezone,
        is_admin=True,
    )


def _common(defaults: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (`--db URL chat`, `chat --db URL`).

    `parser()` hands this parent to every subcommand, nested ones (`process load`) included.
    On the subcommands the defaults are SUPPRESSed, so an option given before the command is
    not overwritten by the subcommand's default.
    """
    common = argparse.ArgumentParser(add_help=False)
    none = None if defaults else argparse.SUPPRESS
    common.add_argument("--now", default=none, help=NOW_HELP)
    common.add_argument(
        "--db", default=none, help="database URL (default: $DATABASE_URL, else ./dealcoach.db)"
    )
    common.add_argument(
        "--user", default=none, help="who you are in the terminal (default: your login name)"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=False if defaults else argparse.SUPPRESS,
        help="log debug output",
    )
    return common


def shard_arg(text: str) -> tuple[int, int]:
    """`--shard I/N` as (I, N), 0 <= I < N; argparse shows the error."""
    index, sep, count = text.partition("/")
    try:
        shard = (int(index), int(count))
    except ValueError:
        shard = (-1, 0)
    if not sep or shard[1] < 1 or not 0 <= shard[0] < shard[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: want I/N with 0 <= I < N, e.g. 0/2")
    return shard


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dealcoach",
        description="A deal-review coach: every review ends in a plan with the customer's next step.",
        parents=[_common(defaults=True)],
    )
    common = _common(defaults=False)

    def subparsers(parent: argparse.ArgumentParser, **kw: Any) -> Any:
        """`parent.add_subparsers(**kw)` whose every command (and nested command) takes `common`."""
        group = parent.add_subparsers(**kw)
        add_parser = group.add_parser

        def with_common(name: str, **kw: Any) -> Any:
            return add_parser(name, parents=[common, *kw.pop("parents", ())], **kw)

        group.add_parser = with_common  # type: ignore[method-assign]
        return group

    sub = subparsers(p, dest="command", metavar="COMMAND")

    chat = sub.add_parser("chat", help="hold a deal review in the terminal")
    chat.add_argument("deal", nargs="*", help="jump straight to this deal")

    plan = sub.add_parser("plan", help="print a deal's action plan and its health")
    plan.add_argument("--json", action="store_true", help="print the deal and its steps as JSON")
    plan.add_argument(
        "--format",
        choices=("md", "ics"),
        help="for the customer: md = the plan as Markdown (no internal notes), "
        "ics = an iCalendar file of the decision date and dated steps",
    )
    plan.add_argument("-o", "--output", help="write the export to this file (default: stdout)")
    plan.add_argument("deal", nargs="*", help="the deal's name (any unique part of it)")

    deals = sub.add_parser(
        "deals",
        help="list your deals with decision date, next customer step, health",
    )
    deals.add_argument("--json", action="store_true", help="print the deals as a JSON list")
    deals.add_argument(
        "--team", action="store_true", help="(managers) every open deal of your team's reps"
    )

    team = sub.add_parser(
        "team",
        help="your team: `team`, `team add NAME…`, `team remove NAME…` (managers, admins)",
    )
    team.add_argument("words", nargs="*", help="add|remove and the reps' login names")

    mig = sub.add_parser("migrate", help="bring the database schema up to date (Alembic)")
    mig.add_argument("revision", nargs="?", default="head")

    pkg = sub.add_parser(
        "teams-package", help="build the Teams app package (zip) to upload into Microsoft Teams"
    )
    pkg.add_argument("--out", default="dealcoach-teams.zip", help="zip file to write")
    pkg.add_argument("--app-id", help="the bot's Microsoft App ID (default: $MicrosoftAppId)")
    pkg.add_argument("--domain", help="the host serving /api/messages, e.g. bot.example.com")
    pkg.add_argument("--version", default="1.0.0", help="app version; raise it for each upload")

    serve = sub.add_parser(
        "serve", help="run the Slack / Teams web server and the schedules"
    )
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", help="interface (default: 0.0.0.0)")

    due = sub.add_parser(
        "run-due",
        help="one pass of the reminders, nudges and digests due now, then exit (cron)",
    )
    due.add_argument(
        "--dry-run", action="store_true", help="print what would go to whom; write and send nothing"
    )
    due.add_argument(
        "--shard",
        type=shard_arg,
        default=(0, 1),
        metavar="I/N",
        help="deliver only shard I of N of the workspaces (0-based): run N of these side by "
        "side, I = 0..N-1, to spread a big pass over N cores (docs/operations.md)",
    )

    proc = sub.add_parser("process", help="the sales process: check, show or load a process file")
    psub = subparsers(proc, dest="process_command", metavar="ACTION", required=True)
    check = psub.add_parser("check", help="validate a process file; errors name their line")
    check.add_argument("file")
    show = psub.add_parser("show", help="print the process in force")
    show.add_argument("--workspace", default=CONSOLE_WORKSPACE, help="whose (default: the terminal's)")
    show.add_argument("--yaml", action="store_true", help="print the file itself")
    load = psub.add_parser("load", help="validate a process file and make it a workspace's own")
    load.add_argument("file")
    load.add_argument("--workspace", default=CONSOLE_WORKSPACE, help="e.g. slack:T0123 (default: the terminal's)")

    dig = sub.add_parser("digest", help="the manager digest")
    dig.add_argument("--preview", action="store_true", help="print it here instead of posting it")
    dig.add_argument("--team", help="only this team (default: every team)")
    dig.add_argument(
        "--set", metavar="CHANNEL", help="send your team's digest to CHANNEL (managers, admins)"
    )
    dig.add_argument("--off", action="store_true", help="stop your team's digest")

    purge = sub.add_parser(
        "purge",
        help="delete everything stored for one workspace, for good (docs/operations.md)",
    )
    purge.add_argument(
        "--workspace", required=True, help="the workspace id, e.g. slack:T0123 or teams:<tenant id>"
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="count what would be deleted; delete nothing"
    )
    return p


def purge_workspace(db: Database, clock: Clock, workspace_id: str, dry_run: bool) -> int:
    """`dealcoach purge`: print rows per table; exit 1 when the workspace has no data."""
    from bot.tenants import Tenants

    if ":" not in workspace_id:
        print(
            f"--workspace {workspace_id!r}: give it as platform:id, e.g. slack:T0123",
            file=sys.stderr,
        )
        return 2
    counts = Tenants(db, clock=clock).purge(workspace_id, dry_run=dry_run)
    total = sum(counts.values())
    verb = "would delete" if dry_run else "deleted"
    print(f"{workspace_id}: {verb} {total} rows")
    for table, n in counts.items():
        if n:
            print(f"  {table:<22} {n}")
    if not total:
        print("Nothing is stored for that workspace (check the id with the platform prefix).")
        return 1
    return 0


def teams_package(settings: Settings, args: argparse.Namespace) -> int:
    """Write the Teams app package; the bot id must be the Azure Bot's Microsoft App ID."""
    from handlers.teams.package import build_package

    app_id = args.app_id or settings.microsoft_app_id
    if not app_id:
        print(
            "No bot id: set MicrosoftAppId (the Azure Bot's Microsoft App ID) or pass --app-id. "
            "See docs/teams.md.",
            file=sys.stderr,
        )
        return 2
    try:
        data = build_package(app_id, version=args.version, domain=args.domain)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"Wrote {args.out}: upload it in Teams (Apps > Manage your apps > Upload an app).")
    return 0


def process_check(path: str) -> int:
    """`dealcoach process check FILE`: 0 and a one-line summary, or 2 and each problem."""
    _, process, problems = read_process_file(path)
    if process is None:
        print("\n".join(problems), file=sys.stderr)
        return 2
    steps = sum(len(s.customer_steps) + len(s.our_steps) for s in process.stages)
    print(f"{path}: OK: “{process.name}”, {len(process.stages)} stages, {steps} typical steps")
    return 0


def process_command(settings: Settings, db: Database, clock: Clock, args: argparse.Namespace) -> int:
    """`dealcoach process show|load`: the process in force for a workspace, or load its own."""
    from storage import crud

    if args.process_command == "load":
        text, process, problems = read_process_file(args.file)
        if process is None:
            print("\n".join(problems), file=sys.stderr)
            print("Nothing was loaded.", file=sys.stderr)
            return 2

        def save(session: Session) -> None:
            crud.save_workspace_process(session, args.workspace, process.name, text, clock())

        db.run(save)
        print(f"Loaded “{process.name}” for {args.workspace}: its reviews suggest from it now.")
        return 0
    own = db.run(lambda session: crud.workspace_process_text(session, args.workspace))
    text = own or configured_process(settings)
    where = (
        f"loaded for {args.workspace}"
        if own
        else f"from SALES_PROCESS ({settings.sales_process})"
        if text
        else "the default that ships with dealcoach"
    )
    if args.yaml:
        print(text or default_text(), end="")
        return 0
    print(f"In force for {args.workspace}: {where}\n")
    print(describe(process_from(text)))
    return 0


def plan_json(coach: Coach, who: UserRef, deal_text: str) -> int:
    """`plan DEAL --json`: one deal as JSON on stdout; no or several matches: say so, exit 1."""
    if not deal_text.strip():
        print(
            "plan --json needs the deal's name, e.g. `dealcoach plan Acme --json`.", file=sys.stderr
        )
        return 2
    records = coach.deal_records(who, deal_text)
    if len(records) != 1:
        names = ", ".join(f"{r['account']} — {r['name']}".rstrip(" —") for r in records)
        print(
            f"Several deals match “{deal_text}”: {names}. Name one."
            if records
            else f"No deal of yours matches “{deal_text}”. {CHAT_HINT}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(records[0], indent=2))
    return 0


def plan_export(coach: Coach, who: UserRef, deal_text: str, fmt: str, output: str | None) -> int:
    """`plan DEAL --format md|ics [-o FILE]`: the customer-facing plan (bot/exports.py)."""
    records = coach.deal_records(who, deal_text) if deal_text.strip() else []
    if len(records) != 1:
        why = "several deals match" if records else "no deal of yours matches"
        print(
            f"{why} “{deal_text}”: name one deal, e.g. `dealcoach plan Acme --format {fmt}`.",
            file=sys.stderr,
        )
        return 1
    now = coach.clock()
    data = (
        exports.plan_ics(records[0], now)
        if fmt == "ics"
        else exports.plan_markdown(records[0], now.date()).encode()
    )
    if output:
        with open(output, "wb") as f:
            f.write(data)
    else:
        sys.stdout.write(data.decode())
    return 0


def team_command(coach: Coach, who: UserRef, words: list[str]) -> int:
    """`dealcoach team [add|remove NAME…]`: console users are named by their login names."""
    words = [terminal_safe(w) for w in words]
    names = [w.lstrip("@") for w in words[1:]] if words[:1] in (["add"], ["remove"]) else []
    mentions = tuple(Mention(n, n) for n in names if n)
    outcome = coach.handle(Turn(user=who, command="team", args=" ".join(words), mentions=mentions))
    print_replies(outcome.replies)
    return 0


#: How to start a review, said by the commands that run outside `dealcoach chat`.
CHAT_HINT = "Run `dealcoach chat` to start one."

NOW_HELP = (
    "pretend it is this moment and let time run on from there (ISO, e.g. "
    "2026-11-30T09:05+01:00; default: $DEALCOACH_NOW, else the system clock)"
)


def system_now() -> dt.datetime:
    """The system time, aware UTC: the only place dealcoach reads it."""
    return dt.datetime.now(dt.UTC)


def make_clock(start: dt.datetime | None) -> Clock:
    """The one clock: the system time, or, given `start`, time running on from `start`.

    A running clock (not a frozen one) so that `serve --now` still moves through its
    schedule passes and retry delays; a one-shot command reads it once.
    """
    if start is None:
        return system_now
    # A partial of a module function, not a lambda: engine processes receive it pickled.
    return functools.partial(_shifted_now, start - system_now())


def _shifted_now(offset: dt.timedelta) -> dt.datetime:
    return system_now() + offset


def parse_now(text: str | None) -> dt.datetime | None:
    """An ISO moment as aware UTC (a time without zone is read as UTC); None for none given.

    Raises SystemExit with a usage line when `text` is not an ISO date-time.
    """
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as e:
        raise SystemExit(f"--now: {text!r} is not an ISO date-time, e.g. 2026-11-30T09:05Z") from e
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


SETTINGS_EXIT = 2  # a setting to fix, as for a usage error
PIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away


def operator_errors(command: Callable[[Sequence[str] | None], int]) -> Callable[..., int]:
    """Settings and database problems end in one line on stderr and exit status 2.

    The line says what is wrong and what to do; `-v` prints the traceback above it. A
    reader that goes away (`dealcoach deals | head`) ends the command quietly.
    """

    @functools.wraps(command)
    def wrapper(argv: Sequence[str] | None = None) -> int:
        args = sys.argv[1:] if argv is None else list(argv)
        try:
            try:
                return command(argv)
            finally:
                sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        except BrokenPipeError:
            # Python's documented recipe: nothing more can be written, and flushing at exit
            # would only complain about it, so point stdout at /dev/null and stop.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return PIPE_EXIT
        except Exception as exc:
            line = explain(exc)
            if line is None:
                raise
            if "-v" in args or "--verbose" in args:
                traceback.print_exc()
            print(f"dealcoach: {line}", file=sys.stderr)
            return SETTINGS_EXIT

    return wrapper


def explain(exc: BaseException) -> str | None:
    """The operator's one line for a bad setting or an unreachable database, else None."""
    if isinstance(exc, DatabaseSettingError):
        return str(exc)
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']} (got {e.get('input')!r})"
            for e in exc.errors()
        )
        return f"a setting is invalid: {problems}. Fix it in the environment or in .env."
    if isinstance(exc, OperationalError):  # it answered at start, then went away
        return (
            f"the database stopped answering ({exc.orig or exc}). Nothing saved is lost; "
            "run the command again when it is back."
        )
    return None


def invoked_as(argv0: str, cwd: Path) -> str:
    """How to run this program again, for the resume hint: the script's path as it was run
    (`make chat` runs .venv/bin/dealcoach, which is not on PATH), relative to `cwd` when it
    lies inside it; "dealcoach" when PATH finds that same script, or under `python -m app`."""
    path = Path(argv0)
    if path.name != "dealcoach" or len(path.parts) < 2:
        return "dealcoach"
    full = path if path.is_absolute() else cwd / path
    on_path = shutil.which("dealcoach")
    if on_path and Path(on_path).absolute() == full:
        return "dealcoach"  # the shell gives the script its full path when PATH found it
    try:
        inside = full.relative_to(cwd)
    except ValueError:
        return str(full)
    return str(inside) if len(inside.parts) > 1 else f"./{inside}"


@operator_errors
def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    overrides = {"database_url": args.db} if args.db else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    logging.basicConfig(
        level=logging.DEBUG
        if args.verbose
        else getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command is None:
        parser().print_help()
        return 0
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations run on every start
    if args.command != "serve" and not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)  # keep the terminal for the conversation
    if args.command == "migrate":
        db = Database(settings.database_url)
        db.check()
        db.migrate(args.revision)
        print(f"Database at {args.revision}: {db.engine.url.render_as_string(hide_password=True)}")
        return 0
    if args.command == "teams-package":
        return teams_package(settings, args)
    if args.command == "process" and args.process_command == "check":
        return process_check(args.file)
    db = build_database(settings)
    clock = make_clock(parse_now(args.now or settings.dealcoach_now))
    if args.command == "process":
        return process_command(settings, db, clock, args)
    coach = Coach(
        db,
        clock=clock,
        default_timezone=settings.default_timezone,
        sales_process=configured_process(settings),
        admins=settings.admin_ids,
        steering_model=settings.steering_model,
    )
    if args.command == "chat":
        program = invoked_as(sys.argv[0], Path.cwd())
        again = shlex.join([program, *(sys.argv[1:] if argv is None else argv)])
        console = Console(coach, console_user(settings, args.user), resume_command=again)
        return console.run("review", " ".join(args.deal))
    if args.command == "plan" and args.format:
        deal = terminal_safe(" ".join(args.deal))
        return plan_export(coach, console_user(settings, args.user), deal, args.format, args.output)
    if args.command == "plan" and args.json:
        deal = terminal_safe(" ".join(args.deal))
        return plan_json(coach, console_user(settings, args.user), deal)
    if args.command == "plan":
        deal = terminal_safe(" ".join(args.deal))
        replies = coach.plan(console_user(settings, args.user), deal, CHAT_HINT)
        print_replies(replies)
        return 0 if any(isinstance(r, PlanCard) for r in replies) else 1  # as `plan --json`
    if args.command == "deals" and args.json:
        print(json.dumps(coach.deal_records(console_user(settings, args.user)), indent=2))
        return 0
    if args.command == "deals":
        who = console_user(settings, args.user)
        if args.team:
            team = coach.team_deals(who)
            if team is None:
                print("You don't manage a team: `dealcoach team add NAME` starts one.")
                return 1
            print_replies([team])
            return 0
        print_replies([coach.deals(who)])
        return 0
    if args.command == "team":
        return team_command(coach, console_user(settings, args.user), args.words)
    if args.command == "run-due":
        from handlers.schedule import run_due_command

        return run_due_command(settings, db, coach, args.dry_run, shard=args.shard)
    if args.command == "digest":
        from handlers.schedule import digest_preview_command

        if args.set or args.off:
            channel = terminal_safe(args.set or "").strip() or "off"
            who = console_user(settings, args.user)
            print_replies(coach.handle(Turn(user=who, command="digest", args=channel)).replies)
            return 0
        if not args.preview:
            print(
                "Digests are posted by the schedule (`serve` or `run-due`); add --preview to see "
                "one here, or --set CHANNEL to choose where yours goes."
            )
            return 2
        return digest_preview_command(settings, db, clock, args.team)
    if args.command == "purge":
        return purge_workspace(db, clock, args.workspace, args.dry_run)
    if args.command == "serve":
        from handlers.server import serve

        serve(
            settings,
            db,
            coach,
            host=args.host or settings.host,
            port=args.port or settings.port,
            inbox=Inbox(inbox_path(settings, db)),
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
