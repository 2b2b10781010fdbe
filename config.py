"""All settings in one place, read from the environment and `.env` (pydantic-settings).

The defaults run locally on SQLite with no account anywhere; every chat platform is off
until its credentials are set.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from process.sales_process import ProcessFileError, SalesProcess, parse_process

DEFAULT_DB = f"sqlite:///{Path.cwd() / 'dealcoach.db'}"


class Settings(BaseSettings):
    """Environment-driven configuration; field names double as env var names (any case)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default=DEFAULT_DB, description="SQLAlchemy URL")
    default_timezone: str = Field(default="UTC", description="IANA zone when a platform gives none")
    log_level: str = "INFO"
    dealcoach_now: str | None = Field(
        default=None,
        description="pretend it is this ISO moment (time runs on from it), like --now: "
        "for trying the product at another instant, never in production",
    )

    sales_process: Path | None = Field(
        default=None,
        description="a sales process YAML file (see `dealcoach process show`) for workspaces "
        "that have not loaded their own; default: the one that ships (process/default_process.yaml)",
    )

    steering_model: bool = Field(
        default=True,
        description="let the learned second opinion (process/learned_steering.py) overrule "
        "the steering rules' history/vague/next-step reading when it is very sure, and its "
        "side head give the first step a side (customer/us) where the rules have none or "
        "replace theirs when it is very sure; off: the rules alone (docs/steering_model.md)",
    )

    # HTTP server (`dealcoach serve`)
    host: str = "0.0.0.0"
    port: int = 3000
    engine_processes: int = Field(
        default=1,
        ge=0,
        description="`serve` answers Slack turns in this many turn worker processes that "
        "follow the inbox journal, so the web process only acks (handlers/slack/worker.py, "
        "bench/slack_ack.py); 0 answers them in the web process",
    )
    inbox_path: str = Field(
        default="",
        description="journal of acked turns not yet answered (storage/inbox.py); default: "
        "beside a SQLite database file, else ./dealcoach-inbox.jsonl",
    )
    inbox_compact_bytes: int = Field(
        default=1_000_000,
        ge=0,
        description="`serve` compacts the inbox journal (drops what was answered) whenever it "
        "grows past this many bytes, checked every 5 seconds; 0: only at startup",
    )

    # Slack: a single workspace with a bot token, or OAuth for many workspaces.
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Microsoft Teams / Bot Framework, under the Bot Framework's usual names.
    microsoft_app_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppId", "microsoft_app_id")
    )
    microsoft_app_password: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppPassword", "microsoft_app_password")
    )
    # SingleTenant by default: Azure stopped creating multi-tenant bots in July 2025.
    microsoft_app_type: str = Field(
        default="SingleTenant",
        validation_alias=AliasChoices("MicrosoftAppType", "microsoft_app_type"),
    )
    microsoft_app_tenant_id: str = Field(
        default="",
        validation_alias=AliasChoices("MicrosoftAppTenantId", "microsoft_app_tenant_id"),
    )

    teams_emulator: bool = Field(
        default=False,
        description="serve /api/messages with no MicrosoftAppId, i.e. with Bot Framework "
        "authentication off: only for the Bot Framework Emulator on your own machine",
    )

    # Who may set, move or stop any team digest and change any team, besides the platform's
    # own admins/owners: comma-separated user ids (Slack U…, Teams AAD object ids, console
    # login names), each optionally as "<workspace id>:<user id>", e.g. "slack:T012:U034".
    admins: str = Field(default="", description="ADMINS: extra digest/team administrators")

    # Cadence defaults (users can override theirs in settings).
    nudge_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    nudge_time: str = "09:00"
    digest_weekday: int = Field(default=0, ge=0, le=6)
    digest_time: str = "10:00"
    reminder_lead_days: int = 2
    reminder_time: str = "09:00"
    decision_warn_days: int = 7
    schedule_every_minutes: int = Field(default=5, ge=1, description="`serve` pass interval")
    stale_review_days: int = 14

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.admins.split(",") if a.strip())

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_client_id))

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_emulator

    @property
    def slack_oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)


def read_process_file(path: str) -> tuple[str, SalesProcess | None, list[str]]:
    """A process file's text, the process it holds, and its problems ('PATH:line N: what')."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return "", None, [f"{path}: cannot read it: {e}"]
    try:
        return text, parse_process(text), []
    except ProcessFileError as e:
        return text, None, [f"{path}:{p.removeprefix('line ')}" for p in e.problems]


def configured_process(settings: Settings) -> str | None:
    """The YAML of the SALES_PROCESS file, validated; None when unset (the default applies)."""
    if settings.sales_process is None:
        return None
    text, process, problems = read_process_file(str(settings.sales_process))
    if process is None:
        raise SystemExit("SALES_PROCESS is not a usable process file:\n" + "\n".join(problems))
    return text
