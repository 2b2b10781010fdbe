"""The inbox journal: what was received and never answered survives, in order, once."""

from __future__ import annotations

from pathlib import Path

from storage.inbox import Inbox
from tests.conftest import T0


def test_unanswered_turns_survive_compaction_and_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "inbox"
    inbox = Inbox(path)
    inbox.received("a", {"text": "first"}, T0)
    inbox.received("b", {"text": "second"}, T0)
    inbox.answered("a")
    inbox.answered("c")  # a retry answered before its duplicate was written down...
    inbox.received("c", {"text": "retry"}, T0)  # ...stays answered
    inbox.received("b", {"text": "second, retried"}, T0)
    with open(path, "a") as f:
        f.write('{"key": "d", "tu')  # killed mid-write
    assert inbox.unanswered() == [("b", {"text": "second"})]
    inbox.compact()
    inbox.close()
    again = Inbox(path)
    assert again.unanswered() == [("b", {"text": "second"})]
    assert len(path.read_text().splitlines()) == 1
    again.answered("b")
    assert again.unanswered() == []
