"""DJANGO_LOG_FORMAT=json: one JSON object a line, with level, logger, message and exception."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from bzpeer.json_logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]

LOG_AN_ERROR = """
import logging, django
django.setup()
log = logging.getLogger("works.runs")
log.info("import run %s started", 7)
try:
    {}["cursor"]
except KeyError:
    log.exception("import run 7 failed:\\nsecond line")
"""


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bzpeer.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_formatter_writes_one_line_with_the_exception():
    try:
        raise ValueError("bad page")
    except ValueError:
        record = logging.LogRecord(
            "works.runs", logging.ERROR, __file__, 1, "run %s:\nfailed", (3,), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "works.runs"
    assert entry["message"] == "run 3:\nfailed"
    assert "ValueError: bad page" in entry["exception"]
    assert "Traceback" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_the_settings_switch_every_log_line_to_json():
    result = run_django(LOG_AN_ERROR, DJANGO_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one object
    assert [(e["level"], e["logger"]) for e in entries] == [
        ("INFO", "works.runs"),
        ("ERROR", "works.runs"),
    ]
    assert entries[0]["message"] == "import run 7 started"
    assert entries[1]["message"] == "import run 7 failed:\nsecond line"
    assert "KeyError: 'cursor'" in entries[1]["exception"]
    assert "exception" not in entries[0]


def test_text_stays_the_default():
    result = run_django(LOG_AN_ERROR, DJANGO_LOG_FORMAT="")
    assert result.returncode == 0, result.stderr
    assert "ERROR works.runs import run 7 failed:" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


def test_an_unknown_format_is_refused_at_start_up():
    result = run_django("import django; django.setup()", DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be 'text' or 'json'" in result.stderr
