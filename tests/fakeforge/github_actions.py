"""FakeGitHub's GitHub Actions routes: workflows and workflow runs, with GitHub's filters
(``created`` in search date syntax) and its 1,000-result cap on filtered lists.

A mixin of :class:`~.github.FakeGitHub`.
"""

from __future__ import annotations

from datetime import datetime

from .scenario import Run
from .server import Request, Response

RUN_FILTERS = ("actor", "branch", "check_suite_id", "created", "event", "head_sha", "status")
CONCLUSIONS = {
    "success",
    "failure",
    "neutral",
    "cancelled",
    "skipped",
    "timed_out",
    "action_required",
    "stale",
}


def _in_range(at: datetime, spec: str) -> bool:
    """GitHub search date syntax: ``a..b`` (``*`` open), ``>=a``, ``<=b``, ``>a``, ``<b``, a day."""

    def key(bound: str) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ" if "T" in bound else "%Y-%m-%d")

    if ".." in spec:
        lo, hi = spec.split("..", 1)
        return (lo in ("", "*") or key(lo) >= lo) and (hi in ("", "*") or key(hi) <= hi)
    for op, test in ((">=", str.__ge__), ("<=", str.__le__), (">", str.__gt__), ("<", str.__lt__)):
        if spec.startswith(op):
            bound = spec[len(op) :]
            return bool(test(key(bound), bound))
    return key(spec) == spec


class ActionsRoutes:
    """Needs ``_repo``, ``_org``, ``_paged``, ``render``, ``not_found`` (see :class:`~.github.FakeGitHub`)."""

    def workflows(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        return self._paged(
            req, repo.workflows, lambda w: self.render.workflow(repo, w), wrap="workflows"
        )

    def runs(self, req: Request) -> Response:
        repo = self._repo(req)
        assert repo is not None
        runs = list(repo.runs)
        wf = req.params.get("wf")
        if wf is not None:
            match = [w for w in repo.workflows if str(w.id) == wf or w.path.endswith("/" + wf)]
            if not match:
                return self.not_found(req)
            runs = [r for r in runs if r.workflow_id == match[0].id]
        runs = [r for r in runs if self._run_matches(req, r)]
        runs.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        total = len(runs)
        if any(k in req.query for k in RUN_FILTERS):
            runs = runs[:1000]  # GitHub returns at most 1,000 results for a filtered list
        org = self._org(repo)
        return self._paged(
            req, runs, lambda r: self.render.run(repo, org, r), wrap="workflow_runs", total=total
        )

    @staticmethod
    def _run_matches(req: Request, run: Run) -> bool:
        status = req.arg("status")
        if status and not (
            run.status == status
            or (status in CONCLUSIONS and run.conclusion == status)
            or (status == "completed" and run.status == "completed")
        ):
            return False
        checks = {"branch": run.branch, "head_sha": run.head_sha, "event": run.event}
        if any(req.arg(k) not in (None, v) for k, v in checks.items()):
            return False
        created = req.arg("created")
        return not created or _in_range(run.created_at, created)
