"""Who may set, move or stop a digest, and managers' teams, through the real Slack endpoints.

Every request is signed like Slack's and reaches our bolt app over loopback; users.info on
the fake Slack says who is an admin. Then the real schedule pass decides the Monday digest
and posts it through the real Slack delivery, so "nothing changed" is checked where it
matters: which channel the team's pipeline goes to.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import select

from bot.schedule import Schedule
from config import Settings
from handlers.schedule import cadence_from
from handlers.web import DELIVERIES
from storage import crud
from storage.models import Team, User
from tests.handlers.slack.slack_fake import TEAM, FakeSlack, Harness

#: Monday Nov 30, 10:05 in Berlin (the teams' zone, from the admin's users.info `tz`).
MONDAY_DIGEST = dt.datetime(2026, 11, 30, 9, 5, tzinfo=dt.UTC)
WS = f"slack:{TEAM}"


def people(fake: FakeSlack) -> None:
    fake.person("UADA", "Ada Admin", is_admin=True)
    fake.person("UOWN", "Otto Owner", is_owner=True)
    fake.person("UMIA", "Mia Manager")
    fake.person("UREX", "Rex Rep")
    fake.person("ULEE", "Lee Rep")


async def command(h: Harness, text: str, user: str) -> str:
    """Send `/dealreview text` as `user`; the DM reply's text once it arrives."""
    assert h.slack
    before = len(h.fake.to("chat.postMessage"))
    await h.slack.command(text, user=user)
    await h.fake.wait_for("chat.postMessage", before + 1)
    await h.fake.settle(0.2)
    posts = h.fake.to("chat.postMessage")[before:]
    return "\n".join(json.dumps(p.get("blocks")) + p.get("text", "") for p in posts)


def dms_to(fake: FakeSlack, user: str) -> str:
    return "\n".join(
        json.dumps(p.get("blocks"))
        for p in fake.to("chat.postMessage")
        if p["channel"] in (user, f"D{user}")  # DMs go to the user id (or its DM channel)
    )


def teams(h: Harness) -> list[Team]:
    return h.db.run(lambda s: list(s.exec(select(Team).order_by(Team.id))))


def seed_deal(h: Harness, user: str, account: str, name: str = "") -> None:
    def work(s: Any) -> None:
        now = MONDAY_DIGEST - dt.timedelta(days=3)
        rep = crud.ensure_user(s, WS, user, now, name)
        deal = crud.create_deal(s, rep, account, "", now)
        crud.set_decision_date(s, deal, dt.date(2026, 12, 18), now)
        crud.add_step(
            s, deal, f"{account} signs the order form", "customer", dt.date(2026, 12, 4), now
        )

    h.db.run(work)


async def monday(h: Harness) -> dict[str, str]:
    """Run the real schedule pass at the digest hour; channel -> what was posted there."""
    assert h.app is not None
    before = len(h.fake.to("chat.postMessage"))
    schedule = Schedule(
        h.db, h.app[DELIVERIES], cadence_from(Settings()), clock=lambda: MONDAY_DIGEST
    )
    await schedule.run_pass(MONDAY_DIGEST)
    out: dict[str, str] = {}
    for p in h.fake.to("chat.postMessage")[before:]:
        if str(p["channel"]).startswith("C"):  # channels, not DMs (user ids or D…)
            out[p["channel"]] = out.get(p["channel"], "") + json.dumps(p.get("blocks"))
    return out


async def test_a_rep_cannot_move_the_digest_by_command_or_crafted_button(h: Harness) -> None:
    assert h.slack
    people(h.fake)
    said = await command(h, "digest <#C0LEADS|sales-leads> <@UMIA>", "UADA")
    assert "weekly deal digest of Mia Manager's team will go to" in said
    assert "Ada Admin set up your team's weekly deal digest in #sales-leads" in dms_to(
        h.fake, "UMIA"
    )
    await command(h, "team add <@UREX> <@ULEE>", "UMIA")
    assert "added you to the team Mia Manager" in dms_to(h.fake, "UREX")

    refused = await command(h, "digest <#C0MINE|mine>", "UREX")
    assert "Only a workspace admin or owner" in refused and "Nothing changed" in refused
    assert "Ask Mia Manager (the digest's manager) and Ada Admin." in refused
    # the same request as a crafted button value
    before = len(h.fake.to("chat.postMessage"))
    await h.slack.interactive(
        {
            "type": "block_actions",
            "user": {"id": "UREX", "team_id": TEAM},
            "team": {"id": TEAM},
            "api_app_id": "A1",
            "trigger_id": "trig.crafted",
            "container": {"type": "view", "view_id": "V1"},
            "view": {"id": "V1", "hash": "h-crafted"},
            "actions": [
                {
                    "action_id": "dc:home:review",
                    "block_id": "home",
                    "type": "button",
                    "value": "cmd:digest:C0MINE",
                    "text": {"type": "plain_text", "text": "x"},
                }
            ],
        }
    )
    await h.fake.wait_for("chat.postMessage", before + 1)
    await h.fake.settle(0.2)
    assert "Nothing changed" in dms_to(h.fake, "UREX").split("Nothing changed", 1)[1]
    assert [(t.name, t.digest_channel) for t in teams(h)] == [("Mia Manager", "C0LEADS")]

    seed_deal(h, "UREX", "Initech")
    posted = await monday(h)
    assert list(posted) == ["C0LEADS"] and "Initech" in posted["C0LEADS"]


