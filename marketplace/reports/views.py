"""The report pages: the funnel, with its figures in a chart and in a table, the engagements
behind each figure, and the same figures as CSV. Teachers see their classes, school admins their
school, site admins every school or one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from .. import clock
from ..clusters import CAREER_CLUSTERS
from ..csv_stream import csv_response
from ..extensions import db
from ..forms_common import bounded_int
from ..models import LADDER, Engagement, EngagementStatus, Role, Rung
from ..permissions import roles_required
from ..web import is_htmx
from . import funnel as funnels
from . import placements as placement_reports
from .scope import Filters, Scope, school_year_of

bp = Blueprint("reports", __name__)


report_readers = roles_required(Role.TEACHER, Role.SCHOOL_ADMIN, Role.SITE_ADMIN)
ROWS_LIMIT = 500


def reader_scope() -> Scope:
    """The reader's scope; a site admin may narrow it to one school (`?school=`)."""
    school_id = request.args.get("school", type=bounded_int)
    scope = Scope.of(current_user)
    if current_user.is_site_admin and school_id in {s.id for s in scope.schools()}:
        return Scope.of(current_user, school_id)
    return scope


def filter_choices(scope: Scope) -> dict:
    this_year = school_year_of(clock.today_for(current_user))
    return {
        "classrooms": scope.classrooms(),
        "organisations": scope.organisations(),
        "events": scope.events(),
        "schools": scope.schools(),
        "clusters": CAREER_CLUSTERS,
        "years": list(range(this_year, this_year - 5, -1)),
    }


def scoped() -> tuple[Scope, Filters]:
    """The reader's scope and the filters the request asks for."""
    scope = reader_scope()
    return scope, Filters.from_args(request.args, scope)


def report_page(name: str, scope: Scope, filters: Filters, **figures: Any) -> str:
    """A report's page (`reports/<name>.html`), or for htmx its figures alone
    (`reports/_<name>.html`), with the scope, the filters and the arguments its links carry."""
    context = {
        "scope": scope,
        "filters": filters,
        "args": {**filters.as_args(), **school_arg(scope)},
        "year": request.args.get("year", type=bounded_int),
        **figures,
    }
    if is_htmx():
        return render_template(f"reports/_{name}.html", **context)
    return render_template(f"reports/{name}.html", **context, **filter_choices(scope))


@bp.get("/reports")
@report_readers
def index() -> Response:
    return redirect(url_for("reports.funnel"))


@bp.get("/reports/funnel")
@report_readers
def funnel() -> str:
    scope, filters = scoped()
    return report_page("funnel", scope, filters, funnel=funnels.funnel(scope, filters))


def school_arg(scope: Scope) -> dict[str, str]:
    """A site admin's choice of school, carried by the links of the page."""
    if current_user.is_site_admin and scope.school_id:
        return {"school": str(scope.school_id)}
    return {}


@bp.get("/reports/funnel.csv")
@report_readers
def funnel_csv() -> Response:
    scope = reader_scope()
    result = funnels.funnel(scope, Filters.from_args(request.args, scope))
    rows = (
        (
            s.label,
            s.reached,
            "" if s.conversion is None else s.conversion,
            "" if s.median_days is None else s.median_days,
            s.skipped,
            s.stalled,
        )
        for s in result.stages
    )
    header = (
        "stage",
        "engagements reached",
        "conversion from the stage before (%)",
        "median days on the rung",
        "skipped with permission",
        "stalled now",
    )
    return csv_response("funnel.csv", header, rows)


@bp.get("/reports/funnel/<stage>")
@report_readers
def stage_rows(stage: str) -> str:
    """The engagements behind one figure of the funnel."""
    if stage not in funnels.STAGES:
        abort(404)
    scope, filters = scoped()
    query = filters.apply(scope.engagements())
    if stage == funnels.COMPLETED:
        query = query.where(Engagement.status == EngagementStatus.COMPLETED)
    else:
        level = Rung(stage).level
        query = query.where(Engagement.rung.in_([r for r in LADDER if r.level >= level]))
    engagements = list(
        db.session.scalars(
            query.options(
                joinedload(Engagement.organisation),
                joinedload(Engagement.project),
                joinedload(Engagement.team),
            )
            .order_by(Engagement.last_event_at.desc(), Engagement.id)
            .limit(ROWS_LIMIT)
        )
    )
    total = db.session.scalar(
        query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    )
    return render_template(
        "reports/stage_rows.html",
        stage=stage,
        label=funnels.stage_label(stage),
        engagements=engagements,
        total=total,
        limit=ROWS_LIMIT,
        args={**filters.as_args(), **school_arg(scope)},
    )


# --- placements ---------------------------------------------------------------------------------


@bp.get("/reports/placements")
@report_readers
def placements() -> str:
    scope, filters = scoped()
    return report_page(
        "placements",
        scope,
        filters,
        figures=placement_reports.figures(scope, filters),
        perkins=placement_reports.perkins(scope, filters),
        follow_ups=placement_reports.follow_ups(scope, filters, clock.today_in(filters.zone)),
        wbl_columns=placement_reports.WBL_COLUMNS,
        row_limit=placement_reports.ROWS_SHOWN,
    )


@bp.get("/reports/placements/wbl.csv")
@report_readers
def wbl_csv() -> Response:
    """The work-based-learning record: one row per placement, streamed."""
    scope, filters = scoped()
    return csv_response(
        "work-based-learning.csv",
        placement_reports.WBL_COLUMNS,
        placement_reports.wbl_rows(scope, filters),
    )


@bp.get("/reports/placements/perkins.csv")
@report_readers
def perkins_csv() -> Response:
    scope = reader_scope()
    rows = placement_reports.perkins(scope, Filters.from_args(request.args, scope))
    return csv_response(
        "perkins-completers.csv",
        ("career_cluster", "students_completed", "placements_completed"),
        ((r.cluster, r.students, r.placements) for r in rows),
    )
