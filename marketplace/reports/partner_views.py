"""The partners report: the school's partner network by stage and source, its touchpoints and
activities month by month, new partners and referrals, the partners gone quiet; and one row per
partner as CSV. A school's teachers and admins see its whole network (the network is the
school's, `partners.rules`); a site admin every school's, or one's."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import clock
from ..csv_stream import csv_response
from ..forms_common import bounded_int
from ..models import PartnerSource, PartnerStage, utcnow
from ..web import is_htmx
from . import partners as partner_reports
from .scope import Filters, Scope, school_year_of
from .views import bp, filter_choices, reader_scope, report_readers, school_arg


def _window(scope: Scope) -> tuple[Filters, partner_reports.Window, dict[str, str]]:
    """The filters, the dates asked for (the current school year unless told), and those as
    arguments."""
    filters = Filters.from_args(request.args, scope)
    span = partner_reports.window(filters, clock.today_for(current_user))
    args = {"from": span.start.isoformat(), "to": span.end.isoformat(), **school_arg(scope)}
    return filters, span, args


@bp.get("/reports/partners")
@report_readers
def partners() -> str:
    """The partner network in figures, each linked to the partners behind it."""
    scope = reader_scope()
    filters, span, args = _window(scope)
    now = utcnow()
    quiet, quiet_total = partner_reports.quiet_partners(scope, now)
    context = {
        "scope": scope,
        "filters": filters,
        "span": span,
        "args": args,
        "now": now,
        "network": partner_reports.network(scope, span, now),
        "months": partner_reports.monthly(scope, span),
        "newcomers": partner_reports.newcomers(scope, span),
        "quiet": quiet,
        "quiet_total": quiet_total,
        "quiet_days": partner_reports.QUIET_DAYS,
        "quiet_stages": partner_reports.QUIET_STAGES,
        "stages": list(PartnerStage),
        "known_sources": {s.value for s in PartnerSource},
        # The partner list and records are the school's staff's pages (a site admin has none).
        "records_open": current_user.is_staff_of(scope.school_id),
    }
    if is_htmx():
        return render_template("reports/_partners.html", **context)
    asked = request.args.get("year", type=bounded_int)
    dated = request.args.get("from") or request.args.get("to")
    return render_template(
        "reports/partners.html",
        **context,
        **filter_choices(scope),
        year=None if dated else (asked or school_year_of(span.start)),
    )


@bp.get("/reports/partners.csv")
@report_readers
def partners_csv() -> Response:
    """One row per partner, with the touchpoints and activities of the dates asked for."""
    scope = reader_scope()
    _, span, _ = _window(scope)
    return csv_response(
        f"partners-{span.start.isoformat()}-{span.end.isoformat()}.csv",
        partner_reports.CSV_COLUMNS,
        partner_reports.csv_rows(scope, span, utcnow()),
    )
