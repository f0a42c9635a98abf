"""The dependency rules in pyproject.toml ([tool.importlinter]) hold, and catch a break.

``make lint`` runs ``lint-imports`` on the tree; these tests run it on a copy of the apps, once as
they are and once with one forbidden import added, so a contract that silently stopped checking
anything would fail here.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["bzpeer", "accounts", "works", "profiles", "graph", "claims", "follows"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def tree(tmp_path):
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_tree_keeps_every_contract(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "says"),
    [
        # Ingestion importing the people apps above it.
        ("works/runs.py", "import claims.models", "works is not allowed to import claims"),
        # The two top apps are independent of each other.
        ("claims/actions.py", "import follows.models", "claims is not allowed to import follows"),
        # HTTP outside works.clients.
        ("graph/actions.py", "import requests", "graph.actions -> requests"),
        # Another app's views.
        ("follows/actions.py", "import profiles.views", "follows.actions -> profiles.views"),
    ],
)
def test_a_forbidden_import_breaks_the_lint(tree, module, line, says):
    add_line(tree / module, line)
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert says in result.stdout
