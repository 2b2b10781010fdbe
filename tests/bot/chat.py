"""A scripted chat against the real Coach: say text or click values, read what came back."""

from __future__ import annotations

from bot.engine import Coach
from bot.messages import Outcome, Question, Reply, Turn, UserRef
from handlers.console import ConsoleRenderer


class Chat:
    def __init__(
        self,
        coach: Coach,
        user: str = "alice",
        workspace: str = "console:test",
        tz: str | None = None,
    ):
        self.coach = coach
        self.user = UserRef(
            workspace_id=workspace, user_id=user, display_name=user.title(), timezone=tz
        )
        self.last: Outcome = Outcome()
        self.renderer = ConsoleRenderer()

    def send(self, **kw: object) -> list[Reply]:
        self.last = self.coach.handle(Turn(user=self.user, **kw))  # type: ignore[arg-type]
        return self.last.replies

    def say(self, text: str, event_id: str | None = None) -> str:
        self.send(text=text, event_id=event_id)
        return self.text

    def click(self, value: str, event_id: str | None = None) -> str:
        self.send(value=value, event_id=event_id)
        return self.text

    def command(self, name: str, args: str = "") -> str:
        self.send(command=name, args=args)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(self.renderer.render(r) for r in self.last.replies)

    @property
    def question(self) -> Question | None:
        qs = [r for r in self.last.replies if isinstance(r, Question)]
        return qs[-1] if qs else None

    @property
    def stage(self) -> str | None:
        q = self.question
        return q.stage if q else None

    def choice(self, label_start: str) -> str:
        """The value of the current question's choice whose label starts with `label_start`."""
        q = self.question
        assert q is not None, self.text
        for c in q.choices:
            if c.label.lower().startswith(label_start.lower()):
                return c.value
        raise AssertionError(f"no choice {label_start!r} in {[c.label for c in q.choices]}")
