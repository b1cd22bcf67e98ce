"""The demo organization "Northwind Retail": who it is (:mod:`.organization`), its simulated
history (:mod:`.work`, :mod:`.simulation`), the source that serves it (:mod:`.source`), its
survey answers (:mod:`.answers`) and the ``opsmaturity demo`` run (:mod:`.run`, imported on
use: it needs the whole pipeline)."""

from .answers import demo_answers
from .organization import DEMO_ORGANIZATION, QUARTERS, demo_teams
from .source import DemoData, DemoSource, demo_config, generate

__all__ = [
    "DEMO_ORGANIZATION",
    "QUARTERS",
    "DemoData",
    "DemoSource",
    "demo_answers",
    "demo_config",
    "demo_teams",
    "generate",
]
