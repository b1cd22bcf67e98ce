"""docs/metrics.md, rendered from the same data as the report's methodology page.

Regenerate with ``PYTHONPATH=src python -m opsmaturity.metrics.docs > docs/metrics.md``;
tests/test_metrics_tiers.py fails when the file is stale.
"""

from __future__ import annotations

from .incidents import DEFINITIONS as INCIDENT_DEFINITIONS
from .incidents import INTRO as INCIDENTS_INTRO
from .tiers import benchmark_table, metric_definitions, metrics_notes


def metrics_doc() -> str:
    """docs/metrics.md, rendered from metrics.yaml and the benchmark tables."""
    lines = [
        "# DORA metrics: definitions",
        "",
        "<!-- Generated from src/opsmaturity/data/metrics.yaml and data/benchmarks/ by",
        "     `python -m opsmaturity.metrics.docs`; tests/test_metrics_tiers.py keeps it in step. -->",
        "",
    ]
    for m in metric_definitions():
        lines += [
            f"## {m.name}",
            "",
            f"*{m.summary}* Unit: {m.unit}. In DORA since {m.since}.",
            "",
            m.definition,
            "",
            f"Score 0–10 ({m.interpolation} interpolation between anchors, clamped): "
            + ", ".join(f"{v:g} → {s:g}" for v, s in m.points),
            "",
        ]
    notes = metrics_notes()
    lines += [
        "## Which records count",
        "",
        notes["records"],
        "",
        "## Overall tier and score",
        "",
        notes["overall"]["tier"],
        "",
        notes["overall"]["score"],
        "",
        "## Warnings",
        "",
    ]
    lines += [f"- `{code}`: {text}" for code, text in notes["warnings"].items()]
    lines += ["", "## The rows behind every figure", "", notes["rows"]["intro"]]
    for table in ("deployments", "changes", "incidents"):
        lines += ["", f"`{table}.csv`:", "", "| Column | Meaning |", "|---|---|"]
        lines += [f"| `{col}` | {text} |" for col, text in notes["rows"][table].items()]
    lines += ["", "## Incident figures", "", INCIDENTS_INTRO, ""]
    lines += [f"- **{name}**: {text}" for name, text in INCIDENT_DEFINITIONS.values()]
    for year in (2024, 2023, 2022):
        b = benchmark_table(year)
        lines += [
            "",
            f"## Benchmark: {b.title} (`{b.id}`)",
            "",
            f"Source: {b.source['url']}",
            "",
            b.notes,
            "",
            "| Metric | " + " | ".join(b.tiers) + " |",
            "|---|" + "---|" * len(b.tiers),
        ]
        for metric, bands in b.bands.items():
            cells = [
                f"{band.label} ({b.compare[metric]} {band.bound:g})"
                if band.bound is not None
                else f"{band.label} (rest)"
                for band in bands
            ]
            lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates docs/metrics.md
    import sys

    sys.stdout.write(metrics_doc())
