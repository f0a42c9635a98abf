"""The recorded upstream responses are kept once, in ``works/demo/``, and each is documented.

The demo (``manage.py load_demo``, shipped in the production image) and the tests read the same
files; a second copy would drift from the first and double the size of the tree and the image.
"""

import hashlib
import os
from pathlib import Path

from tests.conftest import ARXIV, OPENALEX, RECORDED

ROOT = RECORDED.parents[1]
# Folders that are not the project's own: the virtualenv, Git's store, tool caches and local
# build or test output.
SKIPPED_DIRS = {
    ".venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".stack",
}
DATA_SUFFIXES = (".json", ".xml", ".atom")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_files() -> list[Path]:
    return sorted(p for p in RECORDED.rglob("*") if p.is_file() and p.name.endswith(DATA_SUFFIXES))


def data_files_outside_recorded() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        here = Path(folder)
        if here == RECORDED or RECORDED in here.parents:
            continue
        found += [here / name for name in files if name.endswith(DATA_SUFFIXES)]
    return found


def test_the_recorded_folders_hold_the_openalex_and_arxiv_files():
    names = {p.name for p in recorded_files()}
    assert {"author-A5017898742.json", "works-page1-per_page50.json"} <= names
    assert "query-au_del_maestro-2016.atom.xml" in names
    assert OPENALEX.parent == ARXIV.parent == RECORDED


def test_no_second_copy_of_a_recorded_file_exists_anywhere_in_the_tree():
    recorded = recorded_files()
    hashes = {sha256(p) for p in recorded}
    names = {p.name for p in recorded}
    copies = []
    for path in data_files_outside_recorded():
        # A file with a recorded file's name is a copy too, even if someone edited it since.
        if path.name in names or sha256(path) in hashes:
            copies.append(str(path.relative_to(ROOT)))
    assert not copies, "keep recorded responses only in works/demo/: " + ", ".join(copies)


def test_the_provenance_names_every_recorded_file():
    provenance = (RECORDED / "PROVENANCE.md").read_text(encoding="utf-8")
    undocumented = [p.name for p in recorded_files() if p.name not in provenance]
    assert not undocumented
