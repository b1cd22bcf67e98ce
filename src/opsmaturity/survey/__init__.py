"""The web survey for many respondents: answers in the store, invitations, a consultant view.

``survey serve`` runs :func:`app.create_app` under uvicorn; ``survey invite`` adds respondents
to :class:`storage.SurveyStore`; ``survey export`` and ``report`` read the answers back.
"""

from __future__ import annotations

__all__ = ["SurveySettings", "SurveyStore", "create_app"]


def __getattr__(name: str) -> object:
    """Starlette is imported only when the server is wanted."""
    if name in ("SurveySettings", "create_app"):
        from . import app

        return getattr(app, name)
    if name == "SurveyStore":
        from .storage import SurveyStore

        return SurveyStore
    raise AttributeError(name)
