"""Signing the training agreement: in the app (student, coordinator, a supervisor with an
account) or through a personal link (guardian, supervisor). A signature is of the terms' hash as
they stand; when every signer has signed that hash the placement starts."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..engagements.ladder.steps import employers_of, teacher_of
from ..engagements.timeline import record
from ..extensions import db
from ..models import (
    Guardian,
    LinkPurpose,
    Placement,
    PlacementLink,
    PlacementStatus,
    Signature,
    SignerRole,
    User,
)
from ..privacy import public_name
from . import links, records, rules
from .records import AlreadyDone, PlacementError

LINK_ROLES = (SignerRole.GUARDIAN, SignerRole.SUPERVISOR)


def _sign(
    placement: Placement,
    role: SignerRole,
    typed_name: str,
    ip: str,
    agent: str,
    *,
    user: User | None = None,
    link: PlacementLink | None = None,
    seen_hash: str = "",
) -> Signature:
    if placement.status is not PlacementStatus.AGREEMENT:
        raise AlreadyDone("The agreement is already signed by everyone.")
    if role not in records.signer_roles(placement):
        raise PlacementError(f"This agreement needs no {role.label}'s signature.")
    if seen_hash and seen_hash != placement.terms_hash:
        raise PlacementError("The terms changed while you were reading them; read them again.")
    if role in records.current_signatures(placement):
        raise AlreadyDone(f"The {role.label} has already signed these terms.")
    name = " ".join(typed_name.split())
    if len(name) < 2:
        raise PlacementError("Type your full name to sign.")
    signature = Signature(
        placement_id=placement.id,
        role=role,
        terms_hash=placement.terms_hash,
        typed_name=name[:120],
        user_id=user.id if user else None,
        link_id=link.id if link else None,
        ip_address=ip[:64],
        user_agent=agent[:300],
    )
    try:
        with db.session.begin_nested():
            db.session.add(signature)
            db.session.flush()
    except IntegrityError:
        raise AlreadyDone(f"The {role.label} signed these terms a moment ago.") from None
    db.session.expire(placement, ["signatures"])
    student = placement.student
    engagement = placement.engagement
    record(
        engagement,
        user,
        "agreement signed",
        offer=placement.offer,
        detail=f"The {role.label} signed {public_name(student)}'s training agreement.",
        tell=[p for p in (student, placement.coordinator) if user is None or p.id != user.id],
        subject=f"The {role.label} signed {student.first_name}'s training agreement",
    )
    if records.settle(placement):
        record(
            engagement,
            None,
            "placement started",
            offer=placement.offer,
            to_state=PlacementStatus.ACTIVE.value,
            detail=f"Everyone signed {public_name(student)}'s agreement: hours can be logged.",
            tell=[student, *teacher_of(engagement), *employers_of(engagement)],
            subject=f"{student.first_name}'s {placement.rung.label} agreement is signed",
        )
    return signature


def sign_in_app(
    placement: Placement, user: User, typed_name: str, ip: str, agent: str, seen_hash: str
) -> Signature:
    role = rules.role_in_app(placement, user)
    if role is None:
        raise PlacementError("You do not sign this agreement.")
    return _sign(placement, role, typed_name, ip, agent, user=user, seen_hash=seen_hash)


def sign_by_link(
    link: PlacementLink, typed_name: str, ip: str, agent: str, seen_hash: str
) -> Signature:
    problem = links.problem(link)
    if problem:
        raise PlacementError(problem)
    placement = link.placement
    assert placement is not None  # a signing link is always to a placement
    signature = _sign(placement, link.role, typed_name, ip, agent, link=link, seen_hash=seen_hash)
    if not links.use(link):
        raise AlreadyDone("This link was used a moment ago.")
    return signature


def link_signers(placement: Placement) -> dict[SignerRole, tuple[str, str]]:
    """Who signs by link, and at which name and address (empty address: not known yet)."""
    out: dict[SignerRole, tuple[str, str]] = {}
    if SignerRole.GUARDIAN in records.signer_roles(placement):
        guardian = db.session.get(Guardian, placement.student_id)
        out[SignerRole.GUARDIAN] = (guardian.name, guardian.email) if guardian else ("", "")
    out[SignerRole.SUPERVISOR] = (placement.supervisor_name, placement.supervisor_email)
    return out


def request(placement: Placement, staff: User) -> list[SignerRole]:
    """Send a signing link to each signer without an account who has not signed the terms as
    they stand; which were sent. Refused while an address is missing."""
    if not rules.is_staff(placement, staff):
        raise PlacementError("Only the school's staff send the agreement for signatures.")
    if placement.status is not PlacementStatus.AGREEMENT:
        raise AlreadyDone("The agreement is already signed by everyone.")
    signed = records.current_signatures(placement)
    waiting = {r: v for r, v in link_signers(placement).items() if r not in signed}
    missing = [r.label for r, (_, email) in waiting.items() if not email]
    if missing:
        raise PlacementError(f"Give the e-mail address of the {' and the '.join(missing)} first.")
    school = placement.school
    student = placement.student
    sent = []
    for role, (name, email) in waiting.items():
        link = links.create(
            LinkPurpose.SIGN,
            role,
            student,
            name or role.label.capitalize(),
            email,
            placement=placement,
            by=staff,
        )
        whose = (
            f"{student.first_name}'s"
            if role is SignerRole.GUARDIAN
            else f"{public_name(student)}'s"
        )
        links.send(
            link,
            f"Please sign {whose} {placement.rung.label} agreement with "
            f"{placement.organisation.name}",
            [
                f"{school.name} asks you, as the {role.label}, to sign {whose} training "
                f"agreement for {placement.rung.a} with {placement.organisation.name}.",
                "The link shows the whole agreement; you sign by typing your name.",
            ],
            school.name,
        )
        sent.append(role)
    return sent
