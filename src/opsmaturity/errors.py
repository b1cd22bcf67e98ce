"""The error tree. The CLI maps each to one clear line and an exit code.

::

    OpsMaturityError              anything this tool reports on purpose (exit 1)
    ├── ConfigError               a config file is invalid: file:line: field: reason (exit 2)
    ├── AnswersError              a questionnaire or answers file is invalid (exit 2)
    ├── StoreError                the store cannot be read or written (exit 3)
    ├── ReportError               a report cannot be rendered, e.g. missing logo (exit 4)
    │   └── OutputError           an --out location cannot be written (exit 4)
    └── SourceError               a forge or file source failed (exit 5)
        ├── AuthError             401/403 on credentials: names the env var, never the token
        ├── RateLimited           the forge asked us to wait; carries ``retry_after`` seconds
        └── NotFound              404: missing, or the token cannot see it
    IncompleteData                the store has gaps and --allow-incomplete was not given (exit 6)

Messages never contain a token: sources build them from names, not values.
"""

from __future__ import annotations


class OpsMaturityError(Exception):
    """Base of every error this tool raises deliberately."""

    exit_code = 1


class ConfigError(OpsMaturityError):
    """An assessment config is invalid; the message is ``file:line: field: reason``."""

    exit_code = 2


class AnswersError(OpsMaturityError):
    """A questionnaire or an answers file is invalid; names file, line/row and question."""

    exit_code = 2


class StoreError(OpsMaturityError):
    """The store is unreadable, locked, or was written by a newer version."""

    exit_code = 3


class ReportError(OpsMaturityError):
    """A report cannot be rendered (missing logo, unknown template...)."""

    exit_code = 4


class OutputError(ReportError):
    """An output location cannot be written: names the option, the path and why."""


class SourceError(OpsMaturityError):
    """Collection from a source failed."""

    exit_code = 5


class AuthError(SourceError):
    """Credentials were refused; the message names the env var and the scopes needed."""


class RateLimited(SourceError):
    """The forge rate-limited us; ``retry_after`` says how many seconds to wait."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(SourceError):
    """The resource does not exist or the token cannot see it."""


class IncompleteData(OpsMaturityError):
    """The collected data has gaps (a repository not collected, a run cut short)."""

    exit_code = 6
