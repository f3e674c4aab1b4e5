"""Fields shared by the feature forms: one web-address field for every form that asks for one."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms import URLField
from wtforms.fields.core import UnboundField
from wtforms.validators import URL

from marketplace.forms_common import WebAddress, complete_web_address


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("harborhealth.org", "https://harborhealth.org"),
        ("www.harborhealth.org/team?tab=1", "https://www.harborhealth.org/team?tab=1"),
        ("harborhealth.org:8080/demo", "https://harborhealth.org:8080/demo"),
        ("http://harborhealth.org", "http://harborhealth.org"),
        ("HTTPS://harborhealth.org", "HTTPS://harborhealth.org"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("ftp://harborhealth.org", "ftp://harborhealth.org"),
        ("not a link", "not a link"),
        ("localhost", "localhost"),
        ("", ""),
        (None, None),
    ],
)
def test_an_address_without_a_scheme_is_completed_and_nothing_else_is(typed, kept):
    """Only what reads as a host name gets https://; the validator judges the rest as typed."""
    assert complete_web_address(typed) == kept


def _form_classes(base: type = FlaskForm) -> list[type]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_form_classes(cls)]
    return found


def test_every_address_field_is_the_shared_one(app):
    """A form that asks for a web address completes and checks it like the others."""
    address_fields = []
    for form in _form_classes():
        for name in dir(form):
            field = getattr(form, name)
            if not isinstance(field, UnboundField):
                continue
            validators = field.kwargs.get("validators", ())
            if issubclass(field.field_class, URLField) or any(
                isinstance(v, URL) for v in validators
            ):
                address_fields.append(f"{form.__name__}.{name}")
                assert any(isinstance(v, WebAddress) for v in validators), name
                assert complete_web_address in field.kwargs.get("filters", ()), name
    assert {"ProjectForm.demo_url", "OrganisationForm.website"} <= set(address_fields)
