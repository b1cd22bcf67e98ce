"""The ``services:`` mapping: an incident tool's service, component or project → repositories.

Incident tools know services (PagerDuty, Opsgenie), components or projects (Jira), not
repositories. The config maps each key — an id or a name, compared case-insensitively —
to repositories or team names; a team stands for its listed repositories. An incident on
no mapped key is kept under the pseudo repository ``unmapped:<service>`` so it still
counts for the organization, and a note on the data-quality page names the service.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ...config import Team
from ...records import CollectionNote, Incident

UNMAPPED_PREFIX = "unmapped:"


def _norm(key: str) -> str:
    return key.strip().casefold()


@dataclass(frozen=True)
class ServiceMap:
    """Normalised tool key → repositories it sends incidents to."""

    targets: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_config(
        cls, services: Mapping[str, Sequence[str]], teams: Mapping[str, Team]
    ) -> ServiceMap:
        """Expand team names into their repositories (glob entries cannot name a repository)."""
        targets: dict[str, tuple[str, ...]] = {}
        for key, names in services.items():
            repos: list[str] = []
            for name in names:
                team = teams.get(name)
                members = team.repositories if team is not None else [name]
                repos.extend(
                    r for r in members if not any(c in r for c in "*?[") and r not in repos
                )
            targets[_norm(key)] = tuple(repos)
        return cls(targets)

    def repositories(self, keys: Iterable[str]) -> tuple[str, ...]:
        """Every repository any of ``keys`` maps to, in mapping order, without repeats."""
        out: list[str] = []
        for key in keys:
            for repo in self.targets.get(_norm(key), ()):
                if repo not in out:
                    out.append(repo)
        return tuple(out)


@dataclass
class Placement:
    """Places tool incidents on repositories and remembers the unmapped services."""

    services: ServiceMap
    unmapped: dict[str, list[str]] = field(default_factory=dict)

    def place(self, incident: Incident, keys: Sequence[str]) -> list[Incident]:
        """One record per mapped repository; else one under ``unmapped:<first service>``.

        A service mapped to several repositories gives each its own record, so the
        incident can mark a deployment of each failed (see docs/sources.md).
        """
        repos = self.services.repositories(keys)
        if repos:
            return [dataclasses.replace(incident, repository=repo) for repo in repos]
        service = incident.services[0] if incident.services else "(no service)"
        self.unmapped.setdefault(service, []).append(incident.id)
        return [dataclasses.replace(incident, repository=UNMAPPED_PREFIX + service)]

    def notes(self, source: str) -> list[CollectionNote]:
        """One data-quality note per unmapped service (stable text: re-runs replace it)."""
        return [
            CollectionNote(
                repository=UNMAPPED_PREFIX + service,
                resource="incidents",
                message=(
                    f"{source}: incidents on service {service!r} map to no repository or team; "
                    "they count in the organization's incident figures but mark no deployment "
                    "failed. Add the service under `services:` in the config."
                ),
                level="warning",
            )
            for service in sorted(self.unmapped)
        ]
