"""Commands and the way into every turn: what a typed word, a slash command or a button means.

`text` and `value` decide whether a turn is a command (`list`, `plan`, `help`…), a button
on a card, or an answer to the review's current question (then `Dialog.answer` takes it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot import settings
from bot.access import Access
from bot.messages import Choice, Question
from bot.review import deal_choice, due, edit, explain, guide, lifecycle, step_details, undo
from process import playbook as pb
from process.playbook import Stage
from storage import crud

if TYPE_CHECKING:
    from bot.review.dialog import Dialog

COMMANDS = (
    "review",
    "list",
    "plan",
    "stage",
    "help",
    "settings",
    "cancel",
    "digest",
    "team",
    "undo",
    "back",
    "edit",
    "drop",
    "done",
    "close",
    "rename",
    "archive",
    "share",
)
#: Whole answers that are commands wherever they are typed (a step is never just "list").
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
    "stage": "stage",
    "digest": "digest",
    "team": "team",
    "cancel": "cancel",
    "stop": "cancel",
    "quit": "cancel",
    "exit": "cancel",
    "undo": "undo",
    "undo that": "undo",
    "back": "back",
    "go back": "back",
    "previous question": "back",
}
#: First words that make a command of what follows (`plan Acme`, `close Acme`): always
#: outside a review and at the deal question; inside a review only `edit/drop/done #N`.
_LEADING_WORDS = {
    **{w: w for w in COMMANDS},
    "deals": "list",
    "dealreview": "review",
    "start": "review",
}
_DEAL_COMMANDS = frozenset({"plan", "close", "rename", "archive", "review", "share"})
_STEP_REF = re.compile(r"^\s*(?:[^#]{0,80}?\s)?#\s*\d+\b")
#: Text that starts with step numbers ("#1 #2 dne"): understood commands are read before it.
_NUMBERS_LEAD = re.compile(r"^\s*#\s*\d+\b")

HELP = (
    "*dealcoach* turns each deal review into a plan both sides can follow: what the "
    "customer does next, what we do to help, and by when, against a decision date that "
    "stays put.\n"
    "• *review* [deal]: start a guided review (about 3 minutes), or pick up where you left off\n"
    "• *list*: your deals with decision date, plan health and the next customer step\n"
    "• *plan* DEAL: one deal's action plan, numbered, with Done / Reschedule / Edit / Drop\n"
    "• *edit #3 due Dec 4*, *edit #3 ours*, *edit #3 owner Maria*, *drop #3 why*, *done #3*\n"
    "• *undo*: take back the last thing recorded; *back*: the previous question\n"
    "• *share* DEAL: (in a channel with the customer) post the plan for both sides; "
    "their people confirm their steps\n"
    "• *close* DEAL: won, lost or no decision; *rename* DEAL; *archive* DEAL (for junk)\n"
    "• *stage*: (in a review) set the deal's stage in the sales process\n"
    "• *settings*: your time zone, weekly nudge day and time, pause for holidays\n"
    "• *cancel*: stop the current review (everything you answered is kept)\n"
    "• *digest* CHANNEL: (managers, admins) send your team's weekly digest there; *digest off* stops it\n"
    "• *team*: your team; *team add* @rep / *team remove* @rep (managers, admins)\n"
    "• *help*: this message"
)


def command(d: Dialog, name: str, args: str) -> None:
    """Run command `name` (lower case) with its arguments; an unknown one shows the help."""
    if name in ("", "review", "start"):
        deal_choice.start_review(d, args)
    elif name in ("list", "deals"):
        shown = d.deal_list()
        if len(shown.deals) != 1:
            d.state.last_deal_id = None  # several deals on screen: "#3" alone is unclear now
        d.out.append(shown)
        d.reask()
    elif name == "plan":
        if not args and d.deal is not None:
            d.out.append(d.plan_card(d.deal))
        else:
            d.show_plan(args)
        d.reask()
    elif name == "stage":
        guide.start_stage_change(d)
    elif name == "undo":
        undo.undo(d)
    elif name == "back":
        undo.back(d)
    elif name == "edit":
        edit.edit_command(d, args)
    elif name in ("drop", "done"):
        edit.close_command(d, args, "dropped" if name == "drop" else "done")
    elif name == "close":
        lifecycle.close(d, args)
    elif name == "rename":
        lifecycle.rename(d, args)
    elif name == "archive":
        lifecycle.archive(d, args)
    elif name == "share":
        from bot import share  # bot.share reads the review package: import when used

        share.share_command(d, args)
    elif name == "help":
        d.say(HELP)
        d.reask()
    elif name == "settings":
        d.out.append(settings.settings_form(d.user))
    elif name in ("cancel", "stop"):
        cancel(d)
    elif name in ("digest", "team"):
        access = Access(d, d.admins)
        mentions = d.turn.mentions if d.turn else ()
        if name == "digest":
            access.digest(args, mentions, bool(d.turn and d.turn.channel_owner))
        else:
            access.team(args, mentions)
    else:
        d.say(f"I don't know the command “{name}”. Here is what I can do:", "warning")
        d.say(HELP)
        d.reask()


def cancel(d: Dialog) -> None:
    if d.stage in (Stage.RESCHEDULE, Stage.RESCHEDULE_DAY_OFF):  # that question, not the review
        due.leave_reschedule(d)
        return
    if d.stage is Stage.RESCHEDULE_LATE:
        d.say("Kept that date.")
        due.after_reschedule(d)
        return
    if d.state.task is not None:
        d.say("Left that as it was.")
        lifecycle.end_task(d)
        return
    if not d.state.active:
        d.say("There's no review in progress. Type *review* to start one.")
        return
    title = d.deal.title if d.deal else "the deal"
    d.state = d.state.idle()
    d.say(
        f"Stopped the review of {title}. Everything you answered is saved; "
        "type *review* to start again."
    )


def text(d: Dialog, raw: str) -> None:
    """Free text: a command, a greeting outside a review, a correction, or an answer."""
    typed, cut = pb.clean_answer(raw)
    slash, _, after = typed.partition(" ")
    if re.fullmatch(r"/[a-z][\w-]*", slash.lower()) and after.strip():
        typed = after.strip()  # "/dealreview plan" typed in the chat: the words after it
    word = _COMMAND_WORDS.get(typed.lower().strip(" .!/"))
    first, _, rest = typed.partition(" ")
    lead = _LEADING_WORDS.get(first.lower().strip(" ./!"))
    if word:
        command(d, word, "")
        return
    at_deal_question = d.stage in (Stage.PICK_DEAL, Stage.NEW_DEAL)
    if lead and (not d.state.active or at_deal_question) and not _names_a_deal(d, typed):
        command(d, lead, rest)
        return
    if lead in ("edit", "drop", "done") and _STEP_REF.match(rest):
        command(d, lead, rest)
        return
    later = edit.numbers_first(typed) if not at_deal_question else None
    if later and (not later[2] or crud.find_deal(d.s, d.user, later[2])):
        command(d, later[0], later[1])  # "#1 #2 done": a deal's name before them must be one
        return
    if _NUMBERS_LEAD.match(typed) and not at_deal_question:
        # "#1 #2 dne": a mistyped command about steps, never a step or the context line
        d.say(
            f"I read step numbers in “{typed[:60]}” but no command I know. To change steps: "
            "*#1 #2 done*, *drop #2* or *edit #2 due Friday*.",
            "warning",
        )
        if d.state.active:
            d.ask()
        return
    if lead in _DEAL_COMMANDS and rest and crud.find_deal(d.s, d.user, rest.partition(" to ")[0]):
        command(d, lead, rest)  # "close Acme" mid-review names a deal: not a step "close Acme"
        return
    if not d.state.active:
        if not typed:
            d.say("Type *review* to start a deal review, or *help* to see what I do.")
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
    if not typed:
        d.say("I didn't catch anything there.", "warning")
        d.ask()
        return
    if cut:
        d.say(f"That was long, so I kept the first {pb.MAX_ANSWER_CHARS} characters.", "warning")
    if step_details.correct_pending(d, typed) or undo.correction(d, typed):
        return
    if explain.question_back(d, typed):
        return
    d.answer(typed, None)


def _names_a_deal(d: Dialog, typed: str) -> bool:
    """ "Close Brothers - renewal" at the deal question is that deal, not `close`."""
    return any(deal.title.lower() == typed.lower() for deal in crud.find_deal(d.s, d.user, typed))


def value(d: Dialog, value: str) -> None:
    """A button value: a command, a step action from a plan card, or an answer."""
    if value.startswith("cmd:"):
        name, _, args = value[4:].partition(":")
        command(d, name, args)
    elif value.startswith("step:"):
        due.step_action(d, value)
    elif value.startswith("buyer:"):
        d.say(
            "The buttons on a shared plan are for the customer's people. Change our plan "
            "with *plan* DEAL (the shared message follows it).",
            "warning",
        )
    elif value.startswith("export:"):
        from bot import share

        share.export(d, value[7:])
    elif value.startswith("proposal:"):
        from bot import share

        share.proposal_value(d, value)
    elif value.startswith("review:"):
        deal_choice.start_review(d, value.split(":", 1)[1])
    elif value.startswith("close:") and value[6:].isdigit():
        deal = crud.get_deal(d.s, d.user, int(value[6:]))
        if deal is None or deal.status != "open":
            d.say("That deal isn't one of your open deals any more.", "warning")
            d.reask()
        else:
            d.out.append(lifecycle.close_form(deal))
    elif not d.state.active:
        d.say("That button belongs to a review that has ended. Type *review* to start a new one.")
    else:
        d.answer(None, value)


def form(d: Dialog, form_id: str, values: dict[str, str]) -> None:
    """A submitted form, by its id: settings, a step's edit form, a deal's close form."""
    kind, _, ident = form_id.partition(":")
    if kind == "step" and ident.isdigit():
        edit.submit_form(d, int(ident), values)
    elif kind == "close" and ident.isdigit():
        lifecycle.submit_close_form(d, int(ident), values)
    elif kind == "counter":
        from bot import share

        share.submit_counter(d, ident, values)
    elif kind == "settings":
        save_settings(d, values)
    else:
        d.say("That form is one I don't know (it may be from an older version).", "warning")
        d.reask()


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
