"""The placement's page, with whatever form came back refused: its hours, signatures, agreement,
evaluations, the student's reflection, site visits and completion, each shown to whom it is for.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from .. import clock
from ..extensions import db
from ..forms_common import EmptyForm
from ..models import EvaluationKind, Guardian, HourWeek, Placement, PlacementStatus
from . import completion, documents, evaluations, hours, rules, signing
from .forms import (
    CompleteForm,
    EndForm,
    GuardianForm,
    ReflectionForm,
    SignForm,
    VisitForm,
)
from .plans import RUBRIC_LEVELS


def placement_page(placement: Placement, **refused: Any) -> str:
    """The page; `refused` names a form that came back with errors (sign_form, guardian_form,
    reflection_form, visit_form, complete_form, end_form) to show as it was sent."""
    for_host = rules.is_host(placement, current_user)
    is_staff = rules.is_staff(placement, current_user)
    is_student = rules.is_student(placement, current_user)
    today = clock.school_today(placement.school)
    guardian = db.session.get(Guardian, placement.student_id) if is_staff else None
    weeks = list(
        db.session.scalars(
            sa.select(HourWeek)
            .where(HourWeek.placement_id == placement.id)
            .order_by(HourWeek.week_start.desc())
        )
    )
    under_way = placement.status in (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED)
    totals = hours.totals(placement)
    given = evaluations.evaluations_of(placement) if under_way else {}
    forms: dict[str, Any] = {
        "sign_form": SignForm(formdata=None, terms_hash=placement.terms_hash),
        "guardian_form": GuardianForm(formdata=None, obj=guardian),
        "reflection_form": ReflectionForm(
            formdata=None,
            obj=placement,
            rating=str(placement.rating) if placement.rating else None,
        ),
        "visit_form": VisitForm(formdata=None, visited_on=today),
        "complete_form": CompleteForm(formdata=None),
        "end_form": EndForm(formdata=None),
        **refused,
    }
    return render_template(
        "placements/show.html",
        **documents.agreement_context(placement, for_host),
        **forms,
        sign_role=rules.role_in_app(placement, current_user),
        guardian=guardian,
        link_signers=signing.link_signers(placement),
        is_staff=is_staff,
        is_student=is_student,
        can_edit=rules.can_edit_terms(placement, current_user),
        totals=totals,
        weeks=weeks,
        evaluations=given,
        evaluation_kinds=list(EvaluationKind),
        due_on={k: evaluations.due_on(placement, k) for k in EvaluationKind},
        evaluates=rules.is_supervisor(placement, current_user),
        levels=RUBRIC_LEVELS,
        visits=evaluations.visits_of(placement) if is_staff else [],
        completion_problems=completion.problems(placement, totals, given) if is_staff else [],
        action_form=EmptyForm(),
    )
