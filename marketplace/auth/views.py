"""Log-in, log-out, joining a class, employer sign-up, invitations and passwords."""

from __future__ import annotations

from contextlib import nullcontext

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..extensions import db, limiter
from ..forms_common import add_error, required
from ..models import User
from ..security import personal_words
from ..web import even_time, safe_next
from . import services, throttle
from .forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    EmployerSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    StudentJoinForm,
)

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _start_session(user: User) -> None:
    """Commit, then log `user` in (a failed commit must not leave a session behind)."""
    db.session.commit()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
# One address guessing many accounts (a whole school shares one: generous).
@throttle.failed_login_limit("LOGIN_LIMIT_PER_ADDRESS", None, throttle.known_device)
# One account guessed from many addresses, then from one.
@throttle.failed_login_limit("LOGIN_LIMIT_PER_ACCOUNT", throttle.account_key, throttle.known_device)
@throttle.failed_login_limit(
    "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS", throttle.pair_key, throttle.known_device
)
# A known device has its own, separate allowance: slower, never unlimited.
@throttle.failed_login_limit(
    "LOGIN_LIMIT_KNOWN_DEVICE", throttle.known_device_key, throttle.unknown_device
)
def login() -> Response | str:
    """Log in with a username (students) or an e-mail address (adults)."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(required(form.login.data), required(form.password.data))
        if user is not None:
            _start_session(user)
            if user.must_change_password:
                return throttle.remember_device(redirect(url_for("auth.change_password")), user)
            target = safe_next(form.next.data) or url_for("dashboard.home")
            return throttle.remember_device(redirect(target), user)
        g.login_failed = True
        add_error(form.password, "The username/e-mail or the password is not correct.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session — every copy of it, since the user's session version changes."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["JOIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def join() -> Response | tuple[str, int]:
    """A student creates an account by joining a class with its code."""
    if current_user.is_authenticated:
        if current_user.is_student:  # a second class, not a second account
            return redirect(url_for("teams.join_class", code=request.args.get("code", "")))
        flash("You are logged in. Log out first to create a student account.", "info")
        return redirect(url_for("dashboard.home"))
    form = StudentJoinForm(class_code=request.args.get("code", ""))
    with even_time() if request.method == "POST" else nullcontext():
        return _join(form)


def _join(form: StudentJoinForm) -> Response | tuple[str, int]:
    if form.validate_on_submit():
        classroom = required(form.classroom)  # its code's validator found it
        try:
            student = services.create_student(
                classroom,
                username=required(form.username.data),
                first_name=required(form.first_name.data),
                last_name=required(form.last_name.data),
                date_of_birth=required(form.date_of_birth.data),
                password=required(form.password.data),
            )
            _start_session(student)
        except IntegrityError:  # the same username, taken a moment ago by someone else
            db.session.rollback()
            add_error(form.username, "This username is taken; try adding a number.")
        else:
            flash(f"Welcome! You joined {classroom.name}.", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/join.html", form=form), (422 if form.errors else 200)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_ADDRESS"], methods=["POST"])
def signup() -> Response | tuple[str, int]:
    """An employer signs up with a work e-mail address."""
    form = EmployerSignupForm()
    if not form.validate_on_submit():
        return render_template("auth/signup.html", form=form), (422 if form.errors else 200)
    # The same answer, in the same time, whether the address already has an account or not:
    # a new account confirms its address by the link mailed; an old one's owner is told.
    with even_time():
        try:
            services.register_employer(
                email=required(form.email.data),
                first_name=required(form.first_name.data),
                last_name=required(form.last_name.data),
                password=required(form.password.data),
            )
            db.session.commit()
        except IntegrityError:  # the same address, signed up a moment ago
            db.session.rollback()
    flash(
        f"We sent a link to {form.email.data}: open it to confirm your address, then log in.",
        "success",
    )
    return redirect(url_for("auth.login"))


@bp.post("/confirm/resend")
@login_required
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_ADDRESS"])
def resend_confirmation() -> Response:
    """Send the e-mail confirmation link again."""
    if current_user.email and not current_user.email_confirmed_at:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("dashboard.home"))


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> Response | tuple[str, int]:
    """Confirm an e-mail address from the link we sent."""
    try:
        user = services.confirm_email(token)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 410
    db.session.commit()
    flash("Thank you — your e-mail address is confirmed.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("dashboard.home"))
    return redirect(url_for("auth.login"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAIL_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password() -> Response | str:
    """Ask for a password-reset link (adults; students ask their teacher)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with even_time():
            services.request_password_reset(required(form.email.data))
            db.session.commit()
        flash(
            "If an account uses that address, we sent it a link to reset the password. "
            "It is valid for one hour.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password through a reset link."""
    try:
        user = services.user_for_reset(token)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 410
    form = ResetPasswordForm()
    form.password_context = personal_words(user)
    if form.validate_on_submit():
        try:
            services.reset_password(token, required(form.password.data))
        except services.AccountError as error:
            db.session.rollback()
            return render_template("auth/link_problem.html", message=str(error)), 410
        db.session.commit()
        logout_user()
        flash("Your password is changed. Log in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    """Change one's own password; other sessions end."""
    form = ChangePasswordForm()
    form.password_context = personal_words(current_user)
    temporary = current_user.must_change_password
    if temporary:  # they typed the temporary password to log in a moment ago
        del form.current_password
    if form.validate_on_submit():
        user = current_user._get_current_object()  # login_user() must not be given the proxy
        try:
            if temporary:
                services.replace_temporary_password(user, required(form.password.data))
            else:
                services.change_password(
                    user, required(form.current_password.data), required(form.password.data)
                )
        except services.AccountError as error:
            add_error(form.current_password, str(error))
        else:
            _start_session(user)
            flash("Your password is changed.", "success")
            return redirect(url_for("dashboard.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Response | str | tuple[str, int]:
    """A teacher or school admin creates their account from an invitation link."""
    try:
        invitation = services.pending_invitation(token)
    except LookupError:
        abort(404)
    except services.AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token,
                first_name=required(form.first_name.data),
                last_name=required(form.last_name.data),
                password=required(form.password.data),
            )
        except services.AccountError as error:
            db.session.rollback()
            return render_template("auth/link_problem.html", message=str(error)), 410
        _start_session(user)
        flash(f"Welcome to {invitation.school.name}!", "success")
        return redirect(url_for("dashboard.home"))
    return render_template(
        "auth/accept_invitation.html",
        form=form,
        invitation=invitation,
        role_label=invitation.role.label,
    )
