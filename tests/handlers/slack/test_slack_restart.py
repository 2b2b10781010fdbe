"""`kill -9` between Slack's ack and our answer: after a restart the answer comes, once.

The real `dealcoach serve` runs as a subprocess against the fake Slack. The fake holds a
Web API method unanswered (as if the call never reached Slack), so the test can kill the
server at a known point: before the turn ran (users.info held) or after it was saved
but before its reply left (chat.postMessage held).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientResponse
from sqlmodel import select

from handlers.slack.app import DIGEST_HINT, FILES_NOT_READ, reply_key
from handlers.slack.delivery import tag
from storage.db import Database
from storage.inbox import Inbox
from storage.models import Deal
from tests.handlers.served import ServedProcess
from tests.handlers.slack.slack_fake import SECRET, FakeSlack, SlackClient, sign


class Served(ServedProcess):
    """`dealcoach serve` against the fake Slack, in a subprocess the test can kill -9."""

    def __init__(self, fake: FakeSlack, db_path: Path, log: Path) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": f"{fake.url}/api/",
            "SCHEDULE_EVERY_MINUTES": "600",
        }
        super().__init__(env, log)

    async def start(self) -> None:
        # The server's clock is the one this test signs with (`slack_fake.sign` reads
        # time.time(), moved by DEALCOACH_SYSTEM_CLOCK): `serve` checks Slack's 5-minute
        # signature window against DEALCOACH_NOW, which runs on from this instant.
        self.env["DEALCOACH_NOW"] = dt.datetime.fromtimestamp(time.time(), dt.UTC).isoformat()
        await super().start()


@pytest.fixture
def served(fake: FakeSlack, tmp_path: Path) -> Iterator[Served]:
    s = Served(fake, tmp_path / "coach.db", tmp_path / "serve.log")
    yield s
    s.stop()


async def until(check: object, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.02)


def dm_texts(fake: FakeSlack, user: str) -> list[str]:
    return [
        str(m.get("text")) + str(m.get("blocks"))
        for m in fake.to("chat.postMessage")
        if m.get("channel") == f"D{user}"
    ]


async def test_acked_turns_are_answered_once_after_kill_9(
    fake: FakeSlack, served: Served, tmp_path: Path
) -> None:
    await served.start()
    slack = SlackClient(f"http://127.0.0.1:{served.port}", fake)
    try:
        # The window is still Slack's 5 minutes, counted on the server's (DEALCOACH_NOW) clock.
        body = "command=%2Fdealreview&text=&user_id=U9&team_id=T0TEAM&trigger_id=t"
        form = "application/x-www-form-urlencoded"
        stale = await slack.raw(body, form, headers=sign(body, ts=int(time.time()) - 6 * 60))
        assert stale.status == 401

        async def killed_while_waiting_for(method: str, acked: Awaitable[ClientResponse]) -> None:
            """Send a request, kill -9 the server while `method` hangs, start it again."""
            fake.hold(method)
            assert (await acked).status == 200
            await until(lambda: fake.held[method], f"{method} was never called")
            served.kill()
            fake.release()
            await served.start()

        # 1. Killed before the turn ran: /dealreview acked, users.info never answered.
        await killed_while_waiting_for("users.info", slack.command("", user="U1"))
        await until(lambda: dm_texts(fake, "U1"), "the acked /dealreview was never answered")
        await fake.settle(0.5)
        assert (
            len(dm_texts(fake, "U1")) == 1
            and "Which deal shall we review" in dm_texts(fake, "U1")[0]
        )

        # 2. Killed after the answer was saved, before the reply reached Slack.
        await killed_while_waiting_for(
            "chat.postMessage", slack.dm("Acme Corp - 2027 renewal", user="U1")
        )
        await until(lambda: len(dm_texts(fake, "U1")) > 1, "the acked answer was never answered")
        await fake.settle(0.5)
        replies = dm_texts(fake, "U1")[1:]
        assert sum("When must *Acme Corp* make their decision" in r for r in replies) == 1, replies
        db = Database(served.env["DATABASE_URL"])
        assert db.run(lambda s: [d.title for d in s.exec(select(Deal))]) == [
            "Acme Corp — 2027 renewal"
        ]
        db.dispose()

        # 3. A clean restart with nothing pending says nothing.
        served.stop()
        posted = len(fake.to("chat.postMessage"))
        await served.start()
        await fake.settle(0.5)
        assert len(fake.to("chat.postMessage")) == posted
    finally:
        await slack.close()


def turn_workers(pid: int) -> list[int]:
    """The Slack turn worker processes of `serve` (its children started by
    multiprocessing's spawn, not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            found.append(int(stat.parent.name))
    return found


def journal(served: Served) -> Inbox:
    return Inbox(Path(served.env["DATABASE_URL"].removeprefix("sqlite:///") + ".inbox"))


@pytest.mark.parametrize(
    ("killed", "where"),
    [("worker", "dm"), ("server", "dm"), ("worker", "thread"), ("worker", "file")],
)
async def test_an_answer_posted_then_killed_before_its_mark_is_not_posted_again(
    fake: FakeSlack, served: Served, killed: str, where: str
) -> None:
    """Killed (-9) after Slack took the answer, before the journal marked it answered: the
    replay finds the answer in the DM (or the DM thread the rep wrote in) by its reply key
    (message metadata) and posts nothing; so does the note that files aren't read, for a
    file shared alone. The app is outside the Slack Marketplace: history and replies give
    15 messages, 1 call a minute."""
    fake.marketplace = False
    await served.start()
    slack = SlackClient(f"http://127.0.0.1:{served.port}", fake)
    try:
        await slack.command("", user="U1")
        await until(lambda: dm_texts(fake, "U1"), "/dealreview was never answered")
        thread = fake.posted()[0]["ts"] if where == "thread" else None
        fake.hold("chat.postMessage", taken=True)  # posted, and the answer never comes back
        if where == "file":
            sent = await slack.dm(
                "", user="U1", files=[{"id": "F1", "name": "notes.pdf"}], event_id="EvKILLED"
            )
        else:
            sent = await slack.dm(
                "Acme Corp - 2027 renewal", user="U1", thread_ts=thread, event_id="EvKILLED"
            )
        assert sent.status == 200
        await until(lambda: fake.held.get("chat.postMessage"), "the answer was never posted")
        assert len(dm_texts(fake, "U1")) == 2  # the rep sees it
        if killed == "worker":
            workers = turn_workers(served.proc.pid)  # type: ignore[union-attr]
            assert len(workers) == 1, workers
            os.kill(workers[0], signal.SIGKILL)
        else:
            served.kill()
        fake.release()
        if killed == "server":
            await served.start()
        inbox = journal(served)
        await until(lambda: not inbox.pending(), "the replayed turn was never marked answered")
        await fake.settle(0.5)
        texts = dm_texts(fake, "U1")
        assert len(texts) == 2, texts[2:]
        if where == "file":
            assert FILES_NOT_READ in texts[1]
        else:
            assert "When must *Acme Corp* make their decision" in texts[1]
        # it was looked for, once, and found by the tag it was posted with
        looked = fake.to("conversations.replies" if thread else "conversations.history")
        assert len(looked) == 1
        tagged = tag(reply_key("slack:ev:EvKILLED", 1), "0", 1)
        in_dm = [m for m in fake.to("chat.postMessage") if m.get("channel") == "DU1"]
        assert in_dm[-1]["metadata"] == tagged
        assert in_dm[-1].get("thread_ts") == thread
        inbox.close()
    finally:
        await slack.close()


@pytest.mark.parametrize("workers", ["1", "0"])
async def test_the_journal_is_compacted_while_serving_and_no_turn_or_mark_is_lost(
    fake: FakeSlack, served: Served, workers: str
) -> None:
    """Four reps write while `serve` compacts the journal (the turn worker does, under its
    own follower; without workers, the web process does): every turn is answered once, and
    a kill -9 afterwards replays nothing."""
    served.env["INBOX_COMPACT_BYTES"] = "3000"
    served.env["ENGINE_PROCESSES"] = workers
    await served.start()
    slack = SlackClient(f"http://127.0.0.1:{served.port}", fake)
    inbox = journal(served)
    sent: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while served.log.read_text().count("inbox journal compacted") < 2:
            assert time.monotonic() < deadline, "the journal was never compacted twice"
            for user in ("U1", "U2", "U3", "U4"):
                sent.append(f"EvC{len(sent):04d}")
                assert (await slack.dm("help", user=user, event_id=sent[-1])).status == 200
            await asyncio.sleep(0.5)  # a steady trickle, before, during and after each swap
        await until(lambda: not inbox.pending(), "a turn was never answered", timeout=60)
        await fake.settle(0.5)
        tags = Counter(
            (m["metadata"]["event_payload"]["key"], m["metadata"]["event_payload"]["part"])
            for m in fake.to("chat.postMessage")
            if m.get("metadata")
        )
        for event_id in sent:
            first, second = (reply_key(f"slack:ev:{event_id}", n) for n in (1, 2))
            assert tags[(first, "0")] == 1, event_id  # answered, once
            assert not [k for k in tags if k[0] == second], event_id
        assert inbox.size() < 3000 + 40 * 500  # compacted: what is left is recent marks
        served.kill()
        posted = len(fake.to("chat.postMessage"))
        await served.start()
        await fake.settle(1.0)
        again = [
            m
            for m in fake.to("chat.postMessage")[posted:]
            if m.get("metadata", {}).get("event_payload", {}).get("key", "").startswith("turn:")
        ]
        assert again == []  # no mark was lost in a swap: nothing is replayed
        assert "Traceback" not in served.log.read_text()
    finally:
        inbox.close()
        await slack.close()


async def test_a_digest_hint_cut_off_by_a_kill_is_given_once_after_the_restart(
    fake: FakeSlack, served: Served
) -> None:
    """The hint is the whole answer to `/dealreview digest sales` and goes to the command's
    response URL, which Slack cannot show back: the replay sends it when the journal shows
    no answer had begun (killed while users.info was asked), and "On it" not at all."""
    await served.start()
    slack = SlackClient(f"http://127.0.0.1:{served.port}", fake)
    try:
        fake.hold("users.info")
        assert (await slack.command("digest sales", user="U7")).status == 200
        await until(lambda: fake.held.get("users.info"), "users.info was never asked")
        served.kill()
        fake.release()
        await served.start()
        await until(lambda: fake.to("response_url"), "the digest command was never answered")
        inbox = journal(served)
        await until(lambda: not inbox.pending(), "it was never marked answered")
        inbox.close()
        await fake.settle(0.5)
        assert [c["text"] for c in fake.to("response_url")] == [DIGEST_HINT]
    finally:
        await slack.close()
