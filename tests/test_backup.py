"""Backup and restore for real: `flask backup create` dumps the database (pg_dump on
PostgreSQL, SQLite's backup API) and copies every object of a SeaweedFS bucket; `flask backup
restore` fills a fresh database and a fresh bucket, and the rows and objects are counted again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from marketplace import backup
from marketplace.extensions import db
from marketplace.models import ProjectFile, ProjectStatus
from marketplace.storage import S3Storage, storage

from .databases import empty_database
from .factories import Factory
from .s3 import s3_settings
from .uploads import PDF


def new_bucket(endpoint: str) -> str:
    name = f"restore-{uuid.uuid4().hex[:12]}"
    S3Storage.from_config(s3_settings(endpoint, name)).client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def installation(app_factory, s3_server, bucket, tmp_path):
    """A migrated database with two projects and their files in a bucket; its backup folder."""
    with empty_database(tmp_path) as url:
        app = app_factory(SQLALCHEMY_DATABASE_URI=url, **s3_settings(s3_server, bucket))
        with app.app_context():
            flask_migrate.upgrade()
            make = Factory()
            for name in ("slides.pdf", "notes.pdf"):
                make.project_file(make.project(status=ProjectStatus.PUBLISHED), name, PDF)
            storage().write("media/covers/1.webp", [b"RIFF....WEBP"], 100)
            db.session.commit()
            result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "b")])
            assert result.exit_code == 0, result.output
            counts, keys = backup.row_counts(), sorted(storage().keys(prefix=""))
            db.session.remove()
            db.engine.dispose()
        yield {"folder": tmp_path / "b", "counts": counts, "keys": keys, "s3": s3_server}


def restored_app(app_factory, installation, url: str):
    return app_factory(
        SQLALCHEMY_DATABASE_URI=url,
        **s3_settings(installation["s3"], new_bucket(installation["s3"])),
    )


def test_a_backup_restores_into_a_fresh_database_and_bucket_with_every_row_and_object(
    app_factory, installation, tmp_path
):
    folder = installation["folder"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["project_file"] == 2
    assert sorted(manifest["objects"]) == installation["keys"] and len(installation["keys"]) == 3
    with empty_database(tmp_path) as url:
        app = restored_app(app_factory, installation, url)
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["backup", "restore", str(folder)])
            assert result.exit_code == 0, result.output
            assert "Every table's rows and every object match the backup." in result.output
            assert backup.row_counts() == installation["counts"]
            assert sorted(storage().keys(prefix="")) == installation["keys"]
            file = db.session.scalars(sa.select(ProjectFile).order_by(ProjectFile.id)).first()
            assert file is not None
            with storage().open(file.key) as body:
                assert body.read() == PDF
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app_factory, installation, tmp_path):
    with empty_database(tmp_path) as url:
        app = restored_app(app_factory, installation, url)
        with app.app_context():
            flask_migrate.upgrade()  # another installation's schema
            result = app.test_cli_runner().invoke(
                args=["backup", "restore", str(installation["folder"])]
            )
            assert result.exit_code != 0
            assert "The database to restore into is not empty" in result.output
            assert list(storage().keys(prefix="")) == []  # nothing half-restored
            db.session.remove()
            db.engine.dispose()


def test_an_object_changed_since_the_backup_is_reported(app_factory, installation, tmp_path):
    folder: Path = installation["folder"]
    key = installation["keys"][0]
    copy = folder.joinpath("objects", *key.split("/"))
    copy.write_bytes(copy.read_bytes() + b"tampered")
    with empty_database(tmp_path) as url:
        app = restored_app(app_factory, installation, url)
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["backup", "restore", str(folder)])
            assert result.exit_code != 0
            assert (
                f"object {key}: its copy does not match the hash taken at backup" in result.output
            )
            db.session.remove()
            db.engine.dispose()


def test_a_backup_goes_into_a_new_folder_only(app, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("kept")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp_path / "old")])
    assert result.exit_code != 0 and "is not empty" in result.output
    assert (tmp_path / "old" / "something").read_text() == "kept"


def test_a_backup_is_readable_by_its_owner_alone(installation):
    folder: Path = installation["folder"]
    for path in [folder, *folder.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path
