"""The placement's documents as PDF, made from HTML templates by WeasyPrint: the signed training
agreement with its audit page, and (later) the certificate. Nothing is fetched from outside:
the templates carry their own CSS and no external resources."""

from __future__ import annotations

from typing import Any

from flask import render_template

from ..models import Placement
from . import records


def pdf_of(template: str, **context: Any) -> bytes:
    from weasyprint import HTML  # imported on use: Pango loads once, only where PDFs are made

    html = render_template(template, **context)
    return bytes(HTML(string=html, base_url=None).write_pdf())


def agreement_context(placement: Placement, for_host: bool) -> dict[str, Any]:
    """What the agreement shows: for the host organisation, the student as employers see
    students (no surname) and no contact details of the family."""
    from ..privacy import public_name

    student = placement.student
    return {
        "placement": placement,
        "student_name": public_name(student) if for_host else student.full_name,
        "for_host": for_host,
        "roles": records.signer_roles(placement),
        "current": records.current_signatures(placement),
        "signatures": sorted(placement.signatures, key=lambda s: s.signed_at),
    }


def agreement_pdf(placement: Placement, for_host: bool) -> bytes:
    return pdf_of("placements/agreement_pdf.html", **agreement_context(placement, for_host))
