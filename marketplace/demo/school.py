"""The demo's people: two schools, staff, classes, ~30 students in teams, employers.

Every account uses DEMO_PASSWORD.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from .. import clock
from ..auth.services import create_student
from ..extensions import db
from ..models import (
    JoinRequest,
    Organisation,
    OrganisationStatus,
    Partnership,
    Role,
    User,
    VerificationStatus,
    utcnow,
)
from ..schools.services import create_school
from ..security import hash_password
from ..teams.services import add_member, create_classroom, create_team

DEMO_PASSWORD = "wbl-demo-2026"  # noqa: S105 - printed on purpose by `make run`

# (school, city, admin, [(teacher e-mail, first, last, [(class, age, fixed code, [students])])])
_SCHOOLS = [
    ("Riverside High School", "Riverside", ("admin@riverside.example", "Sam", "Ortiz"), [
        ("rivera@riverside.example", "Maria", "Rivera", [
            ("Engineering Design, period 3", 16, "ENGR3DSN", [
                ("Ava", "Martinez"), ("Noah", "Kim"), ("Mia", "Johnson"),
                ("Liam", "Nguyen"), ("Zoe", "Patel"), ("Ethan", "Brown"),
            ]),
            ("Health Science Pathway", 17, "HSP4CARE", [
                ("Sofia", "Garcia"), ("Lucas", "Wright"), ("Amara", "Okoye"),
                ("Mateo", "Lopez"), ("Chloe", "Davis"), ("Omar", "Haddad"),
            ]),
        ]),
        ("chen@riverside.example", "David", "Chen", [
            ("Digital Media Arts", 15, "DMA7ARTS", [
                ("Harper", "Wilson"), ("Elijah", "Moore"), ("Layla", "Thomas"),
                ("Aiden", "Jackson"), ("Nora", "White"), ("Caleb", "Harris"),
            ]),
        ]),
    ]),
    ("Lakeview Middle & Career Academy", "Lakeview",
     ("admin@lakeview.example", "Rosa", "Delgado"), [
        ("okafor@lakeview.example", "Grace", "Okafor", [
            ("Grade 7 STEM Exploration", 12, "STEM7XPL", [
                ("Ella", "Scott"), ("Jack", "Green"), ("Aria", "Baker"),
                ("Leo", "Adams"), ("Ivy", "Nelson"), ("Max", "Carter"),
            ]),
            ("Business & Marketing 10", 15, "BIZ10MKT", [
                ("Grace", "Mitchell"), ("Henry", "Perez"), ("Lily", "Roberts"),
                ("Jacob", "Turner"), ("Ruby", "Phillips"), ("Owen", "Campbell"),
            ]),
        ]),
    ]),
]  # fmt: skip

# (name, cluster, industry, website, city, employer (e-mail, first, last) or None,
#  {school index: verification})
_ORGANISATIONS = [
    ("Harbor Health Clinic", "Healthcare & Human Services", "Healthcare", "https://harborhealth.example",
     "Riverside", ("jordan@harborhealth.example", "Jordan", "Reyes"), {0: "verified"}),
    ("Bright Circuit Robotics", "Advanced Manufacturing", "Robotics", "https://brightcircuit.example",
     "Riverside", ("priya@brightcircuit.example", "Priya", "Shah"), {0: "verified", 1: "verified"}),
    ("Pixel Harbor Studio", "Arts, Entertainment & Design", "Design agency", "https://pixelharbor.example",
     "Lakeview", ("tom@pixelharbor.example", "Tom", "Becker"), {1: "verified"}),
    ("Greenfield Farms Co-op", "Agriculture", "Agriculture", "https://greenfield.example",
     "Riverside", ("lee@greenfield.example", "Lee", "Morgan"), {0: "pending"}),
    ("Summit Construction", "Construction", "Construction", "https://summitbuild.example",
     "Riverside", None, {0: "pending"}),
    ("Lakeview Credit Union", "Financial Services", "Banking", "https://lakeviewcu.example",
     "Lakeview", None, {1: "pending"}),
    ("Riverbend Logistics", "Supply Chain & Transportation", "Logistics", "https://riverbend.example",
     "Riverside", None, {0: "pending", 1: "pending"}),
    ("Keystone Precision Manufacturing", "Advanced Manufacturing", "Precision machining",
     "https://keystoneprecision.example", "Riverside",
     ("dana@keystoneprecision.example", "Dana", "Whitfield"), {0: "verified"}),
    ("Riverside Community Credit Union", "Financial Services", "Credit union", "https://rccu.example",
     "Riverside", ("marcus@rccu.example", "Marcus", "Bell"), {0: "verified", 1: "verified"}),
    ("Riverside Metro Transit", "Supply Chain & Transportation", "Public transit",
     "https://ridemetro.example", "Riverside", ("alicia@ridemetro.example", "Alicia", "Romero"),
     {0: "verified"}),
]  # fmt: skip

DEMO_LOGINS = [
    ("student", "ava.m"),
    ("student under 13", "ella.s"),
    ("teacher", "rivera@riverside.example"),
    ("school admin", "admin@riverside.example"),
    ("employer (verified)", "jordan@harborhealth.example"),
    ("employer (awaiting verification)", "lee@greenfield.example"),
    ("employer in a conversation with Ava's team", "dana@keystoneprecision.example"),
    ("site admin", "admin@marketplace.example"),
]


def _birthday(age: int, offset_days: int) -> date:
    today = clock.today_in(clock.default_zone())
    return date(today.year - age, 1, 1) + timedelta(days=offset_days % 200)


def _adult(
    role: Role, email: str, first: str, last: str, password_hash: str, **extra: object
) -> User:
    user = User(
        role=role,
        email=email,
        first_name=first,
        last_name=last,
        password_hash=password_hash,
        email_confirmed_at=utcnow(),
        **extra,
    )
    db.session.add(user)
    return user


def database_is_empty() -> bool:
    """True before anyone has an account (`make run` seeds only then)."""
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def seed_school() -> None:
    """Create the demo's schools, staff, classes, students and organisations."""
    password_hash = hash_password(DEMO_PASSWORD)
    _adult(Role.SITE_ADMIN, "admin@marketplace.example", "Robin", "Hale", password_hash)
    schools = []
    for name, city, (admin_email, admin_first, admin_last), teachers in _SCHOOLS:
        school = create_school(name, city)
        schools.append(school)
        student_count = 0
        _adult(
            Role.SCHOOL_ADMIN, admin_email, admin_first, admin_last, password_hash, school=school
        )
        for email, first, last, classes in teachers:
            teacher = _adult(Role.TEACHER, email, first, last, password_hash, school=school)
            db.session.flush()
            for class_name, age, code, students in classes:
                classroom = create_classroom(teacher, class_name)
                classroom.join_code = code
                members = []
                for n, (s_first, s_last) in enumerate(students):
                    student = create_student(
                        classroom,
                        username=f"{s_first}.{s_last[0]}".lower(),
                        first_name=s_first,
                        last_name=s_last,
                        date_of_birth=_birthday(age, 37 * n),
                        password=DEMO_PASSWORD,
                    )
                    # The roster's grade (a year behind for the class's younger students) and
                    # the school's student number, as the teacher keeps them.
                    student.grade = min(12, max(9, age - 5 - (n % 3 == 2)))
                    student.student_number = f"{school.slug[:3].upper()}-{1001 + student_count}"
                    student_count += 1
                    members.append(student)
                db.session.expire(classroom)
                for index, chunk in enumerate((members[:3], members[3:5])):
                    team = create_team(classroom, ("Trailblazers", "Night Owls")[index])
                    for student in chunk:
                        add_member(team, student)
                # members[5] is left without a team, to show that state.
    for name, cluster, industry, website, city, employer, verifications in _ORGANISATIONS:
        organisation = Organisation(
            name=name,
            career_cluster=cluster,
            industry=industry,
            website=website,
            city=city,
            status=OrganisationStatus.ACTIVE if employer else OrganisationStatus.PROSPECT,
            email_domain=website.split("//", 1)[1],
        )
        db.session.add(organisation)
        if employer:
            email, first, last = employer
            _adult(Role.EMPLOYER, email, first, last, password_hash, organisation=organisation)
        if name == "Harbor Health Clinic":  # a colleague waiting for Jordan to let them in
            casey = _adult(
                Role.EMPLOYER, "casey@harborhealth.example", "Casey", "Nolan", password_hash
            )
            db.session.add(JoinRequest(organisation=organisation, user=casey))
        for school_index, status in verifications.items():
            verified = status == "verified"
            db.session.add(
                Partnership(
                    organisation=organisation,
                    school=schools[school_index],
                    status=VerificationStatus.VERIFIED
                    if verified
                    else VerificationStatus.PENDING
                    if employer
                    else VerificationStatus.NOT_ASKED,  # a prospect: nobody to ask
                    decided_at=utcnow() if verified else None,
                )
            )
    db.session.flush()
