"""Tokens from the environment: read them cleanly, and keep them out of every message.

A token pasted with a trailing newline once reached ``requests``, whose ``InvalidHeader``
printed it in full. So tokens are stripped, refused when a control character is left
inside, and remembered: :func:`scrub` replaces every token read so far in any text, the
last line of defence before an exception or a log line is shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from .errors import AuthError

MASK = "***"
#: Shorter values are not treated as secrets (scrubbing "a" would mangle every message).
MIN_SECRET = 6

_lock = threading.Lock()
_secrets: set[str] = set()


def read_token(env: Mapping[str, str], name: str) -> str | None:
    """The token in ``env[name]`` without surrounding whitespace; None when unset or blank.
    A control character inside (a pasted line break) is refused, naming the variable only."""
    raw = env.get(name)
    if raw is None:
        return None
    remember(raw)
    token = raw.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in token):
        raise AuthError(
            f"${name} contains a control character (a line break or tab inside the token?); "
            "set it to the token alone"
        )
    remember(token)
    return token or None


def remember(secret: str) -> None:
    """Scrub ``secret`` from every later message."""
    if len(secret.strip()) >= MIN_SECRET:
        with _lock:
            _secrets.add(secret)
            _secrets.add(secret.strip())


def scrub(text: str) -> str:
    """``text`` with every remembered token (and its ``repr`` form) replaced by ``***``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        for form in (secret, repr(secret)[1:-1]):
            if form and form in text:
                text = text.replace(form, MASK)
    return text


class ScrubFilter(logging.Filter):
    """A log filter that scrubs tokens from the formatted message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
