"""Conversation references for proactive messages, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.references import References
from storage.db import Database


def test_remember_and_look_up_references(
    any_db: Database, clock: Callable[[], dt.datetime]
) -> None:
    refs = References(any_db, clock=clock)
    first = {"conversation": {"id": "a:1"}, "serviceUrl": "https://smba.example/"}
    assert refs.lookup("teams:t1", "user:u1") is None
    assert refs.remember("teams:t1", "user:u1", first) is True  # a first contact
    assert refs.remember("teams:t1", "user:u1", first) is False  # same again: no write
    moved = {**first, "serviceUrl": "https://smba.example/emea/"}
    assert refs.remember("teams:t1", "user:u1", moved) is False  # refreshed, not new
    assert refs.lookup("teams:t1", "user:u1") == moved
    # Tenancy: the same target in another workspace is another reference.
    assert refs.lookup("teams:t2", "user:u1") is None
    assert refs.remember("teams:t2", "user:u1", first) is True
    assert refs.lookup("teams:t1", "user:u1") == moved
