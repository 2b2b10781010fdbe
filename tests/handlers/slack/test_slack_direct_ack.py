"""The ack's path: `/dealreview` acked without bolt's dispatch (`SlackFrontend.ack_directly`),
and turn workers that wait for the acks (`worker.AcksFirst`).

Once bolt has verified and authorized a workspace's request (and our tenant middleware has
noted it), that workspace's signed commands are journaled and acked directly, for the ack's
CPU (bench/slack_ack.py). These tests hold the direct ack to bolt's: the same response, the
same journal line before it, the same answer after it, and the same refusals.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.engine import Coach
from handlers.slack import FRONTEND, worker
from handlers.slack.app import ACKS_FIRST, ON_IT, SlackFrontend
from handlers.slack.worker import AcksFirst
from handlers.web import build_app
from storage.db import Database
from storage.inbox import Inbox
from tests.handlers.slack.slack_fake import (
    TEAM,
    FakeSlack,
    Harness,
    SlackClient,
    sign,
    slack_settings,
)

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def journaled(h: Harness, tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness with the inbox journal on, as `serve` runs it."""
    await h.stop()
    h.inbox = Inbox(tmp_path / "inbox.jsonl")
    await h.start()
    yield h
    h.inbox.close()


def front(h: Harness) -> SlackFrontend:
    assert h.app is not None
    return h.app[FRONTEND]


def journal(inbox: Inbox) -> list[dict[str, object]]:
    return [json.loads(line) for line in inbox.path.read_text().splitlines()]


def received_keys(inbox: Inbox) -> list[str]:
    return [str(e["key"]) for e in journal(inbox) if "turn" in e]


def command_body(user: str, trigger: str, text: str = "") -> str:
    return urllib.parse.urlencode(
        {
            "team_id": TEAM,
            "user_id": user,
            "channel_id": "C0GENERAL",
            "command": "/dealreview",
            "text": text,
            "trigger_id": trigger,
            "response_url": "http://127.0.0.1:9/never",
        }
    )


async def test_an_admitted_workspaces_command_gets_bolts_ack_journal_line_and_answer(
    journaled: Harness,
) -> None:
    h = journaled
    assert h.slack and h.inbox
    assert front(h).admitted == set()
    # The first command goes through bolt (signature, authorization, tenant), which admits
    # the workspace; the second, the same command typed again, is acked directly.
    via_bolt = await h.slack.command("", user="U1", channel="D0ELSE")
    await h.fake.wait_for("chat.postMessage")
    assert front(h).admitted == {(None, TEAM)}
    direct = await h.slack.command("", user="U1", channel="D0ELSE")
    # written down before the ack left: the line is there when the response is
    keys = received_keys(h.inbox)
    assert len(keys) == 2 and keys[1].startswith("slack:cmd:")

    def seen(r: object) -> tuple[object, ...]:
        return (r.status, r.content_type, json.loads(r._body or b"null"))  # type: ignore[attr-defined]

    assert (
        seen(direct)
        == seen(via_bolt)
        == (
            200,
            "application/json",
            {"text": ON_IT, "response_type": "ephemeral"},
        )
    )
    # the same turn journaled: only the command's own ids differ
    first, second = (e["turn"] for e in journal(h.inbox) if "turn" in e)
    assert isinstance(first, dict) and isinstance(second, dict)
    assert {k: v for k, v in second.items() if k not in ("key", "extra")} == {
        k: v for k, v in first.items() if k not in ("key", "extra")
    }
    # a channel command: a bare ack as bolt gives it, the "On it" follows via response_url
    in_channel = await h.slack.command("", user="U2")
    assert (in_channel.status, await in_channel.text()) == (200, "")
    await h.fake.wait_for("chat.postMessage", 3)
    await h.fake.settle()
    dms = [m for m in h.fake.to("chat.postMessage") if m["channel"] in ("DU1", "DU2")]
    assert [m["channel"] for m in dms] == ["DU1", "DU1", "DU2"]
    assert all("Which deal shall we review" in str(m) for m in dms)
    assert h.inbox.unanswered() == []


async def test_a_command_as_slack_sends_it_outside_grid_is_acked_directly(h: Harness) -> None:
    """Slack sends `enterprise_id` empty outside Enterprise Grid; bolt reads that as no
    org, and so must the direct ack, or it would never take a command."""
    assert h.slack
    await h.slack.command("", user="U1")
    await h.fake.wait_for("chat.postMessage")
    body = command_body("U2", "t.direct") + "&enterprise_id=&is_enterprise_install=false"
    headers = {**sign(body), "Content-Type": FORM}
    response = await front(h).ack_directly(body, headers, asyncio.Event())
    assert response is not None and response.status == 200
    forged = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
    assert await front(h).ack_directly(body, forged, asyncio.Event()) is None
    other = body.replace("%2Fdealreview", "%2Fother")
    assert (
        await front(h).ack_directly(other, {**sign(other), "Content-Type": FORM}, asyncio.Event())
        is None
    )


