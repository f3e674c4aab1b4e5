"""What a user deploys: the locked requirements hold the production extra, every environment
variable the code reads is in the README's table, and the nginx file is valid."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

from config import ROOT, Config

from .helpers import eventually

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


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


def test_nginx_takes_the_bodies_the_app_takes():
    """nginx refuses no more and no less than the app's default MAX_CONTENT_LENGTH."""
    site = (DEPLOY / "nginx.conf").read_text()
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(megabytes) * 1024 * 1024 == Config().MAX_CONTENT_LENGTH


def run_nginx_test(main: Path) -> None:
    result = subprocess.run(  # noqa: S603 - Debian's nginx, our own files
        [NGINX, "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def nginx() -> str:
    if not Path(NGINX).exists():
        pytest.skip("no nginx (apt-get install -y nginx): deploy/nginx.conf not checked")
    return NGINX


def test_the_nginx_site_is_valid(nginx, tmp_path):
    """deploy/nginx.conf as it is, inside a bare `http { }` with a prefix of its own."""
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {DEPLOY}/nginx.conf;\n}}\n"
    )
    run_nginx_test(main)


def test_the_nginx_site_is_valid_in_debians_nginx_conf(nginx, tmp_path):
    """And where the README puts it: in Debian's own nginx.conf (which already turns gzip on)."""
    debian = Path("/etc/nginx/nginx.conf")
    if not debian.exists():
        pytest.skip("no /etc/nginx/nginx.conf")
    text = debian.read_text().replace("/etc/nginx/sites-enabled/*", f"{DEPLOY}/nginx.conf")
    main = tmp_path / "nginx.conf"
    main.write_text(re.sub(r"(?m)^pid .*$", f"pid {tmp_path}/nginx.pid;", text))
    run_nginx_test(main)


@pytest.mark.parametrize("unit", ["marketplace-web@8001", "marketplace-worker@1"])
def test_the_systemd_units_are_valid(unit, tmp_path):
    """systemd-analyze verify, the checkout's path put where the units expect /srv/marketplace."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze: the units are not checked")
    template = unit.split("@")[0] + "@.service"
    text = (DEPLOY / template).read_text()
    assert "EnvironmentFile=/etc/marketplace/env" in text and "Restart=on-failure" in text
    (tmp_path / template).write_text(text.replace("/srv/marketplace", str(ROOT)))
    result = subprocess.run(  # noqa: S603 - systemd's own tool, our own file
        [analyze, "verify", f"./{unit}.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_web_unit_runs_the_repositorys_gunicorn_settings():
    text = (DEPLOY / "marketplace-web@.service").read_text()
    assert "--config deploy/gunicorn.conf.py wsgi:app" in text
    assert "Environment=GUNICORN_BIND=127.0.0.1:%i" in text
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in text


def test_nginx_logs_no_link_token_and_no_request_id_a_client_made_up(nginx, tmp_path):
    """The site served for real (its upstream down: a 502 is logged all the same): a token in a
    path is logged as [token], a hostile X-Request-ID is replaced by nginx's own, a safe one
    kept; /readyz is for the machine itself."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = (DEPLOY / "nginx.conf").read_text()
    site = re.sub(r"listen \[::\]:80;", "", site).replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/log/nginx/marketplace.access.log", f"{tmp_path}/access.log")
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp_path}/site.conf;\n}}\n"
    )
    server = subprocess.Popen(  # noqa: S603 - Debian's nginx, our own files
        [nginx, "-p", str(tmp_path), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _answers(port), 10, "nginx listening")
        secret = "IjQyIg.Zx9aBc.q1w2e3r4t5y6u7i8o9p0asdfghjkl"
        for path, request_id in (
            (f"/reset/{secret}", 'bad id"} injected'),
            (f"/preferences/{secret}/unsubscribe", "req-42.safe_id"),
        ):
            _get(port, path, {"X-Request-ID": request_id})
        assert _get(port, "/readyz", {}) == 502  # from loopback: let through (no app behind)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines()]
    assert [line["path"] for line in lines[:2]] == [
        "/reset/[token]",
        "/preferences/[token]/unsubscribe",
    ]
    assert secret not in (tmp_path / "access.log").read_text()
    assert lines[0]["request_id"] != 'bad id"} injected' and len(lines[0]["request_id"]) == 32
    assert lines[1]["request_id"] == "req-42.safe_id"


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
