"""What happened on an engagement, as a sentence a person reads on the timeline and in their
notifications ("Harbor Health sent a mentorship offer to the teacher"), never as state names."""

from __future__ import annotations

from ..models import EngagementEvent, Rung, User
from ..privacy import name_for

# How each step reads; {who} is the person who took it (with their organisation when they are
# an employer), {org} the engagement's organisation, {offer} "a mentorship offer" and {rung}
# "mentorship" (the offer's rung, or the engagement's).
SENTENCES = {
    "interest": "{who} showed interest in the project",
    "offer drafted": "{who} drafted {offer}",
    "offer edited": "{who} edited the {rung} offer",
    "offer proposed": "{who} sent {offer} to the teacher for approval",
    "offer approved": "{who} approved the {rung} offer, and it went to the students",
    "offer withdrawn": "{who} withdrew the {rung} offer",
    "offer accepted": "{who} accepted the {rung} offer",
    "offer declined": "{who} declined the {rung} offer",
    "offer expired": "The {rung} offer expired without an answer",
    "consent recorded": "{who} recorded a guardian's consent to the {rung} offer",
    "skip allowed": "{who} allowed the team to skip to {rung}",
    "rung marked complete": "{who} marked the {rung} as done",
    "rung completed": "{who} confirmed the {rung} is complete",
    "consent asked": "{who} asked a guardian to consent to the {rung} offer online",
    "consent given": "A guardian consented to the {rung} offer online",
    "agreement signed": "The {rung} training agreement was signed",
    "placement started": "The {rung} placement started: everyone signed its agreement",
    "midpoint evaluation": "The supervisor gave the {rung} midpoint evaluation",
    "final evaluation": "The supervisor gave the {rung} final evaluation",
    "site visit": "{who} visited the {rung} workplace",
    "placement completed": "{who} completed the {rung} placement",
    "placement ended": "{who} ended the {rung} placement",
    "engagement closed": "{who} closed the engagement",
    "engagement closed by the school": "{who} closed the engagement for the school",
}


def who(reader: User | None, actor: User | None) -> str:
    """The person who took a step, as `reader` may see them: an employer with their
    organisation ("Jordan Lee of Harbor Health"), a student by the name the reader may see."""
    if actor is None:
        return "The marketplace"
    name = name_for(reader, actor)
    if actor.organisation is not None and actor.is_employer:
        return f"{name} of {actor.organisation.name}"
    return name


def sentence(event: EngagementEvent, reader: User | None) -> str:
    """The step as a sentence for `reader`, without a full stop."""
    rung = event.offer.rung if event.offer is not None else _rung_of(event)
    template = SENTENCES.get(event.action, "{who}: " + event.action)
    return template.format(
        who=who(reader, event.actor),
        org=event.engagement.organisation.name,
        offer=f"{_article(rung)} {rung.label} offer",
        rung=rung.label,
    )


def _rung_of(event: EngagementEvent) -> Rung:
    """The rung a step without an offer concerns: the one it moved to, else the engagement's."""
    for state in (event.to_state, event.from_state):
        if state in Rung._value2member_map_:
            return Rung(state)
    return event.engagement.rung


def _article(rung: Rung) -> str:
    return "an" if rung.label[0] in "aeiou" else "a"
