"""The scale-out run's users, driven by locust in a process (and a virtualenv) of its own:

- employers browse, search, open projects and say they are interested;
- students edit their team's draft, upload a file by the bucket's presigned POST, and submit;
- teachers open their review queue, publish what was submitted, and write in a thread.

Every write the app says succeeded goes into the ledger (LEDGER, one JSON line each), which
`run.py` then checks against the database. Logins come from the data `run.py` seeded: the
environment gives their patterns and how many there are.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import struct
import threading
import uuid
import zlib

from locust import HttpUser, between, task

PASSWORD = os.environ["SCALEOUT_PASSWORD"]
EMPLOYERS = int(os.environ["SCALEOUT_EMPLOYERS"])
STUDENTS = int(os.environ["SCALEOUT_STUDENTS"])  # one per team with a draft
TEACHERS = int(os.environ["SCALEOUT_TEACHERS"])
OFFSET = int(os.environ.get("SCALEOUT_OFFSET", "0"))
WAIT = float(os.environ.get("SCALEOUT_WAIT", "2"))  # each phase's students are other teams
SEARCH_TERMS = ("clinic", "robot", "water", "solar", "check-in", "inventory", "farm", "bus")


def png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG (a grey gradient), as a student's photo of a whiteboard would be one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((x * 4 + y) % 256 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()

_ledger_lock = threading.Lock()
_counters = {kind: itertools.count() for kind in ("employer", "student", "teacher")}


def ledger(kind: str, **fields: object) -> None:
    """A write the app confirmed, for run.py to find in the database."""
    with _ledger_lock, open(os.environ["LEDGER"], "a") as out:
        out.write(json.dumps({"kind": kind, **fields}) + "\n")


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields of the form posting to `action`, as the page fills them."""
    start = page.find(f'action="{action}"')
    form = page[start : page.find("</form>", start)] if start >= 0 else ""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("file", "submit", "checkbox", "radio")):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text).lstrip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    return fields


class Someone(HttpUser):
    abstract = True
    # Between two actions, as a person reads; SCALEOUT_WAIT=0 makes each user a busy client.
    wait_time = between(0.25 * WAIT, WAIT)
    role = ""

    def log_in(self, login: str) -> None:
        page = self.client.get("/auth/login", name="/auth/login").text
        self.client.post(
            "/auth/login",
            data={"login": login, "password": PASSWORD, "csrf_token": token(page)},
            name="/auth/login",
        )


class Employer(Someone):
    weight = 6

    def on_start(self) -> None:
        n = next(_counters["employer"]) % EMPLOYERS + 1
        self.email = f"e{n}@scaleout.example"
        self.log_in(self.email)
        self.projects: list[int] = []

    @task(5)
    def browse(self) -> None:
        page = self.client.get(f"/projects?page={random.randint(1, 20)}", name="/projects")
        found = [int(i) for i in re.findall(r'href="/projects/(\d+)"', page.text)]
        if found:
            self.projects = found

    @task(3)
    def search(self) -> None:
        self.client.get(f"/projects?q={random.choice(SEARCH_TERMS)}", name="/projects?q=")

    @task(4)
    def open_project(self) -> None:
        if self.projects:
            pid = random.choice(self.projects)
            self.client.get(f"/projects/{pid}", name="/projects/<id>")

    @task(1)
    def interest(self) -> None:
        if not self.projects:
            return
        pid = random.choice(self.projects)
        page = self.client.get(f"/projects/{pid}", name="/projects/<id>").text
        if f'action="/projects/{pid}/interest"' not in page:
            return  # interested already (or not a project it may engage with): no form
        note = f"scaleout {uuid.uuid4().hex}"
        with self.client.post(
            f"/projects/{pid}/interest",
            data={"note": note, "csrf_token": token(page)},
            name="/projects/<id>/interest",
            catch_response=True,
        ) as response:  # redirected to the project, whose page says what happened
            if "Thank you: the team" in response.text:
                ledger("interest", project=pid, note=note, employer=self.email)
                response.success()
            elif "already" in response.text:
                response.success()  # interested before: nothing new to write
            else:
                response.failure(f"interest refused: {response.status_code}")


