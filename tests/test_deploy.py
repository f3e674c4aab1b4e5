"""What a user deploys: the locked requirements hold the production extra, every environment
variable the code reads is in the README's table, and the nginx file is valid."""

from __future__ import annotations

import re
import tomllib

from config import ROOT


def _pinned(lock: str) -> set[str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {match.lower() for match in re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.MULTILINE)}


def test_the_locks_pin_the_production_extra():
    """`pip install --require-hashes -r requirements/main.txt` installs what production imports
    (Redis for the shared rate limits), and the tests (requirements/dev.txt) run with it too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = {
        re.split(r"[\[<>=!~ ;]", spec)[0].lower()
        for spec in project["optional-dependencies"]["production"]
    }
    assert extra
    assert extra <= _pinned("main.txt")
    assert extra <= _pinned("dev.txt")


_READ_IN_CONFIG = re.compile(r'_(?:env|flag)\(\s*"([A-Z0-9_]+)"')
_READ_ELSEWHERE = re.compile(r'(?:os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*"([A-Z0-9_]+)"')
_NOT_SETTINGS = {"PATH"}  # the media sandbox passes the system's on to ffmpeg


def variables_read() -> set[str]:
    """Every environment variable config.py, the package, wsgi.py and deploy/ read by name."""
    names = set(_READ_IN_CONFIG.findall((ROOT / "config.py").read_text()))
    sources = [
        ROOT / "wsgi.py",
        *(ROOT / "marketplace").rglob("*.py"),
        *(ROOT / "deploy").glob("*.py"),
    ]
    for path in sources:
        names |= set(_READ_ELSEWHERE.findall(path.read_text()))
    return names - _NOT_SETTINGS


def variables_documented() -> set[str]:
    """The names in the first column of the README's table of variables."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| variable | default | meaning |", 1)[1].split("\n\n", 1)[0]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("|")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}


def test_every_environment_variable_is_in_the_readmes_table():
    read = variables_read()
    assert {"DATABASE_URL", "MAX_CONTENT_LENGTH", "GUNICORN_BIND"} <= read  # the scan works
    assert sorted(read - variables_documented()) == [], "add these to the README's table"
