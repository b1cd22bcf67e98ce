"""GitHub source: deployments, the changes they shipped, and incidents, from REST."""

from .source import GitHubSource

__all__ = ["GitHubSource"]
