"""GitLab source: deployments, the changes they shipped, incidents and GitLab's DORA API."""

from .source import GitLabSource

__all__ = ["GitLabSource"]
