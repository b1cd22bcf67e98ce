"""The assessment config: one YAML file describing organization, period, sources and teams.

Validated with pydantic. Every error becomes one line ``file:line: field: reason`` so a
user can jump to it; a token never lives here, only the *name* of its environment variable.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import yamlpos
from .errors import ConfigError
from .period import Period

DEFAULT_PRODUCTION_ENVIRONMENTS = ["production", "prod", "live"]


#: Longest text a config value may hold: names and patterns are short; a runaway paste is
#: refused here rather than slowing every later step (an 80,000-character name once did).
MAX_TEXT = 500


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT)


class Branding(_Model):
    """How the report looks for a client: logo, accent colour, author line."""

    logo: Path | None = Field(
        None, description="Logo image (PNG/SVG/JPEG), relative to the config file."
    )
    accent_color: str = Field(
        "#1f5f8b", pattern=r"^#[0-9a-fA-F]{6}$", description="Accent colour, #RRGGBB."
    )
    author: str | None = Field(None, description="Author or consultancy shown on the cover.")


class Organization(_Model):
    name: str = Field(..., min_length=1, description="Organization name shown on the report.")
    engineers: int = Field(
        ..., gt=0, description="Number of engineers: drives the operating-model recommendation."
    )
    profile: Literal["software", "infrastructure-critical", "regulated"] = Field(
        "software", description="What the organization operates."
    )
    branding: Branding = Field(default_factory=lambda: Branding())  # type: ignore[call-arg]


class PeriodConfig(_Model):
    """Either ``quarter: 2026Q3`` or ``start``/``end`` dates (inclusive)."""

    quarter: str | None = Field(None, description="Calendar quarter, e.g. 2026Q3.")
    start: date | None = None
    end: date | None = None

    @field_validator("quarter")
    @classmethod
    def _valid_quarter(cls, value: str | None) -> str | None:
        if value is not None:
            Period.quarter(value)
        return value

    @model_validator(mode="after")
    def _one_form(self) -> PeriodConfig:
        if self.quarter is not None:
            if self.start or self.end:
                raise ValueError("give either quarter or start/end, not both")
        elif self.start is None or self.end is None:
            raise ValueError("give quarter (e.g. 2026Q3) or both start and end")
        elif self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def resolve(self) -> Period:
        if self.quarter is not None:
            return Period.quarter(self.quarter)
        assert self.start and self.end
        return Period(self.start, self.end)


class DeploymentDetection(_Model):
    method: Literal["auto", "deployments", "workflow_runs", "pipelines", "releases", "tags"] = (
        Field("auto", description="How deployments are recognised; auto tries them in that order.")
    )
    environments: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PRODUCTION_ENVIRONMENTS),
        description="Environment names that count as production (case-insensitive).",
    )
    workflows: list[str] = Field(
        default_factory=lambda: ["deploy", "deploy.yml", "deploy.yaml", "release.yml"],
        description="GitHub Actions workflow names or file names that deploy.",
    )
    job: str = Field("deploy", description="GitLab pipeline job name that deploys.")
    tag_pattern: str = Field("v*", description="Glob for release tags when method is tags.")


class IncidentDetection(_Model):
    labels: list[str] = Field(
        default_factory=lambda: ["incident"], description="Issue labels that mark an incident."
    )
    title_pattern: str | None = Field(
        None, description="Regular expression on issue titles, e.g. '^(INC|SEV)'."
    )
    severity_label_prefix: str = Field(
        "sev", description="Labels like sev1/SEV-2 give the severity."
    )


def _http_url(value: str) -> str:
    """An API root must be an http(s) URL with a host: checked here, not mid-collection."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"expected an http(s) URL such as https://gitlab.example.com, got {value!r}"
        )
    return value


