"""The Teams app package: a zip Teams accepts, checked against the v1.17 manifest rules."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from app import main
from handlers.teams.package import (
    MANIFEST_VERSION,
    SCHEMA_URL,
    build_manifest,
    build_package,
    color_icon,
    png_size,
    validate_manifest,
)

APP_ID = "0f6a3b8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def test_cli_writes_a_valid_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "teams.zip"
    assert (
        main(
            ["teams-package", "--app-id", APP_ID, "--out", str(out), "--domain", "bot.example.com"]
        )
        == 0
    )
    assert "Upload an app" in capsys.readouterr().out
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        files = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["manifestVersion"] == MANIFEST_VERSION and manifest["$schema"] == SCHEMA_URL
    assert validate_manifest(manifest, files) == []
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID
    titles = [c["title"] for cl in bot["commandLists"] for c in cl["commands"]]
    assert titles[:7] == ["dealreview", "list", "plan", "undo", "close", "settings", "help"]
    assert "digest here" in titles
    assert png_size(files["color.png"]) == (192, 192)
    assert png_size(files["outline.png"]) == (32, 32)
    assert manifest["validDomains"] == ["bot.example.com"]


def test_cli_without_app_id_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "MicrosoftAppId" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_same_bot_keeps_the_same_teams_app_id() -> None:
    assert build_manifest(APP_ID)["id"] == build_manifest(APP_ID)["id"]
    assert build_manifest(APP_ID)["id"] != build_manifest(APP_ID.replace("0f", "1f"))["id"]


@pytest.mark.parametrize(
    ("break_it", "complaint"),
    [
        (lambda m: m.pop("accentColor"), "missing required field accentColor"),
        (lambda m: m.update(accentColor="blue"), "accentColor must be #RRGGBB"),
        (lambda m: m.update(version="1.0"), "version must be MAJOR.MINOR.PATCH"),
        (lambda m: m.update(id="not-a-guid"), "id must be a GUID"),
        (lambda m: m.update(colour="#fff"), "unknown top-level field colour"),
        (lambda m: m["name"].update(short="x" * 31), "name.short is required (<= 30 chars)"),
        (lambda m: m["description"].update(short="x" * 81), "description.short"),
        (lambda m: m["developer"].update(privacyUrl="http://x"), "developer.privacyUrl"),
        (
            lambda m: m["bots"][0]["commandLists"][0]["commands"].append(
                {"title": "a-command-title-that-is-too-long-for-teams", "description": "x"}
            ),
            "1-32 chars",
        ),
        (
            lambda m: m["bots"][0]["commandLists"][0]["commands"].extend(
                [{"title": f"c{i}", "description": "d"} for i in range(6)]
            ),
            "commands: 1-10",
        ),
    ],
)
def test_validation_catches_broken_manifests(break_it, complaint: str) -> None:  # type: ignore[no-untyped-def]
    manifest = build_manifest(APP_ID)
    assert validate_manifest(manifest) == []
    break_it(manifest)
    assert any(complaint in e for e in validate_manifest(manifest)), validate_manifest(manifest)


def test_icons_are_checked_for_size() -> None:
    files = {"color.png": color_icon(96), "outline.png": b"GIF89a"}
    errors = validate_manifest(build_manifest(APP_ID), files)
    assert "icons.color must be 192x192, is 96x96" in errors
    assert "icons.outline must be a PNG" in errors


def test_package_is_deterministic_and_valid() -> None:
    data = build_package(APP_ID)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["bots"][0]["scopes"] == ["personal", "team"]


def test_manifest_validates_against_microsofts_published_schema() -> None:
    """The whole manifest against the official JSON Schema of the version it declares."""
    import jsonschema

    schema_file = (
        Path(__file__).with_name("schema") / f"MicrosoftTeams.v{MANIFEST_VERSION}.schema.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(build_package(APP_ID))).read("manifest.json"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    broken = {**manifest, "bots": [{**manifest["bots"][0], "scopes": ["nowhere"]}]}
    assert list(validator.iter_errors(broken)), "the schema check must be able to fail"
