"""Command-line tasks: `flask create-admin`, `flask storage reconcile`, `flask backup create` and
`flask backup restore` (the scheduler's
`flask worker`, `run-scheduled` and `expire-offers` live in `marketplace.notifications.cli`;
the demo's `flask seed-demo` and `flask demo-logins` in `marketplace.demo`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from . import backup
from .extensions import db
from .models import Role, User, utcnow
from .projects import files
from .security import hash_password, password_problem
from .storage import StorageError


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--first-name", prompt=True, help="The admin's own name: the account menu shows it.")
@click.option("--last-name", prompt=True)
@click.password_option()
def create_admin_command(email: str, first_name: str, last_name: str, password: str) -> None:
    """Create a site admin, who creates schools and invites their admins."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise click.ClickException("An account with this e-mail already exists.")
    problem = password_problem(password, context=(email, first_name, last_name))
    if problem:
        raise click.ClickException(problem)
    db.session.add(
        User(
            role=Role.SITE_ADMIN,
            email=email,
            email_confirmed_at=utcnow(),
            first_name=first_name,
            last_name=last_name,
            password_hash=hash_password(password),
        )
    )
    db.session.commit()
    click.echo(f"Site admin {email} created.")


storage_group = AppGroup("storage", help="Uploaded files.")


@storage_group.command("reconcile")
@click.option("--older-than-minutes", default=60, show_default=True, type=int)
def reconcile_command(older_than_minutes: int) -> None:
    """Delete abandoned pending uploads and stored objects that no row knows; write the media
    jobs stored files lack and bring the cards' covers up to date."""
    rows, objects = files.reconcile(timedelta(minutes=older_than_minutes))
    db.session.commit()
    click.echo(f"Removed {rows} abandoned upload(s) and {objects} orphan object(s).")


backup_group = AppGroup("backup", help="The database and every stored file, to a folder and back.")


@backup_group.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_create_command(folder: Path) -> None:
    """Back the database and every stored object up into FOLDER (new or empty)."""
    try:
        manifest = backup.create(folder)
    except (backup.BackupError, StorageError) as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest.tables.values())
    click.echo(
        f"Backed up {rows} rows in {len(manifest.tables)} tables and {len(manifest.objects)} "
        f"objects ({manifest.object_bytes} bytes) into {folder}."
    )


@backup_group.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def backup_restore_command(folder: Path) -> None:
    """Fill an EMPTY database and an EMPTY storage from the backup in FOLDER, then check the
    rows and objects against its manifest."""
    try:
        restored = backup.restore(folder)
    except (backup.BackupError, StorageError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {sum(restored.tables.values())} rows in {len(restored.tables)} tables and "
        f"{restored.objects} objects from {folder} (backed up {restored.manifest.created_at})."
    )
    if restored.problems:
        raise click.ClickException(
            "The restore differs from the backup:\n" + "\n".join(restored.problems)
        )
    click.echo("Every table's rows and every object match the backup.")


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    for command in (
        create_admin_command,
        storage_group,
        backup_group,
    ):
        app.cli.add_command(command)
