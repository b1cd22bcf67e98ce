"""Rules every forge source applies the same way, so one history gives one answer.

- **Bot work** (issue #12): every commit authored by a bot, plus every commit of a pull or
  merge request opened by a bot, including its merge or squash commit. :func:`is_bot_work`
  is the whole rule; sources pass what they know of the commit and of its request.
- **Reverts**: ``git revert``'s own message line names the reverted commit.
- **Repository globs**: ``include``/``exclude`` patterns match the full name or the name
  below the organization/group.
- **Time parsing**: forges write ISO 8601 with ``Z`` or an offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from fnmatch import fnmatchcase

#: Automation accounts: ``[bot]`` apps (GitHub, also seen on GitLab mirrors), GitLab
#: project/group access-token bots (``project_12_bot_…``), ``*-bot``/``*_bot`` service
#: users, and the usual dependency and CI bots by name.
BOT = re.compile(
    r"(\[bot\]|^(project|group)_\d+_bot|[-_]bot$|^(dependabot|renovate|gitlab-bot|github-actions)\b)",
    re.IGNORECASE,
)
#: The line ``git revert`` writes into the reverting commit's message.
REVERT = re.compile(r"This reverts commit ([0-9a-f]{7,40})")


def is_bot(*names: str | None) -> bool:
    """Whether any of a login, a name or an e-mail address (its local part) is automation."""
    return any(n and BOT.search(n.split("@", 1)[0]) for n in names)


def is_bot_work(commit_authors: Iterable[str | None], request_author: str | None = None) -> bool:
    """Bot work: the commit was authored by a bot (any of its login, name or e-mail says
    so), or it belongs to a pull/merge request a bot opened — its merge or squash commit
    included, whoever pressed the button."""
    return is_bot(*commit_authors) or is_bot(request_author)


def reverted_sha(message: str) -> str | None:
    """The (possibly abbreviated) SHA a revert commit names, else None."""
    found = REVERT.search(message)
    return found.group(1) if found else None


def in_scope(
    names: Sequence[str],
    include: Sequence[str],
    exclude: Sequence[str],
    archived: bool = False,
    include_archived: bool = False,
) -> bool:
    """Whether a repository known by ``names`` (full name, short name) is collected: some
    include glob matches one of them, no exclude glob does, and it is not archived unless
    archived repositories are wanted. Globs are case-sensitive, as repository paths are."""
    if archived and not include_archived:
        return False
    included = any(fnmatchcase(n, p) for p in include for n in names)
    return included and not any(fnmatchcase(n, p) for p in exclude for n in names)


def parse_time(text: str) -> datetime:
    """A forge timestamp (``2026-07-01T09:00:00Z`` or with an offset) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_optional_time(text: str | None) -> datetime | None:
    """:func:`parse_time`, with None (or an empty string) for an absent value."""
    return parse_time(text) if text else None
