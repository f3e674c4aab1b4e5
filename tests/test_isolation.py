"""The suite's own isolation: what one test writes, commits, mails or stores is gone for the next.

The tests run in file order, in pairs: the first leaves something behind if isolation failed,
the second fails if it finds it. (conftest's `database_url` also checks, at the end of the run,
that every table is empty again.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import Classroom, School, User
from marketplace.storage import storage

from .isolation import database_state

STATE: dict[str, object] = {}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- a test of its own: one transaction, rolled back ----------------------------------------


def test_a_request_commits_a_class_and_mails(client, login, make, outbox):
    teacher = make.teacher()
    login(teacher)
    assert client.post("/classes", data={"name": "Robotics"}).status_code == 302
    assert count(Classroom) == 1
    storage().write("isolation/leak.txt", [b"left behind?"], 20)
    STATE["outbox"] = Path(outbox.folder)
    STATE["uploads"] = Path(storage().root)


def test_nothing_of_the_test_before_is_left(app, outbox):
    assert count(Classroom) == count(School) == count(User) == 0
    assert Path(outbox.folder) != STATE["outbox"] and outbox.messages == []
    assert Path(storage().root) != STATE["uploads"]
    assert list(storage().keys()) == []


# --- a test that commits for real: tables emptied after it ----------------------------------


@pytest.mark.commits
def test_a_committing_test_writes_for_real(app, make):
    make.school("Committed")
    db.session.commit()
    with db.engine.connect() as connection:  # another connection sees it: really committed
        assert connection.scalar(sa.select(sa.func.count()).select_from(School)) == 1


def test_nothing_of_the_committing_test_is_left(app):
    assert count(School) == 0


# --- a module's shared world: each test rolled back to it -----------------------------------


def test_a_world_test_changes_rows_files_and_the_world_itself(client, login, world):
    STATE["world"] = database_state()
    STATE["name"] = world.class_a.name
    login(world.teacher)
    response = client.post(f"/classes/{world.class_a.id}/rename", data={"name": "Renamed"})
    assert response.status_code == 302
    response = client.post(f"/classes/{world.class_a.id}/teams", data={"name": "New"})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.class_a.name == "Renamed"
    storage().delete(world.published_file.key)
    assert database_state() != STATE["world"]


def test_the_next_world_test_finds_the_world_as_built(world):
    assert world.class_a.name == STATE["name"]
    assert database_state() == STATE["world"]
    assert storage().size(world.published_file.key) is not None
