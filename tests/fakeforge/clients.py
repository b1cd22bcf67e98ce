"""Real clients configured for the fakes: no throttling, quick retries."""

from __future__ import annotations

from typing import Any

from github import Auth, Github, GithubRetry

from .github import FakeGitHub


def github_client(server: FakeGitHub, token: str | None = None, **kwargs: Any) -> Github:
    """PyGithub against ``server``; ``seconds_between_requests=0`` or 1,000 requests cost 250 s."""
    options: dict[str, Any] = {
        "base_url": server.api,
        "auth": Auth.Token(token or server.token),
        "seconds_between_requests": 0,
        "per_page": 100,
        "retry": GithubRetry(total=3, backoff_factor=0.01, secondary_rate_wait=0.1),
    }
    options.update(kwargs)
    return Github(**options)
