"""Command-line tasks: `flask create-admin`, `flask storage reconcile` (the scheduler's
`flask worker`, `run-scheduled` and `expire-offers` live in `marketplace.notifications.cli`;
the demo's `flask seed-demo` and `flask demo-logins` in `marketplace.demo`)."""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from .extensions import db
from .models import Role, User, utcnow
from .projects import files
from .security import hash_password, password_problem


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


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    for command in (
        create_admin_command,
        storage_group,
    ):
        app.cli.add_command(command)
