"""Command-line tasks: `flask seed-demo`, `flask create-admin`, `flask demo-logins`,
`flask expire-offers`."""

from __future__ import annotations

from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from .engagements import ladder
from .extensions import db
from .models import Role, User, utcnow
from .notifications import cli as notifications_cli
from .projects import files
from .security import hash_password, password_problem
from .seed import DEMO_LOGINS, DEMO_PASSWORD, database_is_empty, seed_demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo_command(if_empty: bool) -> None:
    """Fill the database with demo schools, classes, students and employers."""
    if not database_is_empty():
        if if_empty:
            click.echo("The database already has data; demo seed skipped.")
            return
        raise click.ClickException("The database is not empty; seed-demo only fills an empty one.")
    seed_demo()
    db.session.commit()
    click.echo("Demo data created.")


@click.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo logins, one per role."""
    click.echo("")
    click.echo(f"  Demo logins (password for all: {DEMO_PASSWORD})")
    width = max(len(role) for role, _ in DEMO_LOGINS)
    for role, login in DEMO_LOGINS:
        click.echo(f"    {role:<{width}}  {login}")
    click.echo("  A student can also join with class code ENGR3DSN at /auth/join")
    click.echo("  The ladder: employers' /pipeline, teachers' /approvals, the school's /ladder,")
    click.echo("  students' /my/engagements. More employers: dana@keystoneprecision.example,")
    click.echo("  marcus@rccu.example, alicia@ridemetro.example, priya@brightcircuit.example")
    click.echo("  Live climb: jordan shows interest in CheckIn Buddy (Engineering Design), claims")
    click.echo("  to mentor; rivera approves and records the guardian's consent; ava.m accepts")
    click.echo("")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--first-name", default="Site")
@click.option("--last-name", default="Admin")
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


@click.command("expire-offers")
def expire_offers_command() -> None:
    """Expire the offers whose deadline to answer has passed (run it daily, e.g. from cron)."""
    expired = ladder.expire_overdue(date.today())
    db.session.commit()
    click.echo(f"{expired} offer(s) expired.")


storage_group = AppGroup("storage", help="Uploaded files.")


@storage_group.command("reconcile")
@click.option("--older-than-minutes", default=60, show_default=True, type=int)
def reconcile_command(older_than_minutes: int) -> None:
    """Delete abandoned pending uploads and stored objects that no row knows."""
    rows, objects = files.reconcile(timedelta(minutes=older_than_minutes))
    db.session.commit()
    click.echo(f"Removed {rows} abandoned upload(s) and {objects} orphan object(s).")


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    for command in (
        seed_demo_command,
        demo_logins_command,
        create_admin_command,
        expire_offers_command,
        storage_group,
    ):
        app.cli.add_command(command)
    notifications_cli.register(app)  # flask worker, flask run-scheduled