class _ForgeSource(_Model):
    name: str | None = Field(
        None, description="Name for this source in the store; defaults to its kind."
    )
    token_env: str = Field(
        ...,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="NAME of the env var holding the token.",
    )
    repositories: list[str] = Field(
        default_factory=list, description="Explicit repositories; otherwise the whole org/group."
    )
    include: list[str] = Field(
        default_factory=lambda: ["*"], description="Repository name globs to include."
    )
    exclude: list[str] = Field(
        default_factory=list, description="Repository name globs to exclude."
    )
    include_archived: bool = False
    deployments: DeploymentDetection = Field(default_factory=lambda: DeploymentDetection())  # type: ignore[call-arg]
    incidents: IncidentDetection = Field(default_factory=lambda: IncidentDetection())  # type: ignore[call-arg]
    concurrency: int = Field(8, ge=1, le=64, description="Repositories collected in parallel.")
    seconds_between_requests: float = Field(
        0.0, ge=0, description="Pause between requests per worker."
    )

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("token_env")
    @classmethod
    def _not_a_token(cls, value: str) -> str:
        if value.startswith(("ghp_", "github_pat_", "glpat-", "gho_", "ghs_")):
            raise ValueError("looks like a token; give the NAME of an environment variable instead")
        return value


class GitHubSource(_ForgeSource):
    kind: Literal["github"]
    base_url: str = Field(
        "https://api.github.com", description="API root; https://HOST/api/v3 for Enterprise Server."
    )
    token_env: str = Field("GITHUB_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    org: str | None = Field(
        None, description="Organization (or user) whose repositories are collected."
    )
    api: Literal["auto", "graphql", "rest"] = Field(
        "auto",
        description="GraphQL (fewer requests), REST, or auto: GraphQL where /graphql answers, else REST.",
    )

    @model_validator(mode="after")
    def _org_or_repos(self) -> GitHubSource:
        if not self.org and not self.repositories:
            raise ValueError("give org or a list of repositories")
        return self


