"""The students report against a hand-counted world: how many students reached each rung, by
grade, class and career cluster, once each in the totals; who is in no project; the students
behind a figure; a teacher sees only their classes, a school admin only their school.

Riverside High, Ms Rivera's classes:
- Robotics A: Ana (grade 11) and Ben (grade 11) on a health project at mentorship; Ana has an
  internship under way, Ben completed job shadowing. Cleo (grade 12) on an IT project nobody
  engaged with. Dev (no grade) on no team.
- Robotics B: Eli (grade 10) on a health project at interest, with a job shadowing agreement
  not yet signed (not counted); Ana is in this class too, on no team of it.
Mr Diaz's class: Fay (grade 11) on a project at mentorship. Lakeview High: Gus."""

from __future__ import annotations

import csv
import io

import pytest

from marketplace.extensions import db
from marketplace.models import (
    Enrollment,
    PlacementStatus,
    ProjectStatus,
    Rung,
)
from marketplace.reports import students as reports
from marketplace.reports.scope import Filters, Scope

from .conftest import shared_world
from .helpers import words

HEALTH, IT = "Health Science", "Information Technology"


def build(make):
    school = make.school("Riverside High")
    rivera = make.teacher(school=school, first_name="Maria", last_name="Rivera")
    diaz = make.teacher(school=school, first_name="Omar", last_name="Diaz")
    admin = make.school_admin(school=school)
    org = make.organisation(verified_by=[school], name="Harbor Health")
    employer = make.employer(org)
    class_a = make.classroom(teacher=rivera, name="Robotics A")
    class_b = make.classroom(teacher=rivera, name="Robotics B")
    class_c = make.classroom(teacher=diaz, name="Design C")

    def student(classroom, first, grade):
        s = make.student(classroom, first_name=first, last_name="Student")
        s.grade = grade
        return s

    ana, ben = student(class_a, "Ana", 11), student(class_a, "Ben", 11)
    cleo, dev = student(class_a, "Cleo", 12), student(class_a, "Dev", None)
    eli, fay = student(class_b, "Eli", 10), student(class_c, "Fay", 11)
    db.session.add(Enrollment(classroom_id=class_b.id, student_id=ana.id))

    def project(classroom, members, cluster):
        challenge = make.challenge(school, career_cluster=cluster)
        team = make.team(classroom, members)
        return make.project(team, challenge, status=ProjectStatus.PUBLISHED)

    e1 = make.engagement(project(class_a, [ana, ben], HEALTH), employer, rung=Rung.MENTORSHIP)
    make.placement(e1, ana, Rung.INTERNSHIP, PlacementStatus.ACTIVE, coordinator_id=rivera.id)
    make.placement(e1, ben, Rung.JOB_SHADOWING, PlacementStatus.COMPLETED)
    project(class_a, [cleo], IT)
    e3 = make.engagement(project(class_b, [eli], HEALTH), employer, rung=Rung.INTEREST)
    make.placement(e3, eli, Rung.JOB_SHADOWING, PlacementStatus.AGREEMENT)
    make.engagement(project(class_c, [fay], HEALTH), employer, rung=Rung.MENTORSHIP)
    lakeview = make.school("Lakeview High")
    gus = make.student(make.classroom(teacher=make.teacher(school=lakeview)), first_name="Gus")
    db.session.commit()
    return locals()


world = shared_world(build)
KEYS = [key for key, _ in reports.COLUMNS]


def counts(row) -> list[int]:
    return [row[k] for k in KEYS]


# students, in a project, interest, mentorship, job shadowing, externship, internship, completed
def test_by_grade_each_student_once_in_the_total(world):
    result = reports.breakdown(Scope.of(world["rivera"]), Filters(), "grade")
    assert {r.label: counts(r) for r in result.rows} == {
        "Grade 10": [1, 1, 1, 0, 0, 0, 0, 0],
        "Grade 11": [2, 2, 2, 2, 2, 1, 1, 1],
        "Grade 12": [1, 1, 0, 0, 0, 0, 0, 0],
        "Grade not recorded": [1, 0, 0, 0, 0, 0, 0, 0],
    }
    assert [r.label for r in result.rows][-1] == "Grade not recorded"
    assert counts(result.total) == [5, 4, 3, 2, 2, 1, 1, 1]  # Ana once, in two classes


def test_by_class_a_student_counts_in_each_of_her_classes(world):
    result = reports.breakdown(Scope.of(world["rivera"]), Filters(), "class")
    assert {r.label: counts(r) for r in result.rows} == {
        "Robotics A": [4, 3, 2, 2, 2, 1, 1, 1],
        "Robotics B": [2, 1, 1, 0, 0, 0, 0, 0],
    }


