"""The practices assessment: questionnaires, answers, scoring, survey and survey-vs-data."""

from __future__ import annotations

from .answers import Answer, Response, load_answers
from .compare import Mismatch, compare_survey_with_data
from .export import export_questionnaire
from .questionnaire import QuestionnaireSet, load_questionnaires
from .scoring import Assessment, GroupScores, Score, score
from .survey import Prompter, QuestionaryPrompter, SurveyResult, run_survey

__all__ = [
    "Answer",
    "Assessment",
    "GroupScores",
    "Mismatch",
    "Prompter",
    "QuestionaryPrompter",
    "QuestionnaireSet",
    "Response",
    "Score",
    "SurveyResult",
    "compare_survey_with_data",
    "export_questionnaire",
    "load_answers",
    "load_questionnaires",
    "run_survey",
    "score",
]