async def test_after_admission_forged_unsigned_and_stale_commands_still_get_401(
    journaled: Harness,
) -> None:
    h = journaled
    assert h.slack and h.inbox
    await h.slack.command("", user="U1")
    await h.fake.wait_for("chat.postMessage")
    assert front(h).admitted == {(None, TEAM)}
    await h.fake.settle()
    calls, lines = len(h.fake.calls), len(journal(h.inbox))
    body = command_body("U2", "t.forged")
    unsigned = await h.slack.raw(body, FORM, signed=False)
    forged = await h.slack.raw(body, FORM, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    stale = await h.slack.raw(body, FORM, headers=sign(body, ts=int(time.time()) - 6 * 60))
    wrong_secret = await h.slack.raw(body, FORM, headers=sign(body, secret="nope"))
    tampered = await h.slack.raw(body.replace("U2", "U3"), FORM, headers=sign(body))
    assert [r.status for r in (unsigned, forged, stale, wrong_secret, tampered)] == [401] * 5
    await h.fake.settle(0.3)
    assert len(h.fake.calls) == calls
    assert len(journal(h.inbox)) == lines


async def test_a_workspace_bolt_refuses_is_never_admitted(journaled: Harness) -> None:
    """The bot token fails auth.test: bolt answers its "install this app" message, and so
    it does for the next command too; nothing is journaled, no turn runs."""
    h = journaled
    assert h.slack and h.inbox
    h.fake.fail("auth.test", error="invalid_auth", times=10)
    answers = [await h.slack.command("", user="U1") for _ in range(2)]
    assert [r.status for r in answers] == [200, 200]
    for r in answers:
        assert "install" in (await r.text()).lower()
    assert front(h).admitted == set()
    await h.fake.settle(0.3)
    assert [c.method for c in h.fake.calls] == ["auth.test", "auth.test"]
    assert received_keys(h.inbox) == []


async def test_with_turn_workers_the_direct_ack_only_journals(
    fake: FakeSlack, db: Database, coach: Coach, tmp_path: Path
) -> None:
    """As `serve` runs it (the turn workers follow the journal): this process acks and
    writes down, and answers nothing itself."""
    inbox = Inbox(tmp_path / "inbox.jsonl")
    app = build_app(slack_settings(fake), db, coach, inbox, worker_fed=True)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    slack = SlackClient(f"http://127.0.0.1:{port}", fake)
    try:
        acks = [await slack.command("", user=f"U{n}") for n in range(3)]
        assert [(r.status, await r.text()) for r in acks] == [(200, "")] * 3
        assert app[FRONTEND].admitted == {(None, TEAM)}  # the 2nd and 3rd were direct
        await asyncio.sleep(0.3)  # what a turn in this process would have called by now
        assert [c.method for c in fake.calls] == ["auth.test"]
        assert len(inbox.unanswered()) == 3
    finally:
        await slack.close()
        await runner.cleanup()
        inbox.close()


async def test_turn_workers_hold_turns_while_acks_are_pending_then_start_them_together() -> None:
    """`AcksFirst`: every turn queued during a burst waits while the web process has acks
    pending, and all go once none is (one poller for all of them)."""
    pending = multiprocessing.get_context("spawn").RawValue("i", 3)
    gate = AcksFirst(pending)
    waiting = [asyncio.create_task(gate.wait()) for _ in range(200)]
    await asyncio.sleep(0.05)
    assert not any(t.done() for t in waiting)
    pending.value = 0
    done, _ = await asyncio.wait(waiting, timeout=ACKS_FIRST / 2)
    assert len(done) == 200
    # nothing pending: no wait at all
    assert await asyncio.wait_for(gate.wait(), timeout=0.01) is None


async def test_a_turn_arriving_between_two_acks_of_a_burst_waits_for_its_end() -> None:
    """Between two acks of a burst the count reads 0 for a moment; a turn that reaches the
    worker then is still mid-burst and waits for the quiet, as the turns queued before it."""
    pending = multiprocessing.get_context("spawn").RawValue("i", 1)
    gate = AcksFirst(pending)
    first = asyncio.create_task(gate.wait())
    await asyncio.sleep(0.01)
    pending.value = 0  # the ack just went out; the client's next request is on its way
    late = asyncio.create_task(gate.wait())
    await asyncio.sleep(0)
    assert not late.done() and not first.done()
    done, _ = await asyncio.wait([first, late], timeout=ACKS_FIRST / 2)
    assert len(done) == 2


async def test_a_turn_waits_for_the_acks_at_most_acks_first_seconds() -> None:
    pending = multiprocessing.get_context("spawn").RawValue("i", 1)  # a burst that never ends
    gate = AcksFirst(pending)
    start = time.monotonic()
    await asyncio.wait_for(gate.wait(), timeout=ACKS_FIRST * 4)
    assert ACKS_FIRST * 0.9 <= time.monotonic() - start < ACKS_FIRST * 3


async def test_a_moment_without_pending_acks_inside_a_burst_releases_no_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within a burst the count touches 0 between one ack and the client's next request:
    turns wait until it has stayed 0 for ACKS_QUIET (widened here so a loaded test machine
    cannot stretch the gap past it)."""
    monkeypatch.setattr(worker, "ACKS_QUIET", 0.2)
    pending = multiprocessing.get_context("spawn").RawValue("i", 2)
    gate = AcksFirst(pending)
    waiting = [asyncio.create_task(gate.wait()) for _ in range(20)]
    await asyncio.sleep(0.02)
    pending.value = 0  # a gap between two acks of the burst
    await asyncio.sleep(0.05)
    pending.value = 1
    await asyncio.sleep(0.05)
    assert not any(t.done() for t in waiting)
    pending.value = 0  # the burst is over
    done, _ = await asyncio.wait(waiting, timeout=ACKS_FIRST * 2)
    assert len(done) == 20
