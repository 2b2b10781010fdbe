"""Web API clients with slack_sdk's retry handlers, and installations kept in our database.

Every `AsyncWebClient` we build gets the same base URL (`SLACK_API_URL`, for proxies and
the tests' fake Slack) and the same retry policy: 429 waits for `Retry-After`, 500/503
back off, a dropped connection is tried again. Bolt copies both onto the per-request
clients it builds, so listeners and proactive delivery behave alike.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import and_
from sqlalchemy.engine import Engine

from storage.db import DatabaseAway, reachable

TIMEOUT = 10  # seconds per Web API call
T = TypeVar("T")


async def stored(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a synchronous store call in a worker thread; raises DatabaseAway when the
    database cannot be reached, so the install flow can tell the installer so."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except Exception as exc:
        if reachable(exc):
            raise
        raise DatabaseAway(str(exc).splitlines()[0]) from exc


def retry_handlers(
    rate_limit_retries: int = 2,
    server_retries: int = 2,
    interval: RetryIntervalCalculator | None = None,
) -> list[AsyncRetryHandler]:
    """The policy for every client; `interval` is injectable so tests need not wait."""
    backoff = interval or BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=backoff),
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        AsyncServerErrorRetryHandler(max_retry_count=server_retries, interval_calculator=backoff),
    ]


def never_twice(handlers: list[AsyncRetryHandler]) -> list[AsyncRetryHandler]:
    """The retries that cannot post a message twice: only 429s, where Slack did nothing.

    A 5xx or a dropped connection may come after Slack took the post, so retrying it in the
    SDK would post it again; scheduled posts are retried by the outbox instead, which first
    looks for the earlier post (see `delivery.SlackDelivery.find_sent`).
    """
    return [h for h in handlers if isinstance(h, AsyncRateLimitErrorRetryHandler)]


def posting_client(client: AsyncWebClient, sdk_rate_limits: bool = True) -> AsyncWebClient:
    """The same client (token, session, base URL) with only the retries that never post twice.

    `sdk_rate_limits=False` leaves 429s to the caller too (proactive delivery paces the
    whole workspace on them, see pacing.py).
    """
    poster = copy.copy(client)
    poster.retry_handlers = never_twice(list(client.retry_handlers)) if sdk_rate_limits else []
    return poster


def web_client(
    token: str | None, base_url: str, handlers: list[AsyncRetryHandler] | None = None
) -> AsyncWebClient:
    url = base_url if base_url.endswith("/") else base_url + "/"
    return AsyncWebClient(
        token=token,
        base_url=url,
        timeout=TIMEOUT,
        retry_handlers=list(handlers if handlers is not None else retry_handlers()),
    )


class InstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy store on our engine (tables: migration 0002_slack), made async.

    The store is synchronous; each call runs in a worker thread so the event loop never
    blocks on the database.
    """

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.sync = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)

    @property
    def logger(self) -> Any:
        return self.sync.logger

    async def async_save(self, installation: Installation) -> None:
        """Raises DatabaseAway when the database cannot be reached."""
        await stored(self.sync.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await stored(self.sync.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.sync.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.sync.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.sync.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.sync.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )


class StateStore(AsyncOAuthStateStore):
    """OAuth `state` values (CSRF protection of the install flow), in our database too."""

    def __init__(self, engine: Engine, expiration_seconds: int = 600) -> None:
        self.sync = SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=engine)

    @property
    def logger(self) -> Any:
        return self.sync.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state; raises DatabaseAway when the database cannot be reached."""
        return await stored(self.sync.issue)

    async def async_consume(self, state: str) -> bool:
        """Whether `state` was issued and unexpired (it is then used up). Raises
        DatabaseAway when the database cannot be reached: slack_sdk's own `consume` reports
        that as an invalid state, which would tell the installer the wrong thing."""
        return await stored(self._consume, state)

    def _consume(self, state: str) -> bool:
        table = self.sync.oauth_states
        # the sdk's own clock read, as its `issue` stamps the expiry with it
        now = normalize_datetime_for_db(dt.datetime.now(tz=dt.UTC))
        with self.sync.engine.begin() as conn:
            c = table.c
            row = (
                conn.execute(table.select().where(and_(c.state == state, c.expire_at > now)))
                .mappings()
                .first()
            )
            if row is None:
                return False
            conn.execute(table.delete().where(c.id == row["id"]))
            return True
