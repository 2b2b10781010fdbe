"""No payload makes the server answer 500: a sample of random signed traffic on every run.

The full count (20,000 per endpoint) is `bench/fuzz.py`; the strategies are in
tests/fuzz.py. Hypothesis draws new payloads on every run (no example database), so each
`make test` tries different ones; a failure prints the payload to replay.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from tests.fuzz import SLACK_BODY, LiveServer, activity

SAMPLE = settings(
    max_examples=150,
    phases=[Phase.explicit, Phase.generate],  # shrinking a 500 is slow; the payload is printed
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    with LiveServer(path) as live:
        yield live


def test_signed_random_slack_payloads_never_get_a_500(server: LiveServer) -> None:
    @SAMPLE
    @given(SLACK_BODY)
    def one(body: tuple[str, str]) -> None:
        assert server.slack(*body) != 500, body

    one()


def test_random_activities_never_get_a_500(server: LiveServer) -> None:
    @SAMPLE
    @given(activity(server.connector_url))
    @example("null")  # the bodies fuzzing found first, tried on every run
    @example("[" * 5000 + "]" * 5000)
    @example('{"type": "message", "serviceUrl": "http://127.0.0.1:9/", "from": {"id": "29:x"}}')
    @example(  # the SDK's invoke error for a malformed card action does not serialize
        '{"type": "invoke", "name": "adaptiveCard/action", "id": "1", "value": [null], '
        '"serviceUrl": "http://127.0.0.1:9/", "conversation": {"id": "a:fuzz"}, '
        '"from": {"id": "29:fuzz"}, "recipient": {"id": "28:bot"}}'
    )
    def one(body: str) -> None:
        assert server.teams(body) != 500, body[:2000]

    one()
