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