class Student(Someone):
    weight = 3

    def on_start(self) -> None:
        n = (next(_counters["student"]) + OFFSET) % STUDENTS + 1
        self.log_in(f"s{4 * n}")  # the first student of team n (bench_browse's data set)
        self.project = int(os.environ["SCALEOUT_FIRST_DRAFT"]) + n - 1
        self.submitted = False

    def edit_page(self) -> str | None:
        """The draft's edit page, or None once it is submitted (no longer a draft)."""
        path = f"/projects/{self.project}/edit"
        with self.client.get(path, name="/projects/<id>/edit", catch_response=True) as response:
            if response.status_code == 403:  # submitted (in an earlier phase, say)
                self.submitted = True
                response.success()
                return None
            return response.text

    @task(4)
    def edit(self) -> None:
        if self.submitted:
            return
        path = f"/projects/{self.project}/edit"
        page = self.edit_page()
        if page is None:
            return
        fields = form_fields(page, path)
        marker = uuid.uuid4().hex[:12]
        fields["pitch"] = f"Draft {marker}: a check-in an 80-year-old can use."
        # Sent, whatever comes back: a save whose answer never arrives (the run's end, a
        # killed server) may still be what the project holds.
        ledger("edit sent", project=self.project, marker=marker)
        with self.client.post(
            path,
            data=fields,
            name="/projects/<id>/edit",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code in (302, 303):
                ledger("edit", project=self.project, marker=marker)
                response.success()
            else:
                response.failure(f"edit: {response.status_code}")

    @task(2)
    def upload(self) -> None:
        if self.submitted:
            return
        page = self.edit_page()
        if page is None:
            return
        name = f"board-{uuid.uuid4().hex[:8]}.png"
        started = self.client.post(
            f"/projects/{self.project}/files",
            data={"filename": name, "size": str(len(PNG)), "csrf_token": token(page)},
            headers={"X-CSRFToken": token(page)},
            name="/projects/<id>/files",
        )
        if started.status_code != 201:
            return
        target = started.json()
        sent = self.client.request(  # to the bucket itself, as a browser does
            target["method"],
            target["url"],
            data=target["fields"] or None,
            files={"file": (name, PNG, "image/png")} if target["method"] == "POST" else None,
            name="upload to the bucket",
        )
        if sent.status_code >= 300:
            return
        done = self.client.post(
            target["complete"],
            headers={"X-CSRFToken": token(page)},
            name="/files/<id>/complete",
        )
        if done.status_code == 200:
            ledger("upload", file=target["id"], project=self.project, size=len(PNG))

    @task(1)
    def submit(self) -> None:
        if self.submitted or random.random() > 0.2:
            return
        page = self.client.get(f"/projects/{self.project}", name="/projects/<id>").text
        response = self.client.post(
            f"/projects/{self.project}/submit",
            data={"csrf_token": token(page)},
            name="/projects/<id>/submit",
        )
        if "Submitted. Your teacher will review it." in response.text:
            self.submitted = True
            ledger("submit", project=self.project)


class Teacher(Someone):
    weight = 1

    def on_start(self) -> None:
        n = next(_counters["teacher"]) % TEACHERS + 1
        self.log_in(f"t{n}@school.example")

    @task(3)
    def review(self) -> None:
        queue = self.client.get("/reviews", name="/reviews").text
        waiting = re.findall(r'href="/projects/(\d+)"', queue)
        if not waiting:
            return
        pid = int(waiting[0])
        page = self.client.get(f"/projects/{pid}", name="/projects/<id>").text
        response = self.client.post(
            f"/projects/{pid}/review/publish",
            data={"csrf_token": token(page), "comment": "Ready for employers."},
            name="/projects/<id>/review/publish",
        )
        if "Published." in response.text:
            ledger("publish", project=pid)

    @task(2)
    def write(self) -> None:
        inbox = self.client.get("/messages", name="/messages").text
        threads = re.findall(r'href="/messages/(\d+)"', inbox)
        if not threads:
            return
        thread = random.choice(threads)
        page = self.client.get(f"/messages/{thread}", name="/messages/<id>").text
        body = f"Thank you for your interest; the team meets on Thursdays. ({uuid.uuid4().hex})"
        response = self.client.post(
            f"/messages/{thread}",
            data={"body": body, "csrf_token": token(page)},
            name="/messages/<id>",
            allow_redirects=False,
        )
        if response.status_code in (302, 303):
            ledger("message", thread=int(thread), body=body)
