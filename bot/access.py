"""Who may do what with digests and teams: the `digest` and `team` commands.

The rule (issue 12): a digest is set, moved or stopped by a workspace admin or owner (the
platform's flag, `User.is_admin`, or for Teams the owner of the team whose channel is
named, `Turn.channel_owner`), by someone listed in the `ADMINS` setting, or by the
digest's own manager. Everyone else is told who can do it, and nothing changes. A button
value or a typed command is a request, never a proof: every path lands here.

A manager has one team; a digest covers its team's members only. A manager adds and
removes their own reps; a rep already in another manager's team is moved only by an admin.
Whoever is affected and did not act (the manager whose digest moved, a rep added to a
team, a manager who lost a rep) gets a `Notice`, delivered by the handler.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from bot.messages import Mention, Notice, Text
from bot.settings import WEEKDAYS
from storage import crud
from storage.models import Team, User

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

STOP_WORDS = ("off", "stop", "none")
WHO_MAY = (
    "Only a workspace admin or owner, someone listed in the ADMINS setting, or the "
    "digest's manager can set, move or stop a team digest"
)


def is_admin(user: User, admins: Collection[str]) -> bool:
    """The platform says admin/owner, or `ADMINS` lists the user (bare id or workspace:id)."""
    return (
        user.is_admin
        or user.platform_user_id in admins
        or f"{user.workspace_id}:{user.platform_user_id}" in admins
    )


def name_of(user: User) -> str:
    return user.display_name or user.platform_user_id


def listing(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Access:
    """The digest and team commands of one turn, speaking through the dialog."""

    def __init__(self, dialog: Dialog, admins: Collection[str]) -> None:
        self.d = dialog
        self.s = dialog.s
        self.user = dialog.user
        self.admins = admins

    @property
    def admin(self) -> bool:
        return is_admin(self.user, self.admins)

    def person(self, m: Mention) -> User:
        return crud.ensure_user(self.s, self.user.workspace_id, m.user_id, self.d.now, m.name)

    def notify(self, user: User, text: str) -> None:
        if user.id != self.user.id:
            self.d.notices.append(Notice(user.platform_user_id, (Text(text),)))

    def notify_manager(self, team: Team, text: str) -> None:
        """Tell a team's manager (unless they are the one acting)."""
        manager = self.s.get(User, team.manager_user_id) if team.manager_user_id else None
        if manager is not None:
            self.notify(manager, text)

    def who_can(self, team: Team | None) -> str:
        """The names of the people who could do it, so a refusal says whom to ask."""
        names: list[str] = []
        if team is not None and team.manager_user_id:
            manager = self.s.get(User, team.manager_user_id)
            if manager is not None:
                names.append(f"{name_of(manager)} (the digest's manager)")
        known = crud.users_by_platform_id(self.s, self.user.workspace_id, self.admins)
        admins = crud.workspace_admins(self.s, self.user.workspace_id)
        admins += [u for u in known.values() if u not in admins]
        names += [name_of(u) for u in admins[:3] if u.id != self.user.id]
        return f" Ask {listing(names)}." if names else ""

    # --- digest ---------------------------------------------------------------------------

    def digest(self, args: str, mentions: tuple[Mention, ...], channel_owner: bool) -> None:
        """`digest CHANNEL [@manager]`, `digest off [@manager]`, or `digest` (where it goes)."""
        words = args.split()
        manager = self.person(mentions[0]) if mentions else self.user
        team = crud.team_of_manager(self.s, manager)
        if not words:
            self.digest_status(team)
            return
        channel = None if words[0].lower() in STOP_WORDS else words[0]
        allowed = self.admin or (team is not None and manager.id == self.user.id)
        if channel and channel_owner and manager.id == self.user.id:
            allowed = True  # a Teams team owner may put their own digest in their team
        if not allowed:
            own = self.s.get(Team, self.user.team_id) if self.user.team_id else None
            self.d.say(f"{WHO_MAY}. Nothing changed.{self.who_can(team or own)}", "warning")
            return
        if channel is None:
            self.stop_digest(team, manager)
            return
        team = crud.ensure_team(self.s, manager, self.d.tz.key)
        old = team.digest_channel
        crud.set_digest_channel(self.s, team, channel, self.d.tz.key)
        self.d.digest_channel = channel
        day = WEEKDAYS[team.digest_weekday]
        whose = "" if manager.id == self.user.id else f"of {name_of(manager)}'s team "
        self.d.say(
            f"The weekly deal digest {whose}will go to {channel} "
            f"on {day}s at {team.digest_time} ({team.timezone}).",
            "success",
        )
        if not crud.team_members(self.s, team):
            self.d.say(
                "The team has nobody in it yet: add reps with *team add* @name "
                "(a rep in no team is in no digest)."
            )
        verb = "set up your team's weekly deal digest in"
        if old and old != channel:
            verb = f"moved your team's weekly deal digest from {old} to"
        self.notify(
            manager,
            f"{name_of(self.user)} {verb} {channel} ({day}s at {team.digest_time}).",
        )

    def stop_digest(self, team: Team | None, manager: User) -> None:
        if team is None or not team.digest_channel:
            self.d.say("There is no digest to stop.")
            return
        crud.set_digest_channel(self.s, team, None, team.timezone)
        self.d.say(f"Stopped the weekly deal digest of {team.name}.", "success")
        self.notify(manager, f"{name_of(self.user)} stopped the weekly deal digest of your team.")

    def digest_status(self, team: Team | None) -> None:
        if team is None or not team.digest_channel:
            self.d.say(
                "Tell me where the weekly manager digest should go: in Slack "
                "`/dealreview digest #channel`, in Teams type *digest here* in the team channel.",
                "warning",
            )
            return
        self.d.say(
            f"Your team's digest goes to {team.digest_channel} on "
            f"{WEEKDAYS[team.digest_weekday]}s at {team.digest_time} ({team.timezone})."
        )

    # --- team -------------------------------------------------------------------------------

    def team(self, args: str, mentions: tuple[Mention, ...]) -> None:
        """`team` (list), `team add @rep …`, `team remove @rep …`."""
        verb = args.split(" ", 1)[0].lower() if args else ""
        if verb in ("add", "remove", "rm"):
            if not mentions:
                self.d.say(f"Name the reps with @, e.g. *team {verb} @Dana @Lee*.", "warning")
                return
            mine = crud.team_of_manager(self.s, self.user)
            if mine is None and not self.admin:
                self.d.say(
                    "Only a manager (someone whose team has a digest) or an admin can change "
                    f"a team. Nothing changed.{self.who_can(None)}",
                    "warning",
                )
                return
            if verb == "add":
                self.add(mine or crud.ensure_team(self.s, self.user, self.d.tz.key), mentions)
            else:
                self.remove(mine, mentions)
            return
        self.show_team()

    def add(self, team: Team, mentions: tuple[Mention, ...]) -> None:
        added, refused = [], []
        for m in mentions:
            rep = self.person(m)
            if rep.team_id == team.id:
                added.append(name_of(rep))
                continue
            other = self.s.get(Team, rep.team_id) if rep.team_id else None
            if other is not None and not self.admin:
                refused.append(f"{name_of(rep)} is in {other.name}'s team")
                continue
            rep.team_id = team.id
            self.s.add(rep)
            added.append(name_of(rep))
            self.notify(
                rep,
                f"{name_of(self.user)} added you to the team {team.name}: your deals now "
                "appear in its weekly digest.",
            )
            if other is not None:
                self.notify_manager(
                    other, f"{name_of(self.user)} moved {name_of(rep)} to {team.name}."
                )
        if added:
            self.d.say(f"In the team {team.name}: {listing(added)}.", "success")
        if refused:
            self.d.say(
                f"{'; '.join(refused)}: only that manager or an admin can move them.", "warning"
            )

    def remove(self, team: Team | None, mentions: tuple[Mention, ...]) -> None:
        removed, refused = [], []
        for m in mentions:
            rep = self.person(m)
            theirs = self.s.get(Team, rep.team_id) if rep.team_id else None
            if theirs is None:
                refused.append(f"{name_of(rep)} is in no team")
                continue
            if not (team is not None and theirs.id == team.id) and not self.admin:
                refused.append(f"{name_of(rep)} is not in your team")
                continue
            rep.team_id = None
            self.s.add(rep)
            removed.append(name_of(rep))
            self.notify(rep, f"{name_of(self.user)} took you out of the team {theirs.name}.")
            self.notify_manager(
                theirs, f"{name_of(self.user)} took {name_of(rep)} out of your team."
            )
        if removed:
            self.d.say(f"Out of the team: {listing(removed)}.", "success")
        if refused:
            self.d.say("; ".join(refused) + ".", "warning")

    def show_team(self) -> None:
        """A manager's team and the reps in no team; an admin sees every team; a rep theirs."""
        mine = crud.team_of_manager(self.s, self.user)
        if mine is None and not self.admin:
            own = self.s.get(Team, self.user.team_id) if self.user.team_id else None
            self.d.say(
                f"You're in the team {own.name}."
                if own
                else "You're not in a team, so your deals are in no manager's digest."
            )
            return
        teams = crud.teams_in(self.s, self.user.workspace_id) if self.admin else [mine]
        lines = []
        for team in teams:
            if team is None:
                continue
            members = [name_of(u) for u in crud.team_members(self.s, team)]
            where = (
                f"digest to {team.digest_channel}, {WEEKDAYS[team.digest_weekday]}s "
                f"{team.digest_time} ({team.timezone})"
                if team.digest_channel
                else "no digest"
            )
            lines.append(
                f"*{team.name}* ({where}): {listing(members) if members else 'nobody yet'}"
            )
        loose = [name_of(u) for u in crud.reps_without_team(self.s, self.user.workspace_id)]
        lines.append(f"*Reps not in a team*: {listing(loose) if loose else 'none'}")
        if not lines[:-1]:
            lines.insert(0, "No teams yet: *team add* @rep starts yours.")
        self.d.say("\n".join(lines))
