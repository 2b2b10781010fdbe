"""The terminal front end: neutral replies as plain text, typed lines as turns.

Interactive in a terminal (choices numbered; the number or the words both work). With stdin
not a terminal it reads one answer per line and echoes it, so a scripted review reads like a
transcript: `printf 'Acme - renewal\\n...' | dealcoach chat`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

from bot.engine import Coach
from bot.messages import (
    NO_GAPS,
    Choice,
    DealList,
    File,
    Form,
    Mention,
    PlanCard,
    Question,
    Reply,
    Text,
    Turn,
    UserRef,
    days,
    fmt_date,
)

_BOLD = re.compile(r"\*([^*\n]+)\*")
#: ANSI/ECMA-48 escape sequences: CSI (colours, cursor moves), OSC (window titles, links),
#: DCS/SOS/PM/APC strings, and the two-byte ones.
_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -~]?)"
)
#: C0 controls but newline and tab, DEL, C1 controls, and the bidi marks and overrides
#: (U+061C, U+200E/F, U+202A-E, U+2066-9) that make text read differently than it is stored.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Text that cannot drive the terminal: escape sequences and control characters removed.

    Applied to what people typed on the way in (command arguments, typed lines) and to
    every reply on the way out, so a deal named `$'Evil\\e]0;pwned\\a'` in any store
    prints as `Evil`, not as a new window title.
    """
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def safe_reply(value: Any) -> Any:
    """A reply (any neutral dataclass, nested) with every string made `terminal_safe`."""
    if isinstance(value, str):
        return terminal_safe(value)
    if isinstance(value, tuple):
        return tuple(safe_reply(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: safe_reply(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


_TONE = {"warning": "! ", "error": "✗ ", "success": "✓ ", "coach": "→ ", "info": ""}



def _line_editing() -> None:
    """Line editing for a terminal (GNU readline, where Python has it). Without it, Ctrl-D
    in the middle of a typed line hands the half-typed text to `input` as an answer; with it,
    Ctrl-D there only deletes a character, and quits on an empty line."""
    with contextlib.suppress(ImportError):  # Windows has none
        import readline  # noqa: F401, PLC0415 - importing it is what turns line editing on


class ConsoleRenderer:
    """Neutral replies to text. `ansi` adds bold where the engine marked *emphasis*."""

    def __init__(self, ansi: bool = False) -> None:
        self.ansi = ansi

    def emph(self, text: str) -> str:
        return _BOLD.sub(r"\033[1m\1\033[0m" if self.ansi else r"\1", text)

    def render(self, reply: Reply) -> str:
        reply = safe_reply(reply)
        if isinstance(reply, Text):
            return self.emph(_TONE.get(reply.tone, "") + reply.text)
        if isinstance(reply, Question):
            return self.question(reply)
        if isinstance(reply, PlanCard):
            return self.plan(reply)
        if isinstance(reply, DealList):
            return self.deals(reply)
        if isinstance(reply, Form):
            return self.emph(f"*{reply.title}* (press Enter to keep a value)")
        if isinstance(reply, File):
            return f"({reply.filename}: `dealcoach plan DEAL --format md|ics` writes it)"
        return str(reply)

    def question(self, q: Question) -> str:
        head = f"[{q.progress}] " if q.progress else ""
        lines = [self.emph(head + q.text)]
        if q.hint:
            lines.append(f"  {self.emph(q.hint)}")
        if q.choices:
            lines.append("  " + "   ".join(f"{i}) {c.label}" for i, c in enumerate(q.choices, 1)))
        elif q.date_input:
            lines.append("  (type a date)")
        return "\n".join(lines)

    def plan(self, card: PlanCard) -> str:
        h = card.health
        when = (
            f"decision {fmt_date(card.decision_date, card.today)} ({days(card.days_left)})"
            if card.decision_date and card.days_left is not None
            else "no decision date"
        )
        out = [self.emph(f"┌ *{card.title}* · {when} · health {h.score}/100 {h.label}")]
        if card.stage:
            out.append(f"│ Stage: {card.stage}")
        if card.context:
            out.append(f"│ Context: {card.context}")
        if not card.steps:
            out.append("│ (no steps yet)")
        for s in card.steps:
            flag = f"  [{', '.join(s.flags)}]" if s.flags else ""
            out.append(
                f"│ #{s.number:<2} {s.who:<8} {s.description}{s.owner_note} · due {fmt_date(s.due, card.today)}{flag}"
            )
        if card.risk:
            out.append(f"│ Risk of no decision: {card.risk}")
        if card.confirmed:
            out.append(f"│ {card.confirmed}")
        if card.gaps:
            out.append(f"│ Gaps: {', '.join(card.gaps)}")
        else:
            out.append(f"│ {NO_GAPS}")
        if any(s.actions for s in card.steps):
            out.append(
                "└ Change a step: edit #N due DATE | edit #N ours/theirs | drop #N why | done #N"
            )
        else:
            out.append("└ Add steps with: review")
        return "\n".join(out)

    def deals(self, lst: DealList) -> str:
        if not lst.deals:
            return "You have no open deals yet. Start a review to add one."
        out = [self.emph(f"*{lst.title}*")]
        for d in lst.deals:
            out.append(
                f"• {d.title} · decision {fmt_date(d.decision_date, d.today)} · {d.health.score}/100 {d.health.label}"
                f" · {d.next_note}{d.week_note}{d.confirmed_note}"
            )
            if d.health.reasons:
                out.append(f"    {', '.join(d.health.reasons)}")
        return "\n".join(out)


_AT = re.compile(r"(?<![\w@])@([\w.\-]+)")


def at_mentions(line: str) -> tuple[str, tuple[Mention, ...]]:
    """`@dana` in a typed line names the console user `dana`: the text keeps the name."""
    names = list(dict.fromkeys(_AT.findall(line)))
    return _AT.sub(r"\1", line), tuple(Mention(n, n) for n in names)


def pick(line: str, choices: tuple[Choice, ...]) -> str | None:
    """A typed number or a choice's label selects that choice."""
    s = line.strip()
    if s.isdigit() and 1 <= int(s) <= len(choices):
        return choices[int(s) - 1].value
    low = s.lower().rstrip(".!")
    for c in choices:
        if c.label.lower() == low:
            return c.value
    return None


class Console:
    """The read-answer loop around a `Coach`."""

    def __init__(
        self,
        coach: Coach,
        user: UserRef,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        interactive: bool | None = None,
        resume_command: str = "dealcoach chat",
    ) -> None:
        """`resume_command`: the command line that was run, so the goodbye can repeat it."""
        self.coach = coach
        self.resume_command = terminal_safe(resume_command)  # it echoes what was typed
        self.user = user
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty() if interactive is None else interactive
        self.renderer = ConsoleRenderer(ansi=self.interactive and stdout.isatty())
        self.choices: tuple[Choice, ...] = ()

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def read(self, prompt: str = "you ▸ ") -> str | None:
        """One line, or None at end of input."""
        if self.interactive:
            _line_editing()
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self.stdin.readline()
        if not line:
            return None
        if not line.endswith("\n"):
            # end of input in the middle of a line (Ctrl-D after typing, through a pipe): a
            # half-typed answer is not sent
            self.say(
                f"(input ended in the middle of a line: “{terminal_safe(line)[:60]}” was not "
                "sent; end each answer with Enter)"
            )
            return None
        line = terminal_safe(line.rstrip("\r\n"))
        self.say(f"{prompt}{line}")
        return line

    def show(self, replies: list[Reply]) -> Form | None:
        form = None
        for reply in replies:
            if isinstance(reply, Question):
                self.choices = reply.choices
            if isinstance(reply, Form):
                form = reply
            self.say(self.renderer.render(reply))
        return form

    def fill(self, form: Form) -> dict[str, str] | None:
        values: dict[str, str] = {}
        for f in form.fields:
            options = ", ".join(f"{c.value}={c.label}" for c in f.options)
            extra = f" [{options}]" if options else ""
            hint = f" ({f.hint})" if f.hint else ""
            line = self.read(f"  {f.label}{extra}{hint} [{f.initial or ''}]: ")
            if line is None:
                return None
            values[f.name] = line.strip() or (f.initial or "")
        return values

    def turn(self, **kw: object) -> bool:
        outcome = self.coach.handle(Turn(user=self.user, **kw))  # type: ignore[arg-type]
        form = self.show(outcome.replies)
        if form is not None:
            values = self.fill(form)
            if values is None:
                return False
            return self.turn(form=values)
        if outcome.review_finished and self.interactive:
            self.say("(type review for another deal, or press Ctrl-D to quit)")
        return True

    def run(self, command: str = "review", args: str = "") -> int:
        """Hold a review until end of input. Ctrl-C stops cleanly: every answer is already saved."""
        try:
            self.turn(command=command, args=terminal_safe(args))
            while True:
                line = self.read()
                if line is None:
                    self.say("\n" + self.goodbye())
                    return 0
                value = pick(line, self.choices)
                text, mentions = at_mentions(line)
                fields = {"value": value} if value else {"text": text, "mentions": mentions}
                if not self.turn(**fields):
                    return 0
        except KeyboardInterrupt:
            self.say("\n" + self.goodbye())
            return 130

    def goodbye(self) -> str:
        if self.coach.in_review(self.user):
            return (
                "Bye. Every answer so far is saved: run "
                f"`{self.resume_command}` to pick up where you left off."
            )
        # "type review to start again" (after `cancel`) no longer holds once this ends
        return f"Bye. To review a deal again, run `{self.resume_command}`."


def print_replies(replies: list[Reply], write: Callable[[str], None] = print) -> None:
    renderer = ConsoleRenderer()
    for reply in replies:
        write(renderer.render(reply))
