"""How long PyGithub takes to page 10,000 items from FakeGitHub (no injected latency).

Run: ``PYTHONPATH=src .venv/bin/python bench/bench_fake_paging.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakeforge import Org, RepoBuilder, Scenario  # noqa: E402
from tests.fakeforge.clients import github_client  # noqa: E402
from tests.fakeforge.github import FakeGitHub  # noqa: E402

ITEMS = 10_000


def main() -> None:
    builder = RepoBuilder("bench/paging", 1)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(ITEMS):
        builder.commit(f"commit {i}", t0 + timedelta(minutes=i))
    scenario = Scenario([Org("bench", 1, [builder.build()])])
    with FakeGitHub(scenario) as server:
        for per_page in (100, 30):
            server.log.reset()
            client = github_client(server, per_page=per_page, lazy=True)
            started = time.perf_counter()
            count = sum(1 for _ in client.get_repo("bench/paging").get_commits())
            seconds = time.perf_counter() - started
            print(
                f"per_page={per_page:3d}: {count} commits in {seconds:.2f} s, "
                f"{server.log.total} requests, {server.log.bytes / 1e6:.1f} MB, "
                f"{seconds / server.log.total * 1000:.1f} ms/request"
            )


if __name__ == "__main__":
    main()
