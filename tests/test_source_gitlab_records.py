"""Pure GitLab JSON → record translations, table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from opsmaturity.records import DeploymentStatus
from opsmaturity.sources.gitlab import records as rec


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("success", DeploymentStatus.SUCCESS),
        ("failed", DeploymentStatus.FAILURE),
        ("canceled", DeploymentStatus.CANCELLED),
        ("running", None),
        ("created", None),
        ("blocked", None),
    ],
)
def test_deployment_status(status: str, expected: DeploymentStatus | None) -> None:
    body = {
        "id": 7,
        "sha": "a" * 40,
        "status": status,
        "created_at": "2026-07-01T10:00:00.000Z",
        "updated_at": "2026-07-01T10:09:00.000Z",
        "environment": {"name": "production"},
        "deployable": {"finished_at": "2026-07-01T10:05:00.000Z"},
    }
    dep = rec.deployment("g/p", body)
    assert (dep.status if dep else None) == expected
    if dep is not None:
        assert dep.finished_at == datetime(2026, 7, 1, 10, 5, tzinfo=UTC)  # the job's finish
        assert dep.id == "7" and dep.environment == "production"


def test_deployment_without_a_job_finishes_at_its_last_update() -> None:
    body = {
        "id": 1,
        "sha": "b" * 40,
        "status": "success",
        "deployable": None,
        "created_at": "2026-07-01T10:00:00Z",
        "updated_at": "2026-07-01T10:03:00+02:00",
    }
    dep = rec.deployment("g/p", body)
    assert dep is not None and dep.finished_at == datetime(2026, 7, 1, 8, 3, tzinfo=UTC)


def test_change_keeps_author_offsets_and_merge_request_context() -> None:
    commit = {
        "id": "c" * 40,
        "message": 'Revert "x"\n\nThis reverts commit ' + "d" * 40 + ".",
        "author_name": "Ada",
        "author_email": "ada@example.com",
        "authored_date": "2026-07-01T09:00:00.000+05:30",
        "committed_date": "2026-07-02T10:00:00.000-07:00",
        "parent_ids": ["e" * 40],
    }
    mr = {
        "iid": 4,
        "created_at": "2026-07-01T00:00:00Z",
        "merged_at": "2026-07-03T00:00:00Z",
        "labels": ["hotfix"],
        "author": {"username": "ada"},
    }
    first = datetime(2026, 6, 30, tzinfo=UTC)
    change = rec.change("g/p", rec.graph_commit(commit), mr, first, ("a.py",))
    assert change.authored_at == datetime(2026, 7, 1, 9, tzinfo=timezone(timedelta(hours=5.5)))
    assert change.committed_at == datetime(2026, 7, 2, 17, tzinfo=UTC)
    assert (change.reverts, change.pr_number, change.pr_labels) == ("d" * 40, 4, ("hotfix",))
    assert (change.author, change.is_bot, change.paths) == ("ada", False, ("a.py",))
    assert change.pr_merged_at == datetime(2026, 7, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("severity", "labels", "expected"),
    [
        ("CRITICAL", [], "CRITICAL"),
        ("UNKNOWN", ["sev2", "db"], "sev2"),
        (None, ["SEV-1"], "SEV-1"),
        ("UNKNOWN", ["db"], None),
    ],
)
def test_incident_severity(severity: str | None, labels: list[str], expected: str | None) -> None:
    issue = {
        "iid": 3,
        "title": "down",
        "created_at": "2026-07-01T00:00:00Z",
        "closed_at": None,
        "labels": labels,
        "severity": severity,
    }
    assert rec.incident("g/p", issue, "sev").severity == expected
