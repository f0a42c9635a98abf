"""The works an import replays: the recorded author's real works, copied under new ids.

OpenAlex is never called. Work ``i`` is recorded work ``i % 9`` of author A5017898742 with its own
OpenAlex id (``W7`` + ``i``), title, DOI and arXiv id, so an import of N works has N distinct rows
to lose or duplicate, each with the recorded authorships, institutions and topics.
"""

import json
import re
from functools import cache
from pathlib import Path

AUTHOR_ID = "A5017898742"
OPENALEX = Path(__file__).resolve().parents[2] / "works" / "demo" / "openalex"
_ARXIV_LINK = re.compile(r"arxiv\.org/(abs|pdf)/[A-Za-z\-.]*/?\d{4}\.?\d{3,5}(v\d+)?", re.I)
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.[\w.\-/]+", re.I)


@cache
def author() -> dict:
    return json.loads((OPENALEX / f"author-{AUTHOR_ID}.json").read_text())


@cache
def _templates() -> list[str]:
    data = json.loads((OPENALEX / f"works-by-{AUTHOR_ID}-per_page50.json").read_text())
    return [json.dumps(work) for work in data["results"]]


def work_id(i: int) -> str:
    return f"W7{i:09d}"


def work(i: int) -> dict:
    templates = _templates()
    arxiv = f"97{(i // 100000) % 100:02d}.{i % 100000:05d}"
    text = _ARXIV_LINK.sub(f"arxiv.org/abs/{arxiv}", templates[i % len(templates)])
    text = _ARXIV_DOI.sub(f"10.48550/arxiv.{arxiv}", text)
    record = json.loads(text)
    record["id"] = f"https://openalex.org/{work_id(i)}"
    record["title"] = record["display_name"] = f"{record.get('title') or 'Untitled'} [{i}]"
    if record.get("doi") and "10.48550" not in record["doi"]:
        record["doi"] = f"https://doi.org/10.99999/faults.{i}"
    record["ids"] = {
        "openalex": record["id"],
        **({"doi": record["doi"]} if record.get("doi") else {}),
    }
    return record
