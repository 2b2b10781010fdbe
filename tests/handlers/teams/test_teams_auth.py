"""Auth on, for real: tokens signed by a fake Bot Framework token service are checked.

The SDK fetches the OpenID metadata and signing keys with blocking `requests` calls from
inside the event loop, so the fake key server runs on its own thread (a plain
`http.server`), not on the test's loop.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlmodel import Session, select

from bot.engine import Coach
from handlers import teams
from storage.db import Database
from storage.models import User
from tests.handlers.teams.fake_bot_connector import FakeConnector
from tests.handlers.teams.teams_harness import BOT_ID, TENANT, settings

APP_ID = "0f6a3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def token_service() -> Iterator[str]:
    """OpenID metadata + JWKS (with the `msteams` endorsement) on 127.0.0.1, own thread."""
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk |= {"kid": "key-1", "use": "sig", "endorsements": ["msteams"]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            body = (
                {"issuer": ISSUER, "jwks_uri": f"{base}/keys"}
                if self.path.endswith("openid-configuration")
                else {"keys": [jwk]}
            )
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/openid-configuration"
    server.shutdown()
    server.server_close()


def token(service_url: str, key=KEY, aud: str = APP_ID, exp_in: int = 3600) -> str:  # type: ignore[no-untyped-def]
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": aud,
        "nbf": now - 60,
        "exp": now + exp_in,
        "serviceurl": service_url,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "key-1"})


async def test_auth_on_accepts_a_valid_token_and_refuses_bad_ones(
    db: Database, coach: Coach, connector: FakeConnector, token_service: str
):
    app = web.Application()
    sdk = {
        "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": token_service,
        "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": ISSUER,
    }
    teams.mount(app, settings(db, APP_ID), coach, sdk_config=sdk)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/messages"  # type: ignore[union-attr]
    # A typing indicator needs no reply, so no outgoing token is needed for this test.
    activity = {
        "type": "typing",
        "id": "1",
        "serviceUrl": connector.url,
        "channelId": "msteams",
        "from": {"id": "29:x", "aadObjectId": "aad-x"},
        "conversation": {"conversationType": "personal", "tenantId": TENANT, "id": "a:1"},
        "recipient": {"id": BOT_ID},
    }

    async def post(auth: str | None) -> int:
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json=activity, headers=headers) as r,
        ):
            return r.status

    try:
        assert await post(token(connector.url)) == 201
        assert await post(None) == 401
        assert await post(token(connector.url, aud="some-other-bot")) == 401
        assert await post(token(connector.url, key=OTHER_KEY)) == 401
        assert await post(token(connector.url, exp_in=-3600)) == 401
        assert await post(token("https://evil.example.com/")) == 401  # serviceurl must match
    finally:
        await runner.cleanup()
    assert connector.calls == []
    with Session(db.engine) as s:
        assert s.exec(select(User)).all() == []


# --- app types and malformed activities (issue 13) ------------------------------------


def test_single_tenant_is_the_default_and_needs_the_tenant_id(db: Database) -> None:
    """Azure stopped creating multi-tenant bots in July 2025: SingleTenant is the default."""
    from config import Settings
    from handlers.teams.adapter import build_adapter

    base = {"_env_file": None, "database_url": str(db.url), "microsoft_app_id": APP_ID}
    plain = Settings(**base, microsoft_app_password="s")  # type: ignore[arg-type]
    assert plain.microsoft_app_type == "SingleTenant"
    with pytest.raises(SystemExit, match="needs MicrosoftAppTenantId.*Directory \\(tenant\\) ID"):
        build_adapter(plain)
    assert build_adapter(
        Settings(**base, microsoft_app_password="s", microsoft_app_tenant_id=TENANT)
    )  # type: ignore[arg-type]


def test_user_assigned_managed_identity_needs_a_tenant_but_no_secret(db: Database) -> None:
    from config import Settings
    from handlers.teams.adapter import build_adapter

    base = {"_env_file": None, "database_url": str(db.url), "microsoft_app_id": APP_ID}
    msi = {**base, "microsoft_app_type": "UserAssignedMSI"}
    with pytest.raises(SystemExit, match="UserAssignedMSI needs MicrosoftAppTenantId"):
        build_adapter(Settings(**msi))  # type: ignore[arg-type]
    assert build_adapter(Settings(**msi, microsoft_app_tenant_id=TENANT))  # type: ignore[arg-type]
    with pytest.raises(SystemExit, match="is not one of SingleTenant, UserAssignedMSI"):
        build_adapter(Settings(**base, microsoft_app_type="Multi"))  # type: ignore[arg-type]


async def test_an_activity_without_service_url_gets_400_at_once(
    db: Database, coach: Coach, connector: FakeConnector
) -> None:
    from tests.handlers.teams.teams_harness import Server, TeamsChat

    server = await Server(db, coach).start()
    try:
        chat = TeamsChat(server, connector)
        activity = chat.activity(text="help")
        del activity["serviceUrl"]
        started = time.monotonic()
        assert await chat.post(activity) == 400
        assert time.monotonic() - started < 5  # not a 30-second call to the public service
    finally:
        await server.stop()
    assert connector.calls == []
