"""What the ``survey serve``, ``survey invite`` and ``survey export`` commands do.

The CLI parses options and prints; these functions open the store next to the config's
other data, check what the user typed (teams against the config) and do the work.
"""

from __future__ import annotations

import difflib
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..practices.questionnaire import load_questionnaires
from .storage import SurveyStore

ALL_INTERFACES = ("0.0.0.0", "::", "[::]")
MAX_INVITES = 1000


def configured_team(config: Config, team: str | None) -> str | None:
    """The team as the config spells it; an unknown one is an error naming the closest."""
    if team is None or not config.teams:
        return team
    for known in config.teams:
        if known.casefold() == team.casefold():
            return known
    close = difflib.get_close_matches(team, list(config.teams), n=1, cutoff=0.0)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"--team: {team!r} is not a team of {config.organization.name}{hint}")


def invite(
    config: Config,
    *,
    count: int,
    team: str | None,
    role: str | None,
    quick: bool,
    base_url: str,
    now: datetime,
) -> list[str]:
    """``count`` personal links; the tokens are shown here once and stored only as hashes."""
    if not 1 <= count <= MAX_INVITES:
        raise ConfigError(f"--count: expected 1 to {MAX_INVITES}, got {count}")
    team = configured_team(config, team)
    base = base_url.rstrip("/")
    with SurveyStore(config.store_path) as store:
        return [
            f"{base}/r/{store.invite(now, team=team, role=role or None, quick=quick)}"
            for _ in range(count)
        ]


def export(config: Config, fmt: str, out: Path | None) -> tuple[str | None, list[Path]]:
    """CSV text (for stdout or ``out``) or YAML files in the folder ``out``."""
    from .export import export_csv, export_yaml

    with SurveyStore(config.store_path) as store:
        if fmt == "csv":
            text = export_csv(store, load_questionnaires())
            if out is None:
                return text, []
            out.write_text(text, encoding="utf-8")
            return None, [out]
        return None, export_yaml(store, out or Path("survey-answers"))


def serve(
    config: Config,
    *,
    host: str,
    port: int,
    open_link: bool,
    quick: bool,
    now: Callable[[], datetime],
    announce: Callable[[str], None],
    warn: Callable[[str], None],
    open_limit: int | None = None,
) -> None:
    """Run the survey server until Ctrl-C; prints the consultant's link first."""
    import uvicorn

    from .app import SurveySettings, create_app

    if host in ALL_INTERFACES:
        warn(
            f"listening on ALL network interfaces ({host}): anyone who can reach this machine "
            "can reach the survey. Links are the only protection and travel unencrypted over "
            "http; put it behind HTTPS (a reverse proxy) or bind 127.0.0.1."
        )
    admin_token = secrets.token_urlsafe(24)
    base = f"http://{'127.0.0.1' if host in ALL_INTERFACES else host}:{port}"
    store = SurveyStore(config.store_path)
    settings = SurveySettings(
        teams=list(config.teams),
        admin_token=admin_token,
        open_link=open_link,
        quick=quick,
        benchmark_year=config.metrics.benchmark,
    )
    if open_limit is not None:
        settings.open_per_minute = open_limit
    app = create_app(store, load_questionnaires(), settings, now)
    announce(f"Consultant page (keep it private): {base}/admin/{admin_token}")
    announce(
        f"Open link: {base}/ ({_limit_words(settings.open_per_minute)})"
        if open_link
        else "Open link: off (personal links only: `opsmaturity survey invite`)"
    )
    if store.closed:
        warn(
            "the survey is closed: respondents see a 'closed' page; reopen it on the consultant page"
        )
    announce(f"Answers are stored in {config.store_path}. Ctrl-C stops the server.")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        store.close()


def _limit_words(per_minute: int) -> str:
    if per_minute <= 0:
        return "no limit on new responses per address"
    return f"at most {per_minute} new responses per minute from one address"
