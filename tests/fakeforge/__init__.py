"""Fake GitHub and GitLab servers speaking the real wire, for tests and benchmarks.

See README.md in this folder for the API.
"""

from .builder import RepoBuilder, generate
from .faults import FaultRule, Faults
from .files import load_scenario
from .log import LoggedRequest, RequestLog
from .pagination import Page, link_header, page_args, paginate
from .scenario import (
    Commit,
    Deployment,
    Environment,
    Issue,
    Job,
    Org,
    Person,
    Pull,
    Release,
    Repo,
    Run,
    Scenario,
    StatusEvent,
    Tag,
    Workflow,
    fake_sha,
)
from .server import FakeForge, Headers, Request, Response

__all__ = [
    "Commit",
    "Deployment",
    "Environment",
    "FakeForge",
    "FaultRule",
    "Faults",
    "Headers",
    "Issue",
    "Job",
    "LoggedRequest",
    "Org",
    "Page",
    "Person",
    "Pull",
    "Release",
    "Repo",
    "Request",
    "RequestLog",
    "Response",
    "Run",
    "Scenario",
    "StatusEvent",
    "Tag",
    "Workflow",
    "fake_sha",
    "generate",
    "link_header",
    "load_scenario",
    "page_args",
    "paginate",
    "RepoBuilder",
]
