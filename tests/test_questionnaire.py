"""Questionnaires: the bundled set is complete and documented; malformed files fail at file:line."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from opsmaturity.errors import AnswersError
from opsmaturity.practices.export import export_questionnaire
from opsmaturity.practices.questionnaire import QuestionnaireSet, load_questionnaires
from opsmaturity.resources import questionnaires_dir

SCALES = """\
scales:
  maturity:
    - {value: 0, label: Not practised}
    - {value: 1, label: Ad hoc}
    - {value: 2, label: Repeatable}
    - {value: 3, label: Defined and measured}
    - {value: 4, label: Optimised and automated}
"""

OPS = """\
id: ops
name: Ops
areas:
  - id: alpha
    name: Alpha
    questions:
      - {id: ops.alpha.one, text: "One?", help: Good one., scale: maturity}
      - {id: ops.alpha.two, text: "Two?", help: Good two., scale: maturity, weight: 3}
  - id: beta
    name: Beta
    weight: 2
    questions:
      - {id: ops.beta.three, text: "Three?", help: Good three., scale: maturity, required: false}
"""

SELF = """\
id: self
name: Self-report
kind: self-report
scales:
  freq:
    - {value: 0, label: Rarely, range: [0, 1]}
    - {value: 1, label: Weekly, range: [1, 7]}
    - {value: 2, label: Daily, range: [7, .inf]}
areas:
  - id: delivery
    name: Delivery
    questions:
      - {id: self.delivery.freq, text: "How often?", help: Deploys., scale: freq, metric: deployment_frequency, required: false}
      - {id: self.delivery.cfr, text: "What % fail?", help: Failures., type: percent, better: lower, bands: [15, 30], metric: change_failure_rate, required: false}
"""


def write_tiny(folder: Path) -> Path:
    """A three-question discipline plus a two-question self-report, for hand-checked tests."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("scales.yaml", SCALES), ("ops.yaml", OPS), ("self.yaml", SELF)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def tiny(tmp_path: Path) -> QuestionnaireSet:
    return load_questionnaires(write_tiny(tmp_path / "q"))


@pytest.fixture(scope="module")
def bundled() -> QuestionnaireSet:
    return load_questionnaires()


def test_bundled_set_has_every_discipline(bundled: QuestionnaireSet) -> None:
    assert [d.id for d in bundled.disciplines] == [
        "culture",
        "devops",
        "dora",
        "netops",
        "sre",
        "sysops",
    ]


REQUIRED_AREAS = {
    "sysops": {"monitoring", "patching", "backup_dr", "configuration", "change_management",
               "incident_response", "capacity", "access"},
    "devops": {"version_control", "ci", "delivery", "test_automation", "iac", "small_batches",
               "observability", "security", "architecture", "ownership", "change_approval"},
    "sre": {"slo", "toil", "postmortems", "on_call", "release_safety", "golden_signals",
            "capacity_load", "chaos"},
    "culture": {"westrum", "learning", "documentation"},
}  # fmt: skip


@pytest.mark.parametrize("discipline", sorted(REQUIRED_AREAS))
def test_issue_practice_areas_are_covered(bundled: QuestionnaireSet, discipline: str) -> None:
    found = bundled.discipline(discipline)
    assert found is not None
    assert {a.id for a in found.areas} == REQUIRED_AREAS[discipline]


def test_practice_areas_have_three_to_six_questions(bundled: QuestionnaireSet) -> None:
    sizes = {
        f"{d.id}.{a.id}": len(a.questions)
        for d in bundled.disciplines
        if d.kind == "practices"
        for a in d.areas
    }
    assert {k: n for k, n in sizes.items() if not 3 <= n <= 6} == {}


def test_every_question_has_help_text(bundled: QuestionnaireSet) -> None:
    missing = [q.id for q in bundled.questions() if len(q.help.strip()) < 20]
    assert missing == [], "questions without help text (what good looks like)"


def test_every_question_relates_to_a_dora_capability_or_metric(bundled: QuestionnaireSet) -> None:
    assert [q.id for q in bundled.questions() if not q.relates_to] == []


def test_self_report_covers_the_five_dora_metrics(bundled: QuestionnaireSet) -> None:
    metrics = {q.metric for q in bundled.questions() if q.metric}
    assert metrics == {
        "deployment_frequency",
        "lead_time_for_changes",
        "change_failure_rate",
        "failed_deployment_recovery_time",
        "rework_rate",
    }


