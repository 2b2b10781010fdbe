"""Fixtures the handler tests share: the fake Slack (tests/handlers/slack/slack_fake.py) and a
terminal review run in-process from a script."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.handlers.slack.slack_fake import FakeSlack


@dataclass(frozen=True)
class ConsoleRun:
    """A scripted terminal review: the store it wrote (`url`, for `main([... "--db", url])`)
    and what the rep saw (`transcript`)."""

    url: str
    transcript: str


#: The `console_review` fixture: a script in, the run out.
RunConsole = Callable[[list[str]], ConsoleRun]


@pytest.fixture
def console_review(tmp_path: Path, clock: FakeClock) -> RunConsole:
    """Run `dealcoach chat` in-process as the console user "alice", one script line per
    answer, on the test's fixed clock and a fresh migrated SQLite file."""
    from app import console_user
    from bot.engine import Coach
    from config import Settings
    from handlers.console import Console
    from storage.db import Database

    def run(script: list[str]) -> ConsoleRun:
        url = f"sqlite:///{tmp_path / 'coach.db'}"
        db = Database(url)
        db.migrate()
        user = console_user(Settings(), "alice")
        out = io.StringIO()
        lines = io.StringIO("\n".join(script) + "\n")
        Console(Coach(db, clock=clock), user, lines, out, False).run()
        return ConsoleRun(url, out.getvalue())

    return run


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    f = FakeSlack()
    await f.start()
    yield f
    f.release()  # a call a test held must not keep the fake from stopping
    await f.stop()
