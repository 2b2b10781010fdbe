"""Retrying Bot Framework connector calls: 429 and 5xx are worth another try, 4xx are not.

The SDK's own HTTP retry (msrest over urllib3) never retries a 429 and, with urllib3 2,
never retries a POST at all, so every send goes through `with_retry`. A `Retry-After`
from the connector is honoured (capped); otherwise the wait grows exponentially.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from botbuilder.schema import Activity, ResourceResponse
from msrest.exceptions import ClientRequestError, HttpOperationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from handlers.teams import budget

log = logging.getLogger(__name__)
T = TypeVar("T")


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a `Retry-After: <seconds>` header, if the connector sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return max(0.0, float(headers.get("Retry-After")))
    except (TypeError, ValueError):
        return None


#: Microsoft's answer to a message over its size limit (413 MessageSizeTooBig).
TOO_BIG = 413
#: How often an activity the connector finds too big is halved before giving up.
MAX_SPLITS = 3


#: Statuses worth another try: throttled (429), and 412 Precondition Failed, which Teams
#: answers to concurrent posts into one conversation (Microsoft's rate-limit guidance).
RETRY_STATUSES = frozenset({412, 429})


def is_transient(exc: BaseException) -> bool:
    """Throttled, a server error, or the connection failed: the message was not delivered."""
    if isinstance(exc, HttpOperationError):
        status = status_of(exc)
        return status is not None and (status in RETRY_STATUSES or status >= 500)
    return isinstance(exc, ClientRequestError)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one connector call before giving up (tests pass a fast one)."""

    attempts: int = 4
    base_wait: float = 0.5
    max_wait: float = 20.0

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = retry_after(exc) if exc else None
        if hinted is not None:
            return min(hinted, self.max_wait)
        # Exponential with full jitter, so many conversations throttled together do not
        # come back in step (Microsoft's guidance for 412/429).
        ceiling = min(self.base_wait * 2 ** (state.attempt_number - 1), self.max_wait)
        return random.uniform(ceiling / 2, ceiling)


async def with_retry(call: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str) -> T:
    """Run `call` until it succeeds, fails for good, or runs out of attempts (then re-raise)."""

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning(
            "Teams connector %s failed (status %s), attempt %s: retrying",
            what,
            status_of(exc) if exc else None,
            state.attempt_number,
        )

    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_transient),
        stop=stop_after_attempt(policy.attempts),
        wait=policy.wait,
        reraise=True,
        before_sleep=before_sleep,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")


async def send_activities(
    send: Callable[[Activity], Awaitable[ResourceResponse | None]],
    activities: list[Activity],
    policy: RetryPolicy,
    what: str,
) -> list[str]:
    """Send each activity in order with `send` (with `with_retry`); return the ids the
    connector gave. `send` is `TurnContext.send_activity` inside a turn, or a bound
    `ConnectorPool.send` for a proactive message.

    Our own budget (`budget.fit`) keeps messages under Microsoft's limit, but only the
    connector knows its exact count: a 413 splits the activity in two and sends the halves,
    down to MAX_SPLITS times, so a message too big is sent in parts rather than lost.
    """
    ids: list[str] = []
    pending = [(a, 0) for a in activities]
    while pending:
        activity, depth = pending.pop(0)
        try:
            response = await with_retry(lambda a=activity: send(a), policy, what)
        except HttpOperationError as exc:
            parts = budget.halves(activity) if status_of(exc) == TOO_BIG else []
            if not parts or depth >= MAX_SPLITS:
                raise
            log.info("Teams connector found a message too big (413): sending it in two")
            pending[:0] = [(p, depth + 1) for p in parts]
            continue
        ids.append(response.id if response and response.id else "")
    return ids
