"""The demo's incidents carry PagerDuty-style incident-tool fields (priority, urgency,
status, acknowledgement, service), so the demo exercises what incident tools deliver."""

from __future__ import annotations

from opsmaturity.demo import generate

PRIORITY = {"SEV1": "P1", "SEV2": "P2", "SEV3": "P3"}


def test_demo_incidents_look_paged() -> None:
    incidents = generate(42).incidents
    assert incidents
    for i in incidents:
        assert i.priority == PRIORITY[i.severity or ""]
        assert i.urgency == ("low" if i.severity == "SEV3" else "high")
        assert i.services == (i.repository.split("/")[-1],)
        assert i.status == ("resolved" if i.resolved_at else "acknowledged")
        assert i.acknowledged_at is not None and i.acknowledged_at >= i.created_at
        assert i.resolved_at is None or i.acknowledged_at <= i.resolved_at
    assert {i.urgency for i in incidents} == {"high", "low"}
