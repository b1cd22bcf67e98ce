"""Incident-tool sources: PagerDuty, Jira / Jira Service Management, Opsgenie."""

from __future__ import annotations

from collections.abc import Mapping

from ...config import Config
from .base import IncidentSource

__all__ = ["IncidentSource", "build_incident_source"]


def build_incident_source(config: Config, index: int, env: Mapping[str, str]) -> IncidentSource:
    """The incident source for ``config.sources[index]``; each client is imported only when used."""
    entry, name = config.sources[index], config.source_name(index)
    if entry.kind == "pagerduty":
        from .pagerduty import PagerDutySource

        return PagerDutySource.from_config(entry, name, config, env)
    if entry.kind == "jira":
        from .jira import JiraSource

        return JiraSource.from_config(entry, name, config, env)
    if entry.kind == "opsgenie":
        from .opsgenie import OpsgenieSource

        return OpsgenieSource.from_config(entry, name, config, env)
    raise ValueError(f"not an incident tool: {entry.kind}")
