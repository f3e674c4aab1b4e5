"""Importing a spreadsheet of partners: a preview first, each broken row reported, duplicates
found by name and web domain, and a second import of the same file changes nothing."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import Organisation, PartnerContact, Partnership, PartnerStage
from marketplace.partners import imports

from .helpers import count_rows, field_errors, flashes, words

HEADER = ["Organisation", "Website", "Contact", "Email", "Career clusters", "Stage", "Owner"]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _sheet(owner_email: str) -> tuple[bytes, set[int]]:
    """1,000 rows: 850 good, 50 broken (five kinds of fault), 100 repeating an earlier row (by
    name, or by web domain under another name). Returns the file and the broken rows' numbers."""
    rows, broken = [], set()
    for n in range(850):
        rows.append(
            [f"Business {n}", f"https://www.business{n}.example", f"Person {n}",
             f"person{n}@business{n}.example", "Construction; Agriculture" if n % 3 else "",
             "contacted" if n % 5 == 0 else "", owner_email if n % 7 == 0 else ""]
        )  # fmt: skip
    faults = [
        ["", "https://nameless.example", "", "", "", "", ""],
        ["Bad Mail {n}", "", "Someone", "not-an-address", "", "", ""],
        ["Bad Stage {n}", "", "", "", "", "friends", ""],
        ["Bad Cluster {n}", "", "", "", "Underwater Basket Weaving", "", ""],
        ["Bad Owner {n}", "", "", "", "", "", "stranger@nowhere.example"],
    ]
    for n in range(50):
        rows.append([cell.format(n=n) for cell in faults[n % 5]])
        broken.add(len(rows) + 1)
    for n in range(100):
        if n % 2:
            rows.append([f"BUSINESS {n}", "", "", "", "", "", ""])  # the same name
        else:
            rows.append(
                [f"Business Number {n}", f"business{n}.example/contact", "", "", "", "", ""]
            )
    return _csv(rows), broken


def test_a_thousand_rows_import_the_good_ones_report_each_broken_one_and_run_twice_the_same(
    make,
):
    school = make.school()
    teacher = make.teacher(school=school, email="rivera@school.example")
    data, broken = _sheet(teacher.email)

    preview = imports.read(data, school)
    assert len(preview.rows) == 1000
    assert {row.number for row in preview.broken} == broken
    assert len(preview.duplicates) == 100 and len(preview.new) == 850
    by_number = {row.number: row for row in preview.rows}
    assert by_number[852].problems == ["No organisation name."]  # the first broken row
    assert by_number[853].problems == ["“not-an-address” is not an e-mail address."]
    assert "Unknown stage “friends”" in by_number[854].problems[0]
    assert by_number[855].problems == ["Unknown career cluster “Underwater Basket Weaving”."]
    assert by_number[856].problems == [
        "The owner “stranger@nowhere.example” is not on the school's staff."
    ]
    assert by_number[902].duplicate_of == 2  # by web domain, under another name
    assert by_number[903].duplicate_of == 3  # by name, in capitals
    assert count_rows(Partnership) == 0  # a preview saves nothing

    outcome = imports.apply(preview, school, teacher)
    assert (outcome.added, outcome.contacts_added, outcome.unchanged) == (850, 850, 0)
    assert count_rows(Partnership) == 850 and count_rows(PartnerContact) == 850
    record = db.session.scalar(
        sa.select(Partnership).join(Organisation).where(Organisation.name == "Business 0")
    )
    assert record.stage is PartnerStage.CONTACTED and record.owner_id == teacher.id
    assert record.organisation.email_domain == "business0.example"
    assert sorted(record.clusters) == []
    assert sorted(
        db.session.scalar(
            sa.select(Partnership).join(Organisation).where(Organisation.name == "Business 1")
        ).clusters
    ) == ["Agriculture", "Construction"]

    again = imports.read(data, school)
    assert len(again.new) == 0 and len(again.already) == 850
    outcome = imports.apply(again, school, teacher)
    assert (outcome.added, outcome.contacts_added, outcome.unchanged) == (0, 0, 850)
    assert count_rows(Partnership) == 850 and count_rows(PartnerContact) == 850
    assert count_rows(Organisation) == 850


def test_an_organisation_another_school_knows_is_shared_not_copied(make):
    school_a, school_b = make.school(), make.school()
    known = make.organisation(
        verified_by=[school_a], name="Harbor Health", website="https://harborhealth.example"
    )
    teacher = make.teacher(school=school_b)
    preview = imports.read(
        _csv([["Harbor Health Clinic", "harborhealth.example", "", "", "", "", ""]]), school_b
    )
    [row] = preview.new
    assert row.organisation is not None and row.organisation.id == known.id
    imports.apply(preview, school_b, teacher)
    assert count_rows(Organisation) == 1
    assert {p.school_id for p in known.partnerships} == {school_a.id, school_b.id}


def test_the_import_pages_preview_then_import(client, make, login):
    school = make.school()
    teacher = make.teacher(school=school)
    make.prospect(school, "Already Here")
    db.session.commit()
    login(teacher)
    assert "No column names the organisation" in " ".join(
        field_errors(
            client.post("/partners/import", data={"file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")})
        )
    )
    data = _csv(
        [
            [
                "Fresh Bakery",
                "freshbakery.example",
                "Ann Lee",
                "ann@freshbakery.example",
                "",
                "",
                "",
            ],
            ["Already Here", "", "Bo Diaz", "bo@here.example", "", "", ""],
            ["", "", "", "", "", "", ""],  # an empty line is skipped, not an error
            ["Broken", "", "", "nope", "", "", ""],
        ]
    )
    preview = client.post("/partners/import", data={"file": (io.BytesIO(data), "partners.csv")})
    page = words(preview)
    assert "1 new partner added" in page and "1 already in your network" in page
    assert "5 Broken “nope” is not an e-mail address." in page
    assert count_rows(Partnership) == 1
    key = re.search(
        r'name="content" type="hidden" value="([0-9a-f]{64})"', preview.get_data(as_text=True)
    )
    assert key is not None  # the file waits on the server, not in the page
    done = client.post(
        "/partners/import/confirm", data={"content": key.group(1)}, follow_redirects=True
    )
    [done_flash] = flashes(done)
    assert done_flash == (
        "Imported: 1 new partner, 2 new contacts; 0 already in your network unchanged; "
        "1 row left out."
    )
    assert "Fresh Bakery" in words(done)
    lost = client.post("/partners/import/confirm", data={"content": key.group(1)})
    assert "Upload the file again" in " ".join(flashes(client.get(lost.headers["Location"])))
