"""Forms of the bell and the mail preferences."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..forms_common import SelectChoice
from ..models import MailFrequency


class PreferencesForm(FlaskForm):
    """How notifications reach a person by e-mail (the bell shows them all regardless)."""

    mail_frequency = RadioField(
        "E-mail me about notifications",
        choices=[SelectChoice(f.value, f.label) for f in MailFrequency],
        validators=[InputRequired(message="Choose how often to get e-mail.")],
    )

    @property
    def frequency(self) -> MailFrequency:
        """The choice made, as the enum."""
        return MailFrequency(self.mail_frequency.data)
