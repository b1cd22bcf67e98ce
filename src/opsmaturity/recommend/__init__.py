"""The operating-model recommendation: a decision matrix over every candidate model.

Data in ``data/recommendation_rules.yaml`` (models, dimensions with weights and rationale,
confidence thresholds, roadmap actions); pure code here: ``facts`` reads the evidence,
``matrix`` scores and ranks, ``confidence`` weighs the evidence, ``whatif`` searches for
what would change the decision, ``roadmap`` plans from weaknesses only.
"""

from ..dora import METRICS
from .engine import recommend
from .result import (
    Change,
    ConfidenceFactor,
    DimensionView,
    ModelFit,
    Reason,
    Recommendation,
    RoadmapAction,
    TeamLine,
)
from .rules import RuleBook, load_rules

__all__ = [
    "METRICS",
    "Change",
    "ConfidenceFactor",
    "DimensionView",
    "ModelFit",
    "Reason",
    "Recommendation",
    "RoadmapAction",
    "RuleBook",
    "TeamLine",
    "load_rules",
    "recommend",
]
