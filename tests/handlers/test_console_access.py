"""The terminal: escape sequences in a deal name given as an argument never reach the
screen (stored clean, printed clean), and managers' teams from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEALCOACH = str(Path(sys.executable).with_name("dealcoach"))


def run(*argv: str) -> str:
    """The real command line, as a user runs it (stdin empty: the chat ends at once)."""
    done = subprocess.run(
        [DEALCOACH, *argv], input="", capture_output=True, text=True, timeout=60, check=False
    )
    return done.stdout


def test_a_deal_name_with_escape_sequences_is_shown_clean(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    evil = "Evil\x1b]0;pwned\x07\u202e - deal\x1b[2J\x9b1m"
    out = run("--db", db, "chat", "--user", "eve", evil)
    out += run("--db", db, "deals", "--user", "eve")
    assert "Evil — deal" in out
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in out


def test_team_add_list_and_team_deals(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    run("--db", db, "chat", "--user", "dana", "Acme - renewal")
    run("--db", db, "chat", "--user", "lee", "Globex - pilot")
    added = run("--db", db, "team", "--user", "maria", "add", "@dana")
    assert "In the team maria: dana." in added
    listing = run("--db", db, "team", "--user", "maria")
    assert "maria (no digest): dana" in listing and "Reps not in a team: lee" in listing
    deals = run("--db", db, "deals", "--team", "--user", "maria")
    assert "Team maria: 1 open deal" in deals and "dana: Acme — renewal" in deals
    assert "Globex" not in deals


def test_digest_set_from_the_terminal_then_previewed_for_the_team_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    run("--db", db, "chat", "--user", "dana", "Acme - renewal")
    run("--db", db, "chat", "--user", "lee", "Globex - pilot")
    run("--db", db, "team", "--user", "maria", "add", "dana")
    said = run("--db", db, "digest", "--user", "maria", "--set", "#sales-leads")
    assert "The weekly deal digest will go to #sales-leads" in said
    shown = run("--db", db, "digest", "--preview", "--now", "2026-11-30T10:00Z")
    assert "Acme" in shown and "Globex" not in shown
