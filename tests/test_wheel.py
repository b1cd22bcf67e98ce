"""The wheel ships templates and questionnaires and runs from outside the source tree.

Builds the wheel offline (no build isolation), installs it with --no-deps into a fresh
venv that borrows this environment's dependencies through a .pth file, and runs the
console script from a temporary folder with PYTHONPATH cleared.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = work.glob("opsmaturity-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "opsmaturity/_data/templates/report.html.j2" in names
    assert "opsmaturity/_data/questionnaires/devops.yaml" in names
    assert "opsmaturity/survey/templates/section.html.j2" in names  # the web survey's pages
    assert "opsmaturity/survey/static/survey.js" in names
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    (purelib,) = env_dir.glob("lib/python3*/site-packages")
    (purelib / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(env_dir / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(env_dir / "bin" / "opsmaturity"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_installed_wheel_runs_help_and_demo(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout
    result = _run(installed, "demo", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    pdfs = list((tmp_path / "out").glob("*.pdf"))
    assert pdfs and pdfs[0].stat().st_size > 10_000
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import opsmaturity; print(opsmaturity.__file__)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(installed)), "the demo ran from the source tree, not the wheel"