def test_by_cluster_the_students_of_its_projects(world):
    result = reports.breakdown(Scope.of(world["rivera"]), Filters(), "cluster")
    assert {r.label: counts(r) for r in result.rows} == {
        HEALTH: [3, 3, 3, 2, 2, 1, 1, 1],
        IT: [1, 1, 0, 0, 0, 0, 0, 0],
    }


def test_the_school_admin_has_every_class_and_no_other_school(world):
    result = reports.breakdown(Scope.of(world["admin"]), Filters(), "grade")
    assert counts(result.total) == [6, 5, 4, 3, 2, 1, 1, 1]  # Fay too
    assert "Gus" not in {
        s.first_name for s, _ in reports.not_in_a_project(Scope.of(world["admin"]), Filters())[0]
    }


def test_the_class_and_cluster_filters_narrow_it(world):
    scope = Scope.of(world["rivera"])
    only_b = Filters(classroom_id=world["class_b"].id)
    assert counts(reports.breakdown(scope, only_b, "grade").total) == [2, 1, 1, 0, 0, 0, 0, 0]
    it = Filters(cluster=IT)
    assert counts(reports.breakdown(scope, it, "grade").total) == [5, 1, 0, 0, 0, 0, 0, 0]


def test_who_is_in_no_project(world, client, login):
    missing, count = reports.not_in_a_project(Scope.of(world["rivera"]), Filters())
    assert [(s.first_name, name) for s, name in missing] == [("Dev", "Robotics A")]
    assert count == 1
    login(world["rivera"])
    page = words(client.get("/reports/students"))
    assert "1 student is on no team with a project in your classes." in page
    assert "Dev Student Robotics A" in page


def test_the_page_the_csv_and_the_rows_behind_a_figure(world, client, login):
    login(world["rivera"])
    page = words(client.get("/reports/students"))
    assert "5 students: 4 in a project" in page
    assert "Grade 11 2 2 2 2 2 1 1 1" in page
    rows = words(client.get("/reports/students/rows?by=grade&key=11&column=job_shadowing"))
    assert "Grade 11: reached job shadowing 2 in all" in rows
    assert "Ana Student" in rows and "Ben Student" in rows and "Fay" not in rows
    rows = words(client.get("/reports/students/rows?by=grade&key=&column=students"))
    assert "Dev Student" in rows and "Ana" not in rows
    rows = words(client.get("/reports/students/rows?by=class&key=999999&column=students"))
    assert "0 in all" in rows
    assert client.get("/reports/students/rows?column=nonsense").status_code == 404
    text = client.get("/reports/students.csv?by=class").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["class", *KEYS]
    assert table[1:] == [
        ["Robotics A", "4", "3", "2", "2", "2", "1", "1", "1"],
        ["Robotics B", "2", "1", "1", "0", "0", "0", "0", "0"],
        ["All students", "5", "4", "3", "2", "2", "1", "1", "1"],
    ]


@pytest.mark.parametrize("who", ["diaz", "lakeview"])
def test_a_teacher_never_sees_another_class_nor_another_school(world, make, client, login, who):
    reader = world["diaz"] if who == "diaz" else make.school_admin(school=world["lakeview"])
    login(reader)
    page = words(client.get("/reports/students?by=class"))
    assert "Robotics" not in page and "Dev Student" not in page
    rows = words(client.get("/reports/students/rows?by=grade&key=11&column=students"))
    assert "Ana" not in rows and "Ben" not in rows


def test_a_project_in_another_teachers_class_is_not_this_teachers_to_count(make):
    """Hana is in Ms Rivera's class and in Mr Diaz's, with a project only in his."""
    school = make.school()
    rivera, diaz = make.teacher(school=school), make.teacher(school=school)
    mine, theirs = make.classroom(teacher=rivera), make.classroom(teacher=diaz)
    hana = make.student(mine, first_name="Hana")
    db.session.add(Enrollment(classroom_id=theirs.id, student_id=hana.id))
    make.project(make.team(theirs, [hana]), status=ProjectStatus.PUBLISHED)
    db.session.commit()
    scope = Scope.of(rivera)
    by_class = reports.breakdown(scope, Filters(), "class")
    assert [counts(r)[:2] for r in by_class.rows] == [[1, 0]]
    assert counts(by_class.total)[:2] == [1, 0]
    assert [r.label for r in reports.breakdown(scope, Filters(), "cluster").rows] == []
    missing, count = reports.not_in_a_project(scope, Filters())
    assert [s.first_name for s, _ in missing] == ["Hana"] and count == 1
    assert counts(reports.breakdown(Scope.of(diaz), Filters(), "class").total)[:2] == [1, 1]
