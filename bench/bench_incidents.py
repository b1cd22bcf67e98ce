"""How long a quarter of incidents takes through each incident source against its fake
(no injected latency): PagerDuty over TLS with the official client, Jira Cloud with the
``jira`` package, Opsgenie with ``requests``.

Run: ``PYTHONPATH=.:src .venv/bin/python bench/bench_incidents.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakeforge.jira import FakeJira, JiraIssue  # noqa: E402
from tests.fakeforge.opsgenie import FakeOpsgenie, OGIncident  # noqa: E402
from tests.fakeforge.pagerduty import FakePagerDuty, PDIncident  # noqa: E402

from opsmaturity.records import Incident  # noqa: E402
from opsmaturity.sources.base import Window  # noqa: E402
from opsmaturity.sources.incidents.base import IncidentSource  # noqa: E402
from opsmaturity.sources.incidents.jira import JiraSource  # noqa: E402
from opsmaturity.sources.incidents.opsgenie import OpsgenieSource  # noqa: E402
from opsmaturity.sources.incidents.pagerduty import PagerDutySource  # noqa: E402
from opsmaturity.sources.incidents.services import ServiceMap  # noqa: E402

COUNT = 5_000
T0 = datetime(2026, 7, 1, tzinfo=UTC)
WINDOW = Window(T0 - timedelta(days=45), T0 + timedelta(days=92))
SERVICES = ServiceMap.from_config({"svc": ["bench/app"]}, {})


def when(i: int) -> datetime:
    return T0 + timedelta(minutes=25 * i)  # 5,000 incidents over about 87 days


def measure(name: str, server: object, src: IncidentSource) -> None:
    log = server.log  # type: ignore[attr-defined]
    started = time.perf_counter()
    found = sum(isinstance(r, Incident) for r in src.collect_incidents(WINDOW))
    seconds = time.perf_counter() - started
    src.close()
    print(
        f"{name:10s}: {found} incidents in {seconds:.2f} s, {log.total} requests, "
        f"{seconds / max(log.total, 1) * 1000:.1f} ms/request, {found / seconds:,.0f} incidents/s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pd = [
            PDIncident(
                f"P{i}", i, f"i{i}", when(i), "svc", "svc", resolved_at=when(i) + timedelta(hours=1)
            )
            for i in range(COUNT)
        ]
        with FakePagerDuty(pd, token="k", tls_dir=Path(tmp)) as server:
            measure(
                "pagerduty",
                server,
                PagerDutySource(
                    "pd",
                    token="k",
                    token_env="K",
                    services=SERVICES,
                    base_url=server.api,
                    ca_bundle=str(server.cert),
                ),
            )
    jira = [
        JiraIssue(
            f"OPS-{i + 1}", f"i{i}", when(i), when(i) + timedelta(hours=1), components=["svc"]
        )
        for i in range(COUNT)
    ]
    with FakeJira(jira, token="k", user="u@example.com") as server:
        measure(
            "jira",
            server,
            JiraSource(
                "jira",
                base_url=server.api,
                token="k",
                token_env="K",
                user="u@example.com",
                services=SERVICES,
                projects=["OPS"],
            ),
        )
    og = [
        OGIncident(
            f"og{i}", i, f"i{i}", when(i), services=["svc"], updated_at=when(i) + timedelta(hours=1)
        )
        for i in range(COUNT)
    ]
    with FakeOpsgenie(og, token="k") as server:
        measure(
            "opsgenie",
            server,
            OpsgenieSource("og", key="k", key_env="K", services=SERVICES, base_url=server.api),
        )


if __name__ == "__main__":
    main()
