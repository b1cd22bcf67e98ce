"""The rules every forge source shares (``sources/rules.py``), by hand-checked cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from opsmaturity.sources.rules import (
    in_scope,
    is_bot,
    is_bot_work,
    parse_optional_time,
    parse_time,
    reverted_sha,
)


@pytest.mark.parametrize(
    ("names", "bot"),
    [
        (("dependabot", "dependabot[bot]@users.noreply.github.com"), True),
        (("dependabot[bot]",), True),
        (("49699333+dependabot[bot]@users.noreply.github.com",), True),
        (("github-actions",), True),
        (("renovate-bot",), True),
        (("renovate",), True),
        (("project_12_bot_3f2a",), True),
        (("group_7_bot",), True),
        (("GitLab-Bot",), True),
        (("Ada Lovelace", "ada@example.com"), False),
        (("abbott",), False),
        (("robot-arm",), False),
        ((None, ""), False),
    ],
)
def test_bots(names: tuple[str | None, ...], bot: bool) -> None:
    assert is_bot(*names) is bot


@pytest.mark.parametrize(
    ("authors", "request_author", "bot"),
    [
        (("dependabot[bot]",), None, True),  # a bot's direct commit
        (("ada",), "dependabot[bot]", True),  # a human's merge commit of a bot's PR
        (("ada", "Ada Lovelace"), "renovate[bot]", True),  # a squash committed by a human
        (("ada",), "grace", False),
        (("ada",), None, False),
        (("dependabot",), "grace", True),  # a bot's commit in a human's PR
    ],
)
def test_bot_work_is_a_bots_commit_or_any_commit_of_a_bots_request(
    authors: tuple[str, ...], request_author: str | None, bot: bool
) -> None:
    assert is_bot_work(authors, request_author) is bot


def test_revert_names_the_reverted_commit() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert reverted_sha(f'Revert "x"\n\nThis reverts commit {sha}.') == sha
    assert reverted_sha("This reverts commit 0123abc.") == "0123abc"
    assert reverted_sha("Revert the cache change") is None


@pytest.mark.parametrize(
    ("names", "include", "exclude", "archived", "kept"),
    [
        (("acme/web", "web"), ("*",), (), False, True),
        (("acme/web", "web"), ("web",), (), False, True),
        (("acme/web", "web"), ("acme/*",), ("*-old",), False, True),
        (("acme/web-old", "web-old"), ("*",), ("*-old",), False, False),
        (("acme/web", "web"), ("api*",), (), False, False),
        (("acme/web", "web"), ("*",), (), True, False),
        (("acme/Web", "Web"), ("web",), (), False, False),  # case-sensitive
    ],
)
def test_repository_globs(
    names: tuple[str, ...],
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    archived: bool,
    kept: bool,
) -> None:
    assert in_scope(names, include, exclude, archived) is kept


def test_archived_repositories_when_wanted() -> None:
    assert in_scope(("acme/web",), ("*",), (), archived=True, include_archived=True)


def test_times_in_z_or_offset_form_are_aware() -> None:
    assert parse_time("2026-07-01T09:00:00Z") == datetime(2026, 7, 1, 9, tzinfo=UTC)
    ist = timezone(timedelta(hours=5, minutes=30))
    assert parse_time("2026-07-01T14:30:00+05:30") == datetime(2026, 7, 1, 14, 30, tzinfo=ist)
    assert parse_time("2026-07-01T09:00:00.123Z").microsecond == 123000
    assert parse_optional_time(None) is None and parse_optional_time("") is None
