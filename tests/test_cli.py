"""Command-line tasks: the demo seed and creating a site admin."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Role,
    School,
    User,
)

from .helpers import count_rows


def test_seed_demo_if_empty_leaves_existing_data_alone(app, make):
    """`--if-empty` (what `make run` uses) skips a database that has users."""
    make.teacher()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output
    assert count_rows(School) == 1
    assert runner.invoke(args=["seed-demo"]).exit_code != 0


def test_create_admin(app, client):
    """`flask create-admin` makes a site admin who can log in; weak passwords are refused."""
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "root@example.org",
            "--first-name",
            "Robin",
            "--last-name",
            "Hale",
        ],
        input="password\npassword\n",
    )
    assert weak.exit_code != 0 and "common" in weak.output
    result = runner.invoke(
        args=["create-admin", "--email", "Root@Example.org"],
        input="Robin\nHale\na long admin phrase\na long admin phrase\n",
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).filter_by(email="root@example.org"))
    assert admin.role is Role.SITE_ADMIN
    response = client.post(
        "/auth/login", data={"login": "root@example.org", "password": "a long admin phrase"}
    )
    assert response.status_code == 302
    assert client.get("/admin/schools").status_code == 200