async def test_the_manager_moves_it_and_an_owner_moving_it_tells_the_manager(h: Harness) -> None:
    people(h.fake)
    await command(h, "digest <#C0LEADS|sales-leads> <@UMIA>", "UADA")
    moved = await command(h, "digest <#C0NEW|new-leads>", "UMIA")
    assert "will go to <#C0NEW>" in moved
    before = dms_to(h.fake, "UMIA")
    await command(h, "digest <#C0OTHER|other> <@UMIA>", "UOWN")
    told = dms_to(h.fake, "UMIA")[len(before) :]
    assert "Otto Owner moved your team's weekly deal digest from C0NEW to #other" in told
    await command(h, "digest off <@UMIA>", "UOWN")
    assert teams(h)[0].digest_channel is None
    assert "stopped the weekly deal digest of your team" in dms_to(h.fake, "UMIA")


async def test_admins_setting_grants_the_right(h: Harness) -> None:
    people(h.fake)
    h.coach.admins = frozenset({f"{WS}:UREX"})
    said = await command(h, "digest <#C0REX|rex>", "UREX")
    assert "will go to <#C0REX>" in said
    assert [(t.name, t.manager_user_id is not None) for t in teams(h)] == [("Rex Rep", True)]


async def two_teams(h: Harness) -> None:
    """Mia's team (Rex) digests to #emea, Ada's (Lee) to #amer; Otto is in no team."""
    people(h.fake)
    await command(h, "digest <#C0EMEA|emea> <@UMIA>", "UADA")
    await command(h, "digest <#C0AMER|amer>", "UADA")
    await command(h, "team add <@UREX>", "UMIA")
    await command(h, "team add <@ULEE>", "UADA")


async def test_two_managers_each_get_their_own_teams_digest(h: Harness) -> None:
    await two_teams(h)
    seed_deal(h, "UREX", "Initech")
    seed_deal(h, "ULEE", "Globex")
    seed_deal(h, "UOWN", "Umbrella", "Otto Owner")  # in no team: in no digest
    listing = await command(h, "team", "UADA")
    assert "Reps not in a team" in listing and "Otto Owner" in listing
    posted = await monday(h)
    assert sorted(posted) == ["C0AMER", "C0EMEA"]
    assert "Initech" in posted["C0EMEA"] and "Globex" not in posted["C0EMEA"]
    assert "Globex" in posted["C0AMER"] and "Initech" not in posted["C0AMER"]
    assert all("Umbrella" not in text for text in posted.values())


async def test_a_manager_cannot_take_another_managers_rep(h: Harness) -> None:
    await two_teams(h)
    said = await command(h, "team add <@ULEE>", "UMIA")
    assert "Lee Rep is in Ada Admin's team" in said
    lee = h.db.run(lambda s: s.exec(select(User).where(User.platform_user_id == "ULEE")).one())
    assert lee.team_id == teams(h)[1].id


async def test_a_channel_the_bot_is_not_in_is_reported_at_setup(h: Harness) -> None:
    people(h.fake)
    h.fake.outside.add("C0LOCKED")
    said = await command(h, "digest <#C0LOCKED|locked>", "UADA")
    assert "invite me there with `/invite @dealcoach`" in said and "not_in_channel" in said


async def test_app_home_shows_a_manager_their_teams_deals_and_a_rep_only_their_own(
    h: Harness,
) -> None:
    assert h.slack
    people(h.fake)
    await command(h, "digest <#C0LEADS|sales-leads> <@UMIA>", "UADA")
    await command(h, "team add <@UREX>", "UMIA")
    seed_deal(h, "UREX", "Initech")
    seed_deal(h, "ULEE", "Globex")
    for user in ("UMIA", "UREX"):
        await h.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    views = await h.fake.wait_for("views.publish", 2)
    home = {v["user_id"]: json.dumps(v["view"]) for v in views}
    assert "Rex Rep: Initech" in home["UMIA"] and "Globex" not in home["UMIA"]
    assert "Team Mia Manager" not in home["UREX"] and "Initech" in home["UREX"]
