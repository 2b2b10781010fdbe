"""`dealcoach teams-package`: the Teams app package (manifest.json + two icons, zipped).

The manifest declares schema v1.17. `validate_manifest` checks, at build time and without
extra dependencies, what v1.17 requires of the parts we use, so a broken package fails here
rather than in Teams; the tests also validate the whole manifest against Microsoft's
published v1.17 JSON Schema (kept in tests/handlers/teams/schema/).
Icons are drawn in code (a rising bar chart) so the package needs no image files.
"""

from __future__ import annotations

import io
import json
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

MANIFEST_VERSION = "1.17"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
ACCENT = "#2B5797"
#: The bot's command menu (title <= 32 chars, description <= 128, at most 10 per list).
COMMANDS = (
    ("dealreview", "Start a guided deal review, or pick up where you left off"),
    ("list", "Your deals: decision date, plan health, next customer step"),
    ("plan", "One deal's action plan: type plan and the deal's name"),
    ("undo", "Take back the last thing you recorded"),
    ("close", "Close a deal: won, lost or no decision, and why"),
    ("settings", "Your time zone, weekly nudge and holiday pause"),
    ("help", "What dealcoach does and how to use it"),
)
CHANNEL_COMMANDS = (("digest here", "Managers: send the weekly team deal digest to this channel"),)
#: A fixed namespace so the same bot always gets the same Teams app id (upgrades, not duplicates).
APP_NAMESPACE = uuid.UUID("6f1c1a52-4c1e-4bb0-9a4e-2c9d7f0b8e11")


