"""The pipeline's steps taken one at a time: reading the store never writes it, local
sources are refreshed only when asked, one ReportFiles names what a run wrote."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from opsmaturity.config import Config, load_config
from opsmaturity.errors import StoreError
from opsmaturity.pipeline import Dataset, load_dataset, refresh_local_sources
from opsmaturity.report import ReportFiles

from .conftest import ROOT


@pytest.fixture()
def files_config(tmp_path: Path) -> Config:
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    return load_config(Path(shutil.copy(ROOT / "examples" / "files.yaml", tmp_path / "files.yaml")))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_load_dataset_does_not_collect_local_sources(files_config: Config) -> None:
    with pytest.raises(StoreError, match="the store is empty; run `opsmaturity collect"):
        load_dataset(files_config)
    assert not files_config.store_path.exists()


def test_refresh_is_the_explicit_step_that_writes(files_config: Config) -> None:
    refresh_local_sources(files_config)
    before = digest(files_config.store_path.parent)
    shutil.rmtree(files_config.resolve(Path("files")))  # the sources are not read again
    data = load_dataset(files_config)
    assert sorted(r.full_name for r in data.repositories) == ["initech/reports", "initech/tps"]
    assert digest(files_config.store_path.parent) == before


def test_dataset_holds_only_what_the_report_reads() -> None:
    assert set(Dataset.__dataclass_fields__) == {
        "repositories",
        "notes",
        "forge_dora",
        "incidents",
        "completeness",
    }


def test_report_files_main_and_others(tmp_path: Path) -> None:
    pdf, html, json_, csv = (tmp_path / n for n in ("r.pdf", "r.html", "r.json", "r-m.csv"))
    extra = tmp_path / "q2.json"
    files = ReportFiles(pdf=pdf, html=html, json=json_, csv=(csv,), extra=(extra,))
    assert files.main == pdf and files.others == [html, json_, csv, extra]
    only_json = ReportFiles(json=json_)
    assert only_json.main == json_ and only_json.others == []
    with pytest.raises(ValueError, match="no report file"):
        _ = ReportFiles().main
