"""The pages of personal links, for people without an account: a guardian consents to an offer
or signs the agreement, a supervisor signs it, verifies a week of hours or evaluates the
student. Each shows only what that person needs, answers 404 to a forged token and 410 (with
why) to a spent one."""

from __future__ import annotations

from datetime import time

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import EvaluationKind, LinkPurpose, PlacementLink, SignerRole
from ..privacy import public_name
from . import consent, documents, evaluations, hours, links, signing
from .forms import SignForm, VerifyForm, evaluation_form
from .records import AlreadyDone, PlacementError

bp = Blueprint("personal_links", __name__)


@bp.after_request
def never_stored(response: Response) -> Response:
    """A personal page holds a student's details: no cache keeps it, no referrer leaks it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _client() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")


@bp.route("/p/<purpose>/<token>", methods=["GET", "POST"])
def open(purpose: str, token: str) -> str | tuple[str, int]:
    try:
        kind = LinkPurpose(purpose)
    except ValueError:
        abort(404)
    link = links.load(kind, token)
    if link is None:
        abort(404)
    problem = links.problem(link)
    if problem:
        return render_template("placements/link_gone.html", link=link, problem=problem), 410
    page = {
        LinkPurpose.CONSENT: _consent,
        LinkPurpose.SIGN: _sign,
        LinkPurpose.VERIFY: _verify,
        LinkPurpose.EVALUATE: _evaluate,
    }.get(kind)
    if page is None:
        abort(404)
    return page(link)


def _answer(
    link: PlacementLink, action: object, template: str, **context: object
) -> tuple[str, int]:
    """Commit the act, or roll back and show why it was refused."""
    try:
        action()  # type: ignore[operator]
    except AlreadyDone as repeat:
        db.session.rollback()
        return render_template("placements/link_done.html", link=link, message=str(repeat)), 200
    except PlacementError as refusal:
        db.session.rollback()
        context["refusal"] = str(refusal)
        return render_template(template, link=link, **context), 422
    db.session.commit()
    return render_template("placements/link_done.html", link=link, message=""), 200


def _consent(link: PlacementLink) -> str | tuple[str, int]:
    offer = link.offer
    assert offer is not None
    form = SignForm()
    context = {"offer": offer, "student": link.student, "form": form}
    if request.method == "POST":
        if not form.validate():
            return render_template("placements/link_consent.html", link=link, **context), 422
        ip, agent = _client()
        return _answer(
            link,
            lambda: consent.give(link, form.typed_name.data or "", ip, agent),
            "placements/link_consent.html",
            **context,
        )
    return render_template("placements/link_consent.html", link=link, **context)


def _sign(link: PlacementLink) -> str | tuple[str, int]:
    placement = link.placement
    assert placement is not None
    form = SignForm(terms_hash=placement.terms_hash)
    for_host = link.role is SignerRole.SUPERVISOR
    context = {**documents.agreement_context(placement, for_host), "form": form}
    if request.method == "POST":
        if not form.validate():
            return render_template("placements/link_sign.html", link=link, **context), 422
        ip, agent = _client()
        return _answer(
            link,
            lambda: signing.sign_by_link(
                link, form.typed_name.data or "", ip, agent, form.terms_hash.data or ""
            ),
            "placements/link_sign.html",
            **context,
        )
    return render_template("placements/link_sign.html", link=link, **context)


def _corrections(entry_ids: list[int]) -> dict[int, tuple[time, time, str]]:
    """The days the supervisor corrected: `starts-<id>`, `ends-<id>`, `note-<id>`."""
    out = {}
    for entry_id in entry_ids:
        raw_start = request.form.get(f"starts-{entry_id}", "")
        raw_end = request.form.get(f"ends-{entry_id}", "")
        if not raw_start or not raw_end:
            continue
        try:
            starts, ends = time.fromisoformat(raw_start), time.fromisoformat(raw_end)
        except ValueError:
            raise PlacementError("Give corrected times as hours and minutes.") from None
        out[entry_id] = (starts, ends, request.form.get(f"note-{entry_id}", "")[:500])
    return out


def _verify(link: PlacementLink) -> str | tuple[str, int]:
    placement = link.placement
    assert placement is not None and link.week_start is not None
    this_week = hours.week(placement, link.week_start)
    form = VerifyForm(verifier=link.name)
    context = {
        "placement": placement,
        "week": this_week,
        "student_name": public_name(placement.student),
        "form": form,
        "hours_text": hours.hours_text,
    }
    if request.method == "POST":
        if not form.validate():
            return render_template("placements/link_verify.html", link=link, **context), 422

        def act() -> None:
            fixes = _corrections([e.id for e in this_week.entries])
            hours.verify(link, form.verifier.data or "", fixes, form.refuse_note.data or "")

        return _answer(link, act, "placements/link_verify.html", **context)
    return render_template("placements/link_verify.html", link=link, **context)


def _evaluate(link: PlacementLink) -> str | tuple[str, int]:
    placement = link.placement
    assert placement is not None
    kind = EvaluationKind(link.kind)
    closed = evaluations.closed_problem(placement, kind)
    if closed:
        return render_template("placements/link_done.html", link=link, message=closed)
    form = evaluation_form(placement.school.skills, evaluator_name=link.name)
    context = {
        "placement": placement,
        "kind": kind,
        "form": form,
        "student_name": public_name(placement.student),
    }
    if request.method == "POST":
        if not form.validate():
            return render_template("placements/evaluate.html", link=link, **context), 422
        return _answer(
            link,
            lambda: evaluations.submit(
                placement,
                kind,
                form.scores(),
                form.strengths.data or "",
                form.to_improve.data or "",
                form.evaluator_name.data or "",
                link=link,
            ),
            "placements/evaluate.html",
            **context,
        )
    return render_template("placements/evaluate.html", link=link, **context)
