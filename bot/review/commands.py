"""Commands and the way into every turn: what a typed word, a slash command or a button means.

`text` and `value` decide whether a turn is a command (`list`, `plan`, `help`…), a button
on a card, or an answer to the review's current question (then `Dialog.answer` takes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import settings
from bot.messages import Choice, Question
from bot.review import deal_choice, due
from bot.settings import WEEKDAYS
from bot.state import ReviewState
from process import playbook as pb
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

COMMANDS = ("review", "list", "plan", "help", "settings", "cancel", "digest")
_COMMAND_WORDS = {
    "help": "help",
    "?": "help",
    "list": "list",
    "deals": "list",
    "my deals": "list",
    "plan": "plan",
    "review": "review",
    "dealreview": "review",
    "start": "review",
    "start a review": "review",
    "new review": "review",
    "settings": "settings",
    "digest": "digest",
    "cancel": "cancel",
    "stop": "cancel",
    "quit": "cancel",
    "exit": "cancel",
}

HELP = (
    "*dealcoach* turns each deal review into a plan both sides can follow: what the "
    "customer does next, what we do to help, and by when, against a decision date that "
    "stays put.\n"
    "• *review* [deal]: start a guided review (about 3 minutes), or pick up where you left off\n"
    "• *list*: your deals with decision date, plan health and the next customer step\n"
    "• *plan* DEAL: one deal's action plan, with Done / Reschedule / Drop per step\n"
    "• *settings*: your time zone, weekly nudge day and time, pause for holidays\n"
    "• *cancel*: stop the current review (everything you answered is kept)\n"
    "• *digest* CHANNEL: (managers) send the weekly team digest to that channel\n"
    "• *help*: this message"
)


def command(d: Dialog, name: str, args: str) -> None:
    """Run command `name` (lower case) with its arguments; an unknown one shows the help."""
    if name in ("", "review", "start"):
        deal_choice.start_review(d, args)
    elif name in ("list", "deals"):
        d.out.append(d.deal_list())
        d.reask()
    elif name == "plan":
        d.show_plan(args)
        d.reask()
    elif name == "help":
        d.say(HELP)
        d.reask()
    elif name == "settings":
        d.out.append(settings.settings_form(d.user))
    elif name in ("cancel", "stop"):
        cancel(d)
    elif name == "digest":
        set_digest(d, args)
    else:
        d.say(f"I don't know the command “{name}”. Here is what I can do:", "warning")
        d.say(HELP)
        d.reask()


def set_digest(d: Dialog, channel: str) -> None:
    """A manager names where the weekly digest goes; the platform resolved `channel`."""
    if not channel:
        d.say(
            "Tell me where the weekly manager digest should go: in Slack "
            "`/dealreview digest #channel`, in Teams type *digest here* in the team channel.",
            "warning",
        )
        return
    team = crud.set_digest_channel(d.s, d.user, channel, d.tz.key)
    day = WEEKDAYS[team.digest_weekday]
    d.say(
        f"The weekly deal digest will go to {channel} on {day}s at {team.digest_time} "
        f"({team.timezone}).",
        "success",
    )


def cancel(d: Dialog) -> None:
    if not d.state.active:
        d.say("There's no review in progress. Type *review* to start one.")
        return
    title = d.deal.title if d.deal else "the deal"
    d.state = ReviewState()
    d.say(
        f"Stopped the review of {title}. Everything you answered is saved; "
        "type *review* to start again."
    )


def text(d: Dialog, raw: str) -> None:
    """Free text: a command word, a greeting outside a review, or an answer inside one."""
    typed, cut = pb.clean_answer(raw)
    word = _COMMAND_WORDS.get(typed.lower().strip(" .!/"))
    if not d.state.active:
        if not typed:
            d.say("Type *review* to start a deal review, or *help* to see what I do.")
            return
        first, _, rest = typed.partition(" ")
        cmd = _COMMAND_WORDS.get(first.lower().strip(" ./!"))
        if word or cmd:
            command(d, word or cmd or "", "" if word else rest)
            return
        d.say(
            "Hi! I run short deal reviews that end in a plan: what the customer does "
            "next, what we do, and by when."
        )
        d.out.append(
            Question(
                "Shall we review a deal?",
                choices=(
                    Choice("Start a review", "cmd:review", "primary"),
                    Choice("My deals", "cmd:list"),
                    Choice("Help", "cmd:help"),
                ),
            )
        )
        return
    if word in ("help", "cancel"):
        command(d, word, "")
        return
    if not typed:
        d.say("I didn't catch anything there.", "warning")
        d.ask()
        return
    if cut:
        d.say(f"That was long, so I kept the first {pb.MAX_ANSWER_CHARS} characters.", "warning")
    d.answer(typed, None)


def value(d: Dialog, value: str) -> None:
    """A button value: a command, a step action from a plan card, or an answer."""
    if value.startswith("cmd:"):
        name, _, args = value[4:].partition(":")
        command(d, name, args)
    elif value.startswith("step:"):
        due.step_action(d, value)
    elif value.startswith("review:"):
        deal_choice.start_review(d, value.split(":", 1)[1])
    elif not d.state.active:
        d.say("That button belongs to a review that has ended. Type *review* to start a new one.")
    else:
        d.answer(None, value)


def save_settings(d: Dialog, form: dict[str, str]) -> None:
    """The settings form: save what is valid, say field by field what is not."""
    errors = settings.apply_settings(d.user, form, d.today)
    d.form_errors = errors
    d.s.add(d.user)
    summary = settings.describe(d.user, d.tz.key, d.today)
    if errors:
        d.say("Not saved:\n• " + "\n• ".join(errors.values()), "error")
        d.say(f"Everything else is saved: {summary}.")
    else:
        d.say(f"Settings saved: {summary}.", "success")
    d.reask()
