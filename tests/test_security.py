"""Security headers, cookies, error pages and configuration guards."""

from __future__ import annotations

import re
import time

import pytest
from flask import request

from config import load_config
from marketplace import sessions
from marketplace.extensions import db
from marketplace.models import School

from .conftest import login_as


def test_every_response_has_security_headers(client):
    """CSP with a nonce and frame-ancestors, nosniff, referrer policy."""
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_nonce_changes_with_every_response(client):
    """A nonce is used once."""
    nonces = {
        re.search(r"'nonce-([^']+)'", client.get("/").headers["Content-Security-Policy"]).group(1)
        for _ in range(3)
    }
    assert len(nonces) == 3


@pytest.mark.parametrize("url", ["/", "/auth/login", "/auth/join", "/auth/signup", "/auth/forgot"])
def test_pages_have_no_inline_script_without_nonce(client, url):
    """Every <script> either loads a same-origin file or carries this response's nonce."""
    response = client.get(url)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    for tag in re.findall(r"<script\b[^>]*>", response.get_data(as_text=True)):
        assert 'src="/static/' in tag or f'nonce="{nonce}"' in tag, tag


def test_pages_load_nothing_from_other_sites(client):
    """Front-end files are vendored: no CDN (a privacy leak for students)."""
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'(src|href)="https?://', page)
    assert "/static/vendor/htmx-2.0.11.min.js" in page