def test_dora_buckets_cover_every_value_without_gaps(bundled: QuestionnaireSet) -> None:
    for name in ("dora_deploy_frequency", "dora_duration"):
        ranges = sorted(level.range for level in bundled.scales[name] if level.range)
        assert ranges[0][0] == 0 and ranges[-1][1] == float("inf")
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_files_that_follow_dora_credit_it() -> None:
    folder = questionnaires_dir()
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "source: DORA" in text or "agree7:" in text:
            assert "CC BY 4.0" in text and "dora.dev" in text, path.name


def test_tiny_questionnaire_loads(tmp_path: Path) -> None:
    qs = tiny(tmp_path)
    question = qs.question("ops.alpha.two")
    assert question is not None and question.weight == 3
    assert [level.label for level in qs.levels(question)][1] == "Ad hoc"
    assert qs.area_of("self.delivery.cfr")[1].name == "Delivery"


BAD_CASES = [
    # (file to corrupt, old text, new text, expected "file:line: message" fragment)
    ("ops.yaml", "weight: 3}", "weight: 0}", r"ops\.yaml:8: areas\[0\]\.questions\[1\]\.weight: .*greater than 0"),
    ("ops.yaml", "scale: maturity, required", "scale: likert, required", r"ops\.yaml:13: .*scale: unknown scale"),
    ("ops.yaml", "id: ops.alpha.two", "id: ops.alpha.one", r"ops\.yaml:8: .*duplicate question id 'ops\.alpha\.one' \(also ops\.yaml:7\)"),
    ("ops.yaml", "id: ops.beta.three", "id: ops.alpha.three", r"ops\.yaml:13: .*must start with 'ops\.beta\.'"),
    ("ops.yaml", "  - id: beta", "  - id: alpha", r"ops\.yaml:9: areas\[1\]\.id: duplicate area id"),
    ("ops.yaml", "text: \"One?\", ", "", r"ops\.yaml:7: areas\[0\]\.questions\[0\]\.text: Field required"),
    ("ops.yaml", "name: Beta", "name: Beta\n    colour: red", r"ops\.yaml:11: areas\[1\]\.colour: Extra inputs"),
    ("ops.yaml", "areas:", "areas: [", r"ops\.yaml:\d+: invalid YAML"),
    ("self.yaml", "bands: [15, 30]", "bands: [30, 15]", r"self\.yaml:14: .*bands must be in ascending order"),
    ("self.yaml", "{value: 2, label: Daily", "{value: 3, label: Daily", r"self\.yaml:5: scales\.freq: levels must be numbered 0, 1, 2"),
    ("self.yaml", "label: Weekly", "label: rarely", r"self\.yaml:5: scales\.freq: two levels share a label"),
    ("self.yaml", "id: self\n", "id: ops\n", r"self\.yaml:1: id: discipline 'ops' also in ops\.yaml"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD_CASES)
def test_malformed_questionnaire_names_file_and_line(
    tmp_path: Path, name: str, old: str, new: str, expected: str
) -> None:
    folder = write_tiny(tmp_path / "q")
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(AnswersError, match=expected):
        load_questionnaires(folder)


def test_a_scale_defined_twice_must_agree(tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "q")
    redefined = SELF.replace(
        "scales:\n",
        "scales:\n  maturity:\n    - {value: 0, label: Never}\n    - {value: 1, label: Always}\n",
    )
    (folder / "self.yaml").write_text(redefined)
    with pytest.raises(
        AnswersError,
        match=r"self\.yaml:5: scales\.maturity: scale differs from its definition in scales\.yaml",
    ):
        load_questionnaires(folder)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="no questionnaire files"):
        load_questionnaires(tmp_path)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.items = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]
        self.items += tag == "li"


def test_html_form_has_every_question_and_escapes_text(tmp_path: Path) -> None:
    folder = write_tiny(tmp_path / "q")
    (folder / "ops.yaml").write_text(OPS.replace('text: "One?"', "text: 'One <b>&</b>?'"))
    qs = load_questionnaires(folder)
    html = export_questionnaire(qs, "html")
    parser = _Ids()
    parser.feed(html)
    assert parser.ids == [q.id for q in qs.questions()]
    assert parser.items == 3 * 6 + 4 + 2  # maturity + don't know; freq + don't know; percent
    assert "One &lt;b&gt;&amp;&lt;/b&gt;?" in html


def test_bundled_html_form_credits_dora(bundled: QuestionnaireSet) -> None:
    html = export_questionnaire(bundled, "html")
    assert len(re.findall(r'class="q"', html)) == sum(1 for _ in bundled.questions())
    assert "CC BY 4.0" in html


def test_export_rejects_unknown_format(bundled: QuestionnaireSet) -> None:
    with pytest.raises(ValueError, match="csv or html"):
        export_questionnaire(bundled, "pdf")  # type: ignore[arg-type]