class GitLabSource(_ForgeSource):
    kind: Literal["gitlab"]
    base_url: str = Field(
        "https://gitlab.com", description="Instance URL, e.g. https://gitlab.example.com."
    )
    token_env: str = Field("GITLAB_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    group: str | None = Field(None, description="Group path; subgroups are included.")
    dora_api: bool = Field(
        True, description="Cross-check with GitLab's DORA metrics API where available."
    )

    @model_validator(mode="after")
    def _group_or_repos(self) -> GitLabSource:
        if not self.group and not self.repositories:
            raise ValueError("give group or a list of repositories")
        return self


class FilesSource(_Model):
    kind: Literal["files"]
    name: str | None = None
    deployments: Path | None = Field(None, description="CSV or JSON file of deployments.")
    changes: Path | None = Field(None, description="CSV or JSON file of changes (commits).")
    incidents: Path | None = Field(None, description="CSV or JSON file of incidents.")

    @model_validator(mode="after")
    def _something(self) -> FilesSource:
        if not (self.deployments or self.changes or self.incidents):
            raise ValueError("give at least one of deployments, changes, incidents")
        return self


class DemoSource(_Model):
    kind: Literal["demo"]
    name: str | None = None
    seed: int = Field(42, description="Same seed, same organization.")


class _IncidentToolSource(_Model):
    """An on-call or service-management tool read for incidents only (no deployments)."""

    name: str | None = Field(
        None, description="Name for this source in the store; defaults to its kind."
    )
    token_env: str = Field(
        ...,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="NAME of the env var holding the API key.",
    )
    base_url: str | None = Field(
        None, description="API root; the vendor's public API when omitted (fake servers in tests)."
    )
    priorities: list[str] | None = Field(
        None,
        description="Only incidents of these priorities (P1, Highest...) are collected; null = all.",
    )
    ca_bundle: Path | None = Field(
        None,
        description="CA certificates to trust (a TLS-inspecting proxy), relative to the config.",
    )

    @field_validator("token_env")
    @classmethod
    def _not_a_key(cls, value: str) -> str:
        mixed = any(c.islower() for c in value) and any(c.isupper() for c in value)
        if len(value) >= 20 and mixed and any(c.isdigit() for c in value):
            raise ValueError("looks like a key; give the NAME of an environment variable instead")
        return value


class PagerDutySource(_IncidentToolSource):
    """PagerDuty REST API v2 incidents (see docs/sources.md#incident-tools)."""

    kind: Literal["pagerduty"]
    token_env: str = Field("PAGERDUTY_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    service_ids: list[str] = Field(
        default_factory=list, description="Only these PagerDuty service ids."
    )
    team_ids: list[str] = Field(default_factory=list, description="Only these PagerDuty team ids.")
    urgencies: list[Literal["high", "low"]] = Field(
        default_factory=list, description="Only these urgencies; empty = all."
    )
    statuses: list[Literal["triggered", "acknowledged", "resolved"]] = Field(
        default_factory=list, description="Only incidents now in these statuses; empty = all."
    )


class JiraSource(_IncidentToolSource):
    """Jira Cloud, Jira Service Management or Jira Data Center issues of type Incident."""

    kind: Literal["jira"]
    base_url: str = Field(
        ..., description="Site URL, e.g. https://example.atlassian.net or https://jira.example.com."
    )  # type: ignore[assignment]
    token_env: str = Field("JIRA_TOKEN", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    user_env: str | None = Field(
        "JIRA_USER",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="NAME of the env var holding the account e-mail (Cloud); null = bearer token (Data Center PAT).",
    )
    deployment: Literal["cloud", "datacenter"] = Field(
        "cloud", description="Cloud uses the nextPageToken search."
    )
    projects: list[str] = Field(
        default_factory=list, description="Project keys; the default JQL reads Incidents in them."
    )
    jql: str | None = Field(
        None,
        description="JQL query replacing the default 'issuetype = Incident AND project in (...)'.",
    )
    severity_field: str | None = Field(
        None, description="Custom field id (customfield_10042) whose value is the severity."
    )
    custom_fields: dict[str, str] = Field(
        default_factory=dict,
        description="Label → custom field id; their values are kept as labels 'label:value'.",
    )

    @model_validator(mode="after")
    def _projects_or_jql(self) -> JiraSource:
        if not self.projects and not self.jql:
            raise ValueError("give projects or a jql query")
        return self


class OpsgenieSource(_IncidentToolSource):
    """Opsgenie incidents (Atlassian has ended its sales; Jira Service Management succeeds it)."""

    kind: Literal["opsgenie"]
    token_env: str = Field("OPSGENIE_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    region: Literal["us", "eu"] = Field(
        "us", description="us = api.opsgenie.com, eu = api.eu.opsgenie.com."
    )
    query: str | None = Field(
        None, description="Opsgenie search query added to the time filter, e.g. 'tag: prod'."
    )


SourceConfig = Annotated[
    GitHubSource
    | GitLabSource
    | FilesSource
    | DemoSource
    | PagerDutySource
    | JiraSource
    | OpsgenieSource,
    Field(discriminator="kind"),
]


class Team(_Model):
    repositories: list[str] = Field(
        default_factory=list, description="Repository full names (globs allowed)."
    )
    paths: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Monorepos: repository → path globs; only changes touching them count for the team.",
    )


class MetricsOptions(_Model):
    benchmark: Literal[2022, 2023, 2024] = Field(
        2024, description="DORA report year whose tiers are used."
    )
    lead_time_start: Literal["commit", "first_commit", "merge"] = Field(
        "commit",
        description="Where lead time starts: commit author time, first PR commit, or merge.",
    )
    exclude_bots: bool = True
    environments: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PRODUCTION_ENVIRONMENTS),
        description="Production environment names (case-insensitive).",
    )
    first_deployment_lookback_days: int = Field(30, ge=0)
    failure_rules: list[Literal["incident", "rollback", "revert", "hotfix"]] = Field(
        default_factory=lambda: ["incident", "rollback", "revert", "hotfix"],  # type: ignore[arg-type]
        description="What marks a deployment failed.",
    )
    hotfix_labels: list[str] = Field(default_factory=lambda: ["hotfix"])
    rework_labels: list[str] = Field(default_factory=lambda: ["hotfix", "bug"])
    hotfix_window_hours: float = Field(24, gt=0)
    incident_scope: Literal["repository", "team"] = "repository"
    severities: list[str] | None = Field(
        None, description="Only incidents of these severities count; null = all."
    )
    timezone: str = Field("UTC", description="IANA zone for period, week and month boundaries.")
    min_sample: int = Field(
        5, ge=1, description="Below this sample size a result carries a warning."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ReportOptions(_Model):
    paper: Literal["A4", "Letter"] = "A4"
    template_dir: Path | None = Field(
        None, description="Folder of templates overriding the defaults."
    )


class Config(_Model):
    """A whole assessment."""

    organization: Organization
    period: PeriodConfig
    sources: list[SourceConfig] = Field(..., min_length=1)
    teams: dict[str, Team] = Field(default_factory=dict)
    services: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Incident tools: service id or name, component or project key → repositories or team names.",
    )
    metrics: MetricsOptions = Field(default_factory=lambda: MetricsOptions())  # type: ignore[call-arg]
    report: ReportOptions = Field(default_factory=lambda: ReportOptions())  # type: ignore[call-arg]
    store: Path | None = Field(
        None, description="SQLite store; default .opsmaturity/store.sqlite beside the config."
    )
    base_dir: Path = Field(
        Path("."), exclude=True, description="Folder relative paths resolve against."
    )

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        return path if path.is_absolute() else self.base_dir / path

    @property
    def store_path(self) -> Path:
        return self.resolve(self.store or Path(".opsmaturity/store.sqlite"))

    @property
    def reporting_period(self) -> Period:
        return self.period.resolve()

    def source_name(self, index: int) -> str:
        source = self.sources[index]
        return source.name or (source.kind if index == 0 else f"{source.kind}-{index}")