def test_session_cookie_is_httponly_and_lax(client, make):
    """The session cookie cannot be read by scripts and is not sent on cross-site posts."""
    teacher = make.teacher()
    response = client.post(
        "/auth/login", data={"login": teacher.email, "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_signed_in_pages_are_not_cached(client, make):
    """Pages with personal data carry no-store."""
    login_as(client, make.teacher())
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    """A production config with no, a placeholder or a short SECRET_KEY stops at start-up."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/marketplace")
    monkeypatch.setenv("BASE_URL", "https://wbl.example.org")
    for value in ("", "change-me", "short"):
        monkeypatch.setenv("SECRET_KEY", value)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            load_config("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    config = load_config("production")
    assert config.SESSION_COOKIE_SECURE is True
    assert config.MAIL_BACKEND == "smtp"


@pytest.mark.parametrize("missing", ["DATABASE_URL", "BASE_URL"])
def test_production_refuses_to_fall_back_to_development_defaults(monkeypatch, missing):
    """Without a database URL or a public address, production stops instead of guessing."""
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/marketplace")
    monkeypatch.setenv("BASE_URL", "https://wbl.example.org")
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        load_config("production")


def test_mailed_links_ignore_a_forged_host_header(client, make, outbox):
    """A reset link is built on BASE_URL, so a forged Host cannot send it to another site."""
    teacher = make.teacher()
    client.post("/auth/forgot", data={"email": teacher.email}, headers={"Host": "evil.example"})
    text = outbox.to(teacher.email)[-1].get_body(preferencelist=("plain",)).get_content()
    assert "evil.example" not in text
    assert "http://127.0.0.1:5000/auth/reset/" in text


def test_huge_id_in_a_url_is_not_found(client, make):
    """An id too large for the database is a plain 404."""
    login_as(client, make.teacher())
    assert client.get("/classes/99999999999999999999999").status_code == 404


def test_sessions_expire_when_idle(client, make):
    """The session cookie of a log-in is permanent with a lifetime (8 hours idle by default)."""
    teacher = make.teacher()
    response = client.post(
        "/auth/login", data={"login": teacher.email, "password": "correct horse battery"}
    )
    assert "Expires=" in response.headers["Set-Cookie"]
    assert client.application.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_the_session_slides_without_a_new_cookie_on_every_page(client, make, monkeypatch):
    """The idle clock restarts on a page at most once a minute: a cookie signed a moment ago
    is not signed and sent again, an older one is."""
    teacher = make.teacher()
    client.post("/auth/login", data={"login": teacher.email, "password": "correct horse battery"})
    client.get("/classes")  # the first page with a form keeps its CSRF token in the session
    page = client.get("/classes")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    monkeypatch.setattr(sessions, "REFRESH_AFTER", 0)
    refreshed = client.get("/classes").headers["Set-Cookie"]
    assert refreshed.startswith("session=") and "Expires=" in refreshed


def test_a_session_idle_past_its_lifetime_is_logged_out(client, make, monkeypatch):
    """Eight hours after its last signing the cookie is refused: the teacher logs in again
    (Flask's own check; a guard that the sliding cookie keeps it)."""
    teacher = make.teacher()
    client.post("/auth/login", data={"login": teacher.email, "password": "correct horse battery"})
    assert client.get("/classes").status_code == 200
    later = time.time() + 8 * 3600 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert "/auth/login" in client.get("/classes").headers["Location"]


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(app_factory):
    """With PROXY_FIX_HOPS set, throttling sees each client, not the load balancer."""
    proxied = app_factory(PROXY_FIX_HOPS=1)
    seen = []

    @proxied.get("/whoami")
    def whoami():
        seen.append(request.remote_addr)
        return "ok"

    proxied.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["203.0.113.9"]


def test_development_keeps_a_generated_key_in_instance(monkeypatch, tmp_path):
    """Development generates a secret key once and reuses it across restarts."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    first = load_config("development").SECRET_KEY
    second = load_config("development").SECRET_KEY
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_unknown_page_is_a_friendly_404(client):
    """A missing page gets the site's 404 page."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "This page does not exist" in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500_and_rolls_back(app_factory, make):
    """A database error mid-request shows the friendly page, saves nothing, and the page can
    still load the signed-in user (it could not without the handler's rollback)."""
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        db.session.add(School(name="Half-saved", slug="half-saved"))
        db.session.add(School(name="Duplicate", slug="half-saved"))
        db.session.flush()  # IntegrityError: the transaction is now unusable until rolled back
        return "unreachable"

    with app.app_context():
        teacher = make.teacher(first_name="Grace")
        db.session.commit()
        client = login_as(app.test_client(), teacher)
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in body and "Grace" in body  # the navigation found the user
    assert "IntegrityError" not in body and "Traceback" not in body
    with app.app_context():
        assert db.session.query(School).filter_by(slug="half-saved").count() == 0


HUGE = "9" * 30


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("teacher", f"/notifications?page={'9' * 21}"),
        ("teacher", f"/notifications?page=-{HUGE}"),
        ("employer", f"/projects?page={HUGE}&school={HUGE}&challenge={HUGE}"),
        ("teacher", f"/ladder?page={HUGE}&class={HUGE}&organisation={HUGE}"),
        ("teacher", f"/messages/new?organisation={HUGE}"),
        ("teacher", f"/projects/new?challenge={HUGE}"),
    ],
)
def test_a_huge_number_in_a_query_string_is_ignored_not_a_500(client, world, role, path):
    """Every integer read from a query string is bounded like the ids in URLs."""
    login_as(client, world.user(role))
    assert client.get(path).status_code < 500


def test_a_huge_id_in_a_form_is_a_message_not_a_500(client, world):
    login_as(client, world.school_admin)
    response = client.post("/school/mutes", data={"user_id": HUGE, "reason": "spam"})
    assert response.status_code == 422
    for value in (HUGE, "-1", "0", "x"):
        assert forms_common_id(value) is None


def forms_common_id(value: str) -> int | None:
    from marketplace.forms_common import bounded_int

    try:
        return bounded_int(value)
    except ValueError:
        return None


def test_a_file_download_keeps_its_sandbox_policy(client, app):
    """The global header hook does not replace the stricter policy of a download."""
    from marketplace.storage import storage

    local = storage()
    local.write("probe/evil.html", [b"<script>alert(1)</script>"], 1024)
    with app.test_request_context():
        url = local.download_url("probe/evil.html", "evil.html")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Type"] == "application/octet-stream"
    local.delete("probe/evil.html")
