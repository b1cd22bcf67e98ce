"""The context contract: templates see only documented, typed context fields."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import typing
from pathlib import Path

import jinja2
import jinja2.meta
import pytest

from opsmaturity.report import context as ctx_module
from opsmaturity.report.context import ReportContext
from opsmaturity.report.render import environment, render_html
from opsmaturity.report.views import build_context
from opsmaturity.resources import templates_dir
from tests.report_support import report_data, typed

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "report.md"


def context_classes() -> list[type]:
    return [
        obj
        for _name, obj in inspect.getmembers(ctx_module, inspect.isclass)
        if dataclasses.is_dataclass(obj) and obj.__module__ == ctx_module.__name__
    ]


def documented_fields() -> set[str]:
    """``Class.field`` names listed in docs/report.md's context reference."""
    reference = DOCS.read_text(encoding="utf-8").split("## Template context reference", 1)[1]
    return set(re.findall(r"^\| `(\w+\.\w+)` \|", reference, re.M))


def test_every_context_field_is_documented_in_docs() -> None:
    fields = {f"{c.__name__}.{f.name}" for c in context_classes() for f in dataclasses.fields(c)}
    assert fields - documented_fields() == set(), "add these to docs/report.md"
    assert documented_fields() - fields == set(), "docs/report.md lists fields that do not exist"


def test_every_context_field_has_a_docstring() -> None:
    tree = ast.parse(Path(ctx_module.__file__).read_text(encoding="utf-8"))
    missing = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        body = cls.body
        for i, node in enumerate(body):
            if isinstance(node, ast.AnnAssign):
                nxt = body[i + 1] if i + 1 < len(body) else None
                if not (isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)):
                    missing.append(f"{cls.name}.{ast.unparse(node.target)}")
    assert missing == []


def template_sources() -> dict[str, str]:
    root = templates_dir()
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.j2"))
    }


def test_templates_use_only_context_variables() -> None:
    env = environment()
    top = {f.name for f in dataclasses.fields(ReportContext)}
    used: set[str] = set()
    for name, source in template_sources().items():
        if name.endswith("macros.html.j2"):
            continue  # macros receive their values as arguments
        found = jinja2.meta.find_undeclared_variables(env.parse(source))
        assert found - top - {"ui"} == set(), f"{name} uses variables not in ReportContext"
        used |= found
    assert top - used == set(), "context fields no template uses"


def test_context_types_are_what_the_dataclasses_say() -> None:
    ctx = build_context(typed(report_data()))
    hints = typing.get_type_hints(ReportContext)
    for f in dataclasses.fields(ctx):
        value = getattr(ctx, f.name)
        origin = typing.get_origin(hints[f.name]) or hints[f.name]
        if origin is list:
            assert isinstance(value, list), f.name
        elif origin in (str, int):
            assert isinstance(value, origin), f.name


def test_every_template_variable_is_present_for_a_full_report() -> None:
    html = render_html(typed(report_data()))  # StrictUndefined: a missing name raises
    assert html.startswith("<!DOCTYPE html>")


def test_a_metrics_only_report_renders() -> None:
    data = report_data()
    data.update(assessment=None, recommendation=None, mismatches=[], teams=[], previous=None)
    data["deltas"] = {"metrics": {}, "disciplines": {}}
    html = render_html(typed(data))
    assert 'id="practices"' not in html and 'id="recommendation"' not in html
    assert "No practice survey answers" in html


def test_an_empty_period_renders_unknowns_not_zeros() -> None:
    data = report_data()
    for scope in data["metrics"]["scopes"]:
        for metric in ("lead_time_for_changes", "failed_deployment_recovery_time"):
            scope[metric].update(median_hours=None, p75_hours=None, p90_hours=None, n=0, tier=None)
    data["metrics"]["trend"] = []
    ctx = build_context(typed(data))
    assert ctx.metrics[1].text == "—" and ctx.metrics[1].tier_label == "Not rated"
    assert ctx.metrics[1].trend_chart is None
    assert "Not enough data points for a trend" in render_html(typed(data))


def test_user_templates_override_partials(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "cover.html.j2").write_text(
        "<section id='cover'>Custom cover for {{ organization }}</section>", encoding="utf-8"
    )
    html = render_html(typed(report_data()), template_dir=tmp_path)
    assert "Custom cover for Northwind Retail" in html
    assert 'id="summary"' in html  # the rest comes from the defaults


def test_a_template_using_an_unknown_name_fails_clearly(tmp_path: Path) -> None:
    from opsmaturity.errors import ReportError

    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "cover.html.j2").write_text("{{ nonsense }}", encoding="utf-8")
    with pytest.raises(ReportError, match="nonsense"):
        render_html(typed(report_data()), template_dir=tmp_path)


def test_autoescape_is_on_and_undefined_is_strict() -> None:
    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_large_organizations_get_a_bounded_appendix() -> None:
    data = report_data()
    template = next(s for s in data["metrics"]["scopes"] if s["scope"] == "repository")
    repos = []
    for i in range(150):
        scope = json.loads(json.dumps(template))
        scope["name"] = f"org/repo-{i:03d}"
        scope["deployment_frequency"]["deployments"] = i  # repo-149 deploys most
        repos.append(scope)
    data["metrics"]["scopes"] = [s for s in data["metrics"]["scopes"] if s["scope"] != "repository"]
    data["metrics"]["scopes"] += repos
    data["data_quality"]["repositories"] = [f"org/repo-{i:03d}" for i in range(400)]
    ctx = build_context(typed(data))
    names = [r.name for r in ctx.repositories]
    assert ctx.repositories_omitted == 90
    assert names == [f"org/repo-{i:03d}" for i in range(90, 150)]  # the 60 busiest, by name
    assert len(ctx.methodology.repositories) == 300
    assert ctx.methodology.repositories_total == 400
    html = render_html(typed(data))
    assert "90 less-deployed repositories" in html and "100 more, listed" in html