# --- icons --------------------------------------------------------------------------------


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """A minimal RGBA PNG (IHDR, one IDAT, IEND) from a pixel function."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _bars(size: int, x: int, y: int) -> bool:
    """Three rising bars: is (x, y) on one of them? Drawn inside a 1/6 margin."""
    margin, gap = size // 6, size // 16 or 1
    inner = size - 2 * margin
    width = (inner - 2 * gap) // 3
    for i, height in enumerate((0.4, 0.65, 0.9)):
        left = margin + i * (width + gap)
        if left <= x < left + width and size - margin - int(inner * height) <= y < size - margin:
            return True
    return False


def color_icon(size: int = 192) -> bytes:
    """Full-color icon: white bars on the accent color (Teams wants 192x192)."""
    r, g, b = (int(ACCENT[i : i + 2], 16) for i in (1, 3, 5))
    return png(
        size, size, lambda x, y: (255, 255, 255, 255) if _bars(size, x, y) else (r, g, b, 255)
    )


def outline_icon(size: int = 32) -> bytes:
    """Outline icon: white on transparent (Teams wants 32x32)."""
    return png(size, size, lambda x, y: (255, 255, 255, 255) if _bars(size, x, y) else (0, 0, 0, 0))


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- manifest -----------------------------------------------------------------------------


def build_manifest(
    bot_id: str,
    version: str = "1.0.0",
    website: str = "https://github.com/dealcoach/dealcoach",
    domain: str | None = None,
) -> dict[str, Any]:
    """The v1.17 manifest for our bot (personal chat for reps, team channels for digests)."""
    manifest: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": str(uuid.uuid5(APP_NAMESPACE, bot_id)),
        "developer": {
            "name": "dealcoach",
            "websiteUrl": website,
            "privacyUrl": f"{website}#privacy",
            "termsOfUseUrl": f"{website}#terms",
        },
        "name": {"short": "dealcoach", "full": "dealcoach: deal reviews that end in a plan"},
        "description": {
            "short": "Deal reviews that end in a mutual action plan",
            "full": (
                "dealcoach runs a short guided review of each deal in a 1:1 chat and turns it "
                "into an action plan both sides can follow: what the customer does next, what "
                "we do to help, and by when, against a decision date that stays put. It "
                "reminds reps of due steps, nudges weekly, and posts a team digest to a channel."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "supportsFiles": True,  # the plan exports: file consent in a 1:1 chat
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [{"title": t, "description": d} for t, d in COMMANDS],
                    },
                    {
                        "scopes": ["team"],
                        "commands": [{"title": t, "description": d} for t, d in CHANNEL_COMMANDS],
                    },
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [domain] if domain else [],
    }
    return manifest


# What schema v1.17 requires of the parts we use (checked by `validate_manifest`).
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HTTPS = re.compile(r"^https://")
_TOP_LEVEL = {
    "$schema", "manifestVersion", "version", "id", "localizationInfo", "developer", "name",
    "description", "icons", "accentColor", "configurableTabs", "staticTabs", "bots",
    "connectors", "subscriptionOffer", "composeExtensions", "permissions", "devicePermissions",
    "validDomains", "webApplicationInfo", "graphConnector", "showLoadingIndicator",
    "isFullScreen", "activities", "configurableProperties", "supportedChannelTypes",
    "defaultBlockUntilAdminAction", "publisherDocsUrl", "defaultInstallScope",
    "defaultGroupCapability", "meetingExtensionDefinition", "authorization", "extensions",
    "actions", "dashboardCards", "copilotExtensions", "packageName",
}  # fmt: skip
_REQUIRED = (
    "manifestVersion",
    "version",
    "id",
    "developer",
    "name",
    "description",
    "icons",
    "accentColor",
)
_SCOPES = {"team", "personal", "groupChat", "groupchat"}


def validate_manifest(m: dict[str, Any], files: dict[str, bytes] | None = None) -> list[str]:
    """Problems with a manifest against the v1.17 rules for the fields we use ([] = valid).

    Checked: required top-level fields and no unknown ones; GUID ids; semver version;
    developer name + https URLs; name/description lengths; accent color; icon files
    present, PNG, 192x192 color and 32x32 outline; bot id, scopes, command lists (<= 3
    lists, <= 10 commands, title <= 32, description <= 128). Not checked: the fields we
    do not emit (tabs, connectors, message extensions, localization, ...).
    """
    errors: list[str] = []

    def need(cond: bool, message: str) -> None:
        if not cond:
            errors.append(message)

    need(
        m.get("manifestVersion") == MANIFEST_VERSION, f"manifestVersion must be {MANIFEST_VERSION}"
    )
    need(m.get("$schema") == SCHEMA_URL, "$schema must name the v1.17 schema")
    errors += [f"missing required field {k}" for k in _REQUIRED if k not in m]
    errors += [f"unknown top-level field {k}" for k in m if k not in _TOP_LEVEL]
    need(bool(_GUID.match(str(m.get("id", "")))), "id must be a GUID")
    need(bool(_SEMVER.match(str(m.get("version", "")))), "version must be MAJOR.MINOR.PATCH")
    dev = m.get("developer") or {}
    need(0 < len(dev.get("name", "")) <= 32, "developer.name is required (<= 32 chars)")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        need(bool(_HTTPS.match(str(dev.get(key, "")))), f"developer.{key} must be an https URL")
    name = m.get("name") or {}
    need(0 < len(name.get("short", "")) <= 30, "name.short is required (<= 30 chars)")
    need(len(name.get("full", "")) <= 100, "name.full must be <= 100 chars")
    desc = m.get("description") or {}
    need(0 < len(desc.get("short", "")) <= 80, "description.short is required (<= 80 chars)")
    need(0 < len(desc.get("full", "")) <= 4000, "description.full is required (<= 4000 chars)")
    need(bool(_HEX_COLOR.match(str(m.get("accentColor", "")))), "accentColor must be #RRGGBB")
    icons = m.get("icons") or {}
    for kind, size in (("color", (192, 192)), ("outline", (32, 32))):
        path = icons.get(kind)
        need(bool(path), f"icons.{kind} is required")
        if path and files is not None:
            if path not in files:
                errors.append(f"icons.{kind} file {path} is not in the package")
                continue
            try:
                got = png_size(files[path])
                need(got == size, f"icons.{kind} must be {size[0]}x{size[1]}, is {got[0]}x{got[1]}")
            except ValueError:
                errors.append(f"icons.{kind} must be a PNG")
    bots = m.get("bots") or []
    need(len(bots) <= 1, "at most one bot")
    for bot in bots:
        need(bool(_GUID.match(str(bot.get("botId", "")))), "bots[].botId must be the app id (GUID)")
        scopes = bot.get("scopes") or []
        need(
            0 < len(scopes) <= 3 and set(scopes) <= _SCOPES,
            "bots[].scopes: 1-3 of team/personal/groupChat",
        )
        lists = bot.get("commandLists") or []
        need(len(lists) <= 3, "bots[].commandLists: at most 3")
        for cl in lists:
            need(
                bool(cl.get("scopes")) and set(cl["scopes"]) <= set(scopes),
                "commandLists[].scopes must be bot scopes",
            )
            commands = cl.get("commands") or []
            need(0 < len(commands) <= 10, "commandLists[].commands: 1-10")
            for c in commands:
                need(
                    0 < len(c.get("title", "")) <= 32,
                    f"command title {c.get('title')!r}: 1-32 chars",
                )
                need(
                    0 < len(c.get("description", "")) <= 128,
                    f"command {c.get('title')!r}: description 1-128 chars",
                )
    need(
        all(isinstance(d, str) and "/" not in d for d in m.get("validDomains", [])),
        "validDomains: host names only",
    )
    return errors


def build_package(bot_id: str, **manifest_kw: Any) -> bytes:
    """The zip Teams accepts: manifest.json and both icons at the root. Raises if invalid."""
    manifest = build_manifest(bot_id, **manifest_kw)
    files = {"color.png": color_icon(), "outline.png": outline_icon()}
    errors = validate_manifest(manifest, files)
    if errors:
        raise ValueError("The Teams manifest is not valid: " + "; ".join(errors))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()
