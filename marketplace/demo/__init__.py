"""The demo: `flask seed-demo` fills an empty database with a school year's worth of stories.

One module per story, each built with the features' own services: the schools and their people
(`school`), challenges, projects and their files, the engagements climbing the ladder, the
conversations. No feature imports this package; `flask seed-demo` (and `demo-logins`) are its
only doors. A new feature adds its story here and calls it from `seed_demo`.
"""

from __future__ import annotations

import click
from flask import Flask

from ..extensions import db
from .challenges import seed_challenges
from .conversations import seed_threads
from .engagements import seed_engagements
from .events import seed_events
from .partners import seed_partners
from .pitches import seed_pitches
from .projects import seed_projects
from .questions import seed_questions
from .school import DEMO_LOGINS, DEMO_PASSWORD, database_is_empty, seed_school

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "register", "seed_demo"]


def seed_demo() -> None:
    """Create every story's records, in order (the caller commits)."""
    seed_school()
    seed_challenges()
    seed_projects()
    seed_pitches()
    seed_engagements()
    seed_threads()
    seed_questions()
    seed_events()
    seed_partners()


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


def register(app: Flask) -> None:
    """Add `flask seed-demo` and `flask demo-logins`."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