def load_config(path: str | Path) -> Config:
    """Read and validate ``path``; raise ConfigError with ``file:line: field: reason``."""
    path = Path(path)
    doc = yamlpos.load(path, ConfigError)
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}:1: expected a mapping with organization, period and sources")
    try:
        config = Config.model_validate({**doc.data, "base_dir": path.parent.resolve()})
    except ValidationError as exc:
        raise ConfigError(_first_error(exc, doc)) from None
    _check_services(config, doc)
    return config


def _check_services(config: Config, doc: yamlpos.Located) -> None:
    """Each ``services:`` target is a team or an ``owner/name`` repository: a typo there
    would silently leave a service's incidents unmapped."""
    for key, names in config.services.items():
        for i, name in enumerate(names):
            if name not in config.teams and "/" not in name:
                loc: list[str | int] = ["services", key, i]
                raise ConfigError(
                    f"{doc.path}:{doc.line_of(loc)}: {yamlpos.format_loc(loc)}: {name!r} is neither "
                    "a team under `teams:` nor a repository (owner/name)"
                )


def _first_error(exc: ValidationError, doc: yamlpos.Located) -> str:
    err = exc.errors(include_url=False)[0]
    loc = _data_path(err["loc"], doc.data)
    if err["type"] == "union_tag_invalid":
        loc.append(str(err["ctx"]["discriminator"]).strip("'"))
    return f"{doc.path}:{doc.line_of(loc)}: {yamlpos.format_loc(loc)}: {_reason(err)}"


def _data_path(loc: tuple[Any, ...], data: Any) -> list[str | int]:
    """Drop pydantic's internal path parts (union tags) that are not keys in the file."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if (
            isinstance(data, dict)
            and part in data
            or isinstance(data, list)
            and isinstance(part, int)
            and part < len(data)
        ):
            out.append(part)
            data = data[part]
        elif i == len(loc) - 1 and not isinstance(part, int) and part not in ("function-after",):
            out.append(part)
            data = None
    return out


def _reason(err: Any) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "union_tag_invalid":
        return f"expected {_or_list(ctx['expected_tags'])}, got {yamlpos._short(repr(ctx['tag']))}"
    if kind == "literal_error":
        return f"expected {_or_list(ctx['expected'])}, got {yamlpos._short(repr(value))}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; `opsmaturity config schema` lists them all)"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def _or_list(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" is already English; normalise its separators."""
    parts = [p.strip() for p in expected.replace(" or ", ",").split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def json_schema() -> str:
    """JSON Schema of the config file, for editors (YAML language servers)."""
    schema = Config.model_json_schema(mode="validation")
    schema["properties"].pop("base_dir", None)
    schema["title"] = "opsmaturity assessment config"
    return json.dumps(schema, indent=2)
