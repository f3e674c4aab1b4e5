"""The partner network: records per school, contacts, the communication log and the stage that
moves with it, follow-up tasks, activities, the list's filters and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    ActivityKind,
    FollowUpTask,
    Organisation,
    Partnership,
    PartnerStage,
    Touchpoint,
    TouchpointKind,
    utcnow,
)
from marketplace.partners import log, records, tasks

from .helpers import field_errors, field_value, flashes, school_today, words


def _record(school, organisation) -> Partnership:
    return db.session.scalar(
        sa.select(Partnership).filter_by(school_id=school.id, organisation_id=organisation.id)
    )


def test_a_teacher_adds_a_prospect_and_a_second_school_shares_the_organisation_not_the_notes(
    client, make, login
):
    school_a, school_b = make.school("Riverside"), make.school("Hillcrest")
    teacher_a, teacher_b = make.teacher(school=school_a), make.teacher(school=school_b)
    login(teacher_a)
    response = client.post(
        "/partners/new",
        data={
            "name": "Bayview Credit Union",
            "website": "https://www.bayviewcu.example/about",
            "source": "chamber of commerce",
            "recommended_by": "Pat at the Chamber",
            "clusters": ["Financial Services"],
            "tags": "Hiring, weekend-shifts",
            "notes": "Wants interns who speak Spanish.",
        },
    )
    assert response.status_code == 303
    page = words(client.get(response.headers["Location"]))
    assert "Bayview Credit Union prospect" in page
    assert "is in your network as a prospect" in page
    assert "Chamber of commerce, recommended by Pat at the Chamber" in page
    assert "hiring, weekend-shifts" in page and "Wants interns who speak Spanish." in page

    login(teacher_b)
    response = client.post(
        "/partners/new", data={"name": "Bayview CU", "website": "bayviewcu.example"}
    )
    organisations = db.session.scalars(
        sa.select(Organisation).where(Organisation.name.like("Bayview%"))
    ).all()
    assert len(organisations) == 1  # found by its web domain, not duplicated
    record_b = _record(school_b, organisations[0])
    assert record_b.stage is PartnerStage.PROSPECT and record_b.owner_id == teacher_b.id
    page = words(client.get(f"/partners/{record_b.id}"))
    assert "Wants interns" not in page and "Pat at the Chamber" not in page
    assert "weekend-shifts" not in page
    record_a = _record(school_a, organisations[0])
    assert client.get(f"/partners/{record_a.id}").status_code == 404

    # adding it again finds the school's own record
    response = client.post("/partners/new", data={"name": "bayview credit union"})
    assert response.headers["Location"].endswith(f"/partners/{record_b.id}")
    assert "already in your network" in " ".join(flashes(client.get(f"/partners/{record_b.id}")))


def test_one_school_never_reads_anothers_log_contacts_or_tasks(client, make, login):
    school_a, school_b = make.school(), make.school()
    teacher_a, teacher_b = make.teacher(school=school_a), make.teacher(school=school_b)
    organisation = make.organisation(verified_by=[school_a, school_b], name="Shared Co")
    record_a, record_b = _record(school_a, organisation), _record(school_b, organisation)
    make.partner_contact(record_a, name="Alex Secretcontact")
    log.log_by_hand(record_a, teacher_a, TouchpointKind.CALL, school_today(), "Budget is tight.")
    make.follow_up(record_a, teacher_a, title="Ask about the budget")
    db.session.commit()
    login(teacher_b)
    page = words(client.get(f"/partners/{record_b.id}"))
    assert "Shared Co" in page
    for secret in ("Alex Secretcontact", "Budget is tight", "Ask about the budget"):
        assert secret not in page
    listing = words(client.get("/partners?q=Shared"))
    assert "Shared Co" in listing and "Ask about" not in listing
    export = client.get("/partners/export.csv").get_data(as_text=True)
    assert "Secretcontact" not in export


def test_logging_a_call_moves_a_prospect_on_and_keeps_the_date_and_the_people(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Harbor Bakery")
    dana = make.partner_contact(record, name="Dana Ruiz")
    login(teacher)
    yesterday = clock.school_today(school) - timedelta(days=1)
    response = client.post(
        f"/partners/{record.id}/log",
        data={
            "kind": "call",
            "day": yesterday.isoformat(),
            "summary": "Dana likes the idea of a career-day talk.",
            "contacts": [str(dana.id)],
        },
    )
    assert response.status_code == 303
    db.session.refresh(record)
    assert record.stage is PartnerStage.CONTACTED
    entry = db.session.scalar(sa.select(Touchpoint).filter_by(partnership_id=record.id))
    assert entry.kind is TouchpointKind.CALL and entry.owner_id == teacher.id
    assert [c.name for c in entry.contacts] == ["Dana Ruiz"]
    assert clock.local(entry.occurred_at, clock.zone(school.timezone)).date() == yesterday
    assert record.last_contact_at == entry.occurred_at
    page = words(client.get(f"/partners/{record.id}"))
    assert "Call · " in page and "with Dana Ruiz" in page and "career-day talk" in page


def test_a_log_entry_without_a_summary_is_refused_and_keeps_what_was_typed(client, make, login):
    school = make.school()
    record = make.prospect(school)
    login(make.teacher(school=school))
    response = client.post(
        f"/partners/{record.id}/log", data={"kind": "meeting", "day": "2026-11-02", "summary": ""}
    )
    assert response.status_code == 422
    assert "Say in a line what was said." in field_errors(response)
    assert field_value(response, "day") == "2026-11-02"
    assert '<input checked id="kind-2" name="kind"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Touchpoint.id))) == 0


def test_activities_engage_a_partner_and_the_third_in_a_year_makes_it_a_partner(make):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school)
    today = clock.school_today(school)
    log.add_activity(record, teacher, ActivityKind.GUEST_SPEAKER, today, 30, 1.5, "Nursing talk")
    assert record.stage is PartnerStage.ENGAGED
    log.add_activity(record, teacher, ActivityKind.MOCK_INTERVIEW, today - timedelta(days=400))
    assert record.stage is PartnerStage.ENGAGED  # the older one is more than a year back
    log.add_activity(record, teacher, ActivityKind.CAREER_DAY, today - timedelta(days=20))
    assert record.stage is PartnerStage.ENGAGED
    log.add_activity(record, teacher, ActivityKind.RESUME_REVIEW, today - timedelta(days=5))
    assert record.stage is PartnerStage.PARTNER
    entries = log.timeline(record).items
    assert entries[0].summary == "Guest speaker, 30 students, 1.5 h. Nursing talk"
    assert all(e.kind is TouchpointKind.ACTIVITY and not e.automatic for e in entries)


def test_the_stage_only_moves_up_by_itself_and_can_be_set_by_hand(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, stage=PartnerStage.PARTNER)
    log.log_by_hand(record, teacher, TouchpointKind.EMAIL, school_today(), "Thanks!")
    assert record.stage is PartnerStage.PARTNER
    db.session.commit()
    login(teacher)
    response = client.post(f"/partners/{record.id}/stage", data={"stage": "contacted"})
    assert response.status_code == 303
    db.session.refresh(record)
    assert record.stage is PartnerStage.CONTACTED
    page = words(client.get(f"/partners/{record.id}"))
    assert "Stage set by hand from partner to contacted." in page


def test_a_note_is_not_a_contact_with_the_partner(make):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school)
    log.log_by_hand(record, teacher, TouchpointKind.NOTE, school_today(), "Their CEO is an alum.")
    assert record.last_contact_at is None and record.stage is PartnerStage.PROSPECT


def test_the_list_filters_by_stage_cluster_tag_owner_source_and_silence(client, make, login):
    school = make.school()
    teacher, colleague = make.teacher(school=school), make.teacher(school=school)
    quiet = make.prospect(school, "Quiet Mill", owner_id=colleague.id, source="alumni")
    quiet.last_contact_at = utcnow() - timedelta(days=120)
    busy = make.prospect(school, "Busy Clinic", stage=PartnerStage.ENGAGED)
    busy.last_contact_at = utcnow() - timedelta(days=3)
    records.set_labels(busy, "cluster", ["Healthcare & Human Services"])
    records.set_labels(quiet, "tag", ["summer only"])
    never = make.prospect(school, "Never Called")
    make.prospect(make.school(), "Other School's Co")
    db.session.commit()
    login(teacher)

    def names(query: str) -> list[str]:
        page = words(client.get(f"/partners?{query}"))
        found = [n for n in ("Quiet Mill", "Busy Clinic", "Never Called") if n in page]
        assert "Other School's Co" not in page
        return found

    assert names("") == ["Quiet Mill", "Busy Clinic", "Never Called"]
    assert names("stage=engaged") == ["Busy Clinic"]
    assert names("cluster=Healthcare+%26+Human+Services") == ["Busy Clinic"]
    assert names("tag=summer+only") == ["Quiet Mill"]
    assert names(f"owner={colleague.id}") == ["Quiet Mill"]
    assert names("source=alumni") == ["Quiet Mill"]
    assert names("quiet=90") == ["Quiet Mill", "Never Called"]
    assert names("q=clinic") == ["Busy Clinic"]
    assert names("stage=nonsense&quiet=-4&owner=x") == ["Quiet Mill", "Busy Clinic", "Never Called"]
    fragment = client.get("/partners?stage=engaged", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "1 partner matches these filters." in words(fragment)
    assert never.id  # listed though it was never contacted


def test_the_list_reads_a_fixed_number_of_statements_however_many_partners(client, make, login):
    from .isolation import StatementLog

    school = make.school()
    teacher = make.teacher(school=school)

    def statements() -> int:
        with StatementLog() as seen:
            assert client.get("/partners").status_code == 200
        return len(seen)

    for n in range(2):
        record = make.prospect(school, owner_id=teacher.id)
        records.set_labels(record, "tag", [f"t{n}"])
        make.follow_up(record, teacher)
    db.session.commit()
    login(teacher)
    statements()
    few = statements()
    for _ in range(8):
        record = make.prospect(school, owner_id=make.teacher(school=school).id)
        records.set_labels(record, "cluster", ["Construction"])
        make.follow_up(record, teacher)
    db.session.commit()
    assert statements() == few


def test_follow_ups_are_due_by_the_schools_calendar_and_ticked_once(client, make, login):
    school = make.school(timezone="Pacific/Auckland")
    teacher, colleague = make.teacher(school=school), make.teacher(school=school)
    record = make.prospect(school, "Kauri Builders")
    today = clock.school_today(school)
    late = make.follow_up(record, teacher, title="Send the brochure", due_on=today - timedelta(1))
    make.follow_up(record, teacher, title="Confirm the visit", due_on=today)
    make.follow_up(record, teacher, title="Ask for a mentor", due_on=today + timedelta(days=9))
    make.follow_up(record, colleague, title="Colleague's call", due_on=today)
    db.session.commit()
    agenda = tasks.agenda(school, teacher)
    assert [t.title for t in agenda.overdue] == ["Send the brochure"]
    assert [t.title for t in agenda.today] == ["Confirm the visit"]
    assert [t.title for t in agenda.upcoming] == ["Ask for a mentor"]
    login(teacher)
    page = words(client.get("/partners/tasks"))
    assert "Overdue (1)" in page and "Colleague's call" not in page
    assert "Colleague's call" in words(client.get("/partners/tasks?who=all"))
    assert client.post(f"/partners/tasks/{late.id}/done").status_code == 303
    assert client.post(f"/partners/tasks/{late.id}/done").status_code == 303
    assert "Someone ticked it already." in flashes(client.get("/partners/tasks"))
    assert db.session.get(FollowUpTask, late.id).done_at is not None
    assert "Overdue (0)" in words(client.get("/partners/tasks"))


def test_the_agenda_keeps_each_part_to_its_own_limit_in_one_statement(make):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school, "Kauri Builders")
    today = clock.school_today(school)
    for days in (-3, -2, -1, 0, 0, 0, 1, 2, 3, 4):
        make.follow_up(record, teacher, title=f"Task {days}", due_on=today + timedelta(days))
    db.session.commit()
    from .isolation import StatementLog

    with StatementLog() as seen:
        agenda = tasks.agenda(school, teacher, upcoming=3, limit=2)
    assert len([s for s in seen.statements if "FROM follow_up_task" in s]) == 1
    assert [t.due_on - today for t in agenda.overdue] == [timedelta(-3), timedelta(-2)]
    assert [t.due_on for t in agenda.today] == [today, today]
    assert [t.due_on - today for t in agenda.upcoming] == [timedelta(1), timedelta(2)]


def test_a_task_is_only_given_to_the_schools_staff(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    record = make.prospect(school)
    outsider = make.teacher(school=make.school())
    login(teacher)
    response = client.post(
        f"/partners/{record.id}/tasks",
        data={"title": "Call", "due_on": "2026-12-01", "assignee": str(outsider.id)},
    )
    assert response.status_code == 422
    assert field_value(response, "title") == "Call"
    assert db.session.scalar(sa.select(sa.func.count(FollowUpTask.id))) == 0


def test_the_export_keeps_the_filters_and_cannot_smuggle_a_formula(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    evil = make.prospect(school, '=HYPERLINK("http://x.example","Click")')
    make.partner_contact(evil, name="+Mallory", email="m@x.example", title="@boss")
    calm = make.prospect(school, "Calm Co", stage=PartnerStage.ENGAGED)
    make.partner_contact(calm, name="Dana", do_not_contact=True, email="")
    db.session.commit()
    login(teacher)
    response = client.get("/partners/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["organisation", "website", "stage"]
    by_name = {row[0]: row for row in rows[1:]}
    assert '\'=HYPERLINK("http://x.example","Click")' in by_name
    assert by_name["Calm Co"][9] == "Dana [do not contact]"
    assert by_name['\'=HYPERLINK("http://x.example","Click")'][9].startswith("'+Mallory (@boss")
    engaged = client.get("/partners/export.csv?stage=engaged").get_data(as_text=True)
    assert "Calm Co" in engaged and "HYPERLINK" not in engaged
