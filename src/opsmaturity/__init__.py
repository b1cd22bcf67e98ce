"""opsmaturity: how an engineering organization really delivers and operates software.

Data flows one way: sources → canonical records → store → metrics/scores →
recommendation → report. The public API re-exports the pieces a library user needs.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config
from .errors import (
    AnswersError,
    AuthError,
    ConfigError,
    NotFound,
    OpsMaturityError,
    RateLimited,
    ReportError,
    SourceError,
    StoreError,
)
from .period import Period
from .records import Change, CollectionNote, Deployment, Incident, Repository
from .store import Store

__all__ = [
    "AnswersError",
    "AuthError",
    "Change",
    "CollectionNote",
    "Config",
    "ConfigError",
    "Deployment",
    "Incident",
    "NotFound",
    "OpsMaturityError",
    "Period",
    "RateLimited",
    "ReportError",
    "Repository",
    "SourceError",
    "Store",
    "StoreError",
    "__version__",
    "load_config",
]
