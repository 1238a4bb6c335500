"""Accounts: register, log in and out, role checks, and the ``create-staff`` command.

Passwords are hashed with Argon2id (argon2-cffi) and never stored. The session
cookie holds only the account id. Buyers and enterprises register themselves;
an enterprise either creates a new profile (unverified until staff check it)
or asks to manage an existing one: that claim is queued and grants nothing by
itself (:mod:`recommender.store.claims`, pages in :mod:`webapp.claims`).
API clients send a bearer token instead of using the login form
(:mod:`webapp.tokens`). Staff accounts are created on the server with
``flask --app webapp create-staff EMAIL``.
"""

from __future__ import annotations

import functools
import re

import click
from flask import (
    Blueprint,
    Flask,
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
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from recommender import vocab
from recommender.store.claims import open_claim
from recommender.store.models import (
    MAX_LEN,
    AccountRole,
    Buyer,
    EnterpriseAccount,
    SupplierProfile,
)
from recommender.store.profiles import (
    ProfileErrors,
    check_tax_code,
    create_profile,
    read_new_profile,
)
from recommender.store.tokens import account_for

from .catalog import get_catalog
from .db import get_session
from .errors import api_error, wants_json
from .fields import field_messages
from .mail import send_claim_code
from .passwords import DUMMY_HASH, hash_password, password_problem, verify_password
from .security import local_path

bp = Blueprint("auth", __name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def bearer_token() -> str | None:
    """The API token of an ``/api/`` request (``Authorization: Bearer …``), else None."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header[:7].lower() == "bearer ":
        return None
    return header[7:].strip()


def current_account() -> EnterpriseAccount | None:
    """The account of this request: its API token's, else the logged-in one, or None.

    An API request that sends a token is judged by the token alone (never by a cookie
    the same client may also hold).
    """
    if "account" not in g:
        token = bearer_token()
        if token is not None:
            g.account = account_for(get_session(), token)
        else:
            account_id = session.get("account_id")
            g.account = (get_session().get(EnterpriseAccount, account_id)
                         if isinstance(account_id, int) else None)
    return g.account


def login_required(role: str | AccountRole | tuple[str | AccountRole, ...] | None = None):
    """Refuse the view unless an account (with one of ``role``) is logged in.

    Pages redirect to the login page; the JSON API answers 401 or 403 in the
    error shape.
    """
    roles = {AccountRole(r) for r in ((role,) if isinstance(role, str) else role or ())}

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            account = current_account()
            if account is None:
                if bearer_token() is not None:
                    return api_error("bad_token")
                if wants_json():
                    return api_error("login_required")
                return redirect(url_for("auth.login", next=request.path))
            if roles and AccountRole(account.role) not in roles:
                if wants_json():
                    return api_error("forbidden")
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.app_context_processor
def inject_account():
    return {"current_account": current_account()}


def _check_email(email: str, errors: dict[str, str]) -> None:
    if not _EMAIL.match(email) or len(email) > MAX_LEN["email"]:
        errors["email"] = _("Địa chỉ email không hợp lệ.")
    elif get_session().scalar(select(EnterpriseAccount.id)
                              .where(EnterpriseAccount.email == email)) is not None:
        errors["email"] = _("Email này đã được đăng ký.")


def _new_profile(form, errors: dict[str, str]) -> dict | None:
    """Checked values of a new profile from the registration form, or None with errors."""
    try:
        return read_new_profile(get_session(), {k: form.get(k, "") for k in
                                                ("name", "sector", "tax_code", "description")})
    except ProfileErrors as exc:
        errors.update(field_messages(exc))
        return None


def claimed_profile(form, errors: dict[str, str]) -> SupplierProfile | None:
    """The existing profile named by external id, when the tax code given agrees with the
    one on file (a first filter only: the claim still needs proof)."""
    external_id = form.get("external_id", "").strip()
    try:
        tax_code = check_tax_code(form.get("tax_code", ""))
    except ValueError:
        tax_code = None
    profile = get_session().scalar(select(SupplierProfile)
                                   .where(SupplierProfile.external_id == external_id))
    # one message for every case, so the form does not reveal which profiles exist
    if profile is None or (profile.tax_code is not None and profile.tax_code != tax_code):
        errors["external_id"] = _("Mã hồ sơ và mã số thuế không khớp với hồ sơ nào.")
        return None
    return profile


def start_claim(account: EnterpriseAccount, profile: SupplierProfile, form) -> None:
    """Queue ``account``'s claim on ``profile`` and e-mail the code to the contact on file."""
    db = get_session()
    claim, code = open_claim(db, account, profile, {k: form.get(k, "") for k in
                                                    ("contact_name", "position", "phone",
                                                     "message")})
    if code is not None:
        outbox = send_claim_code(claim.code_sent_to, profile.name, code, account.email)
        if outbox is not None and current_app.config.get("ENV_NAME") != "production":
            session["outbox_file"] = str(outbox)


@bp.route("/register", methods=["GET", "POST"])
def register():
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        email = form.get("email", "").strip().lower()
        password = form.get("password", "")
        role = form.get("role", "")
        _check_email(email, errors)
        problem = password_problem(password, email)
        if problem:
            errors["password"] = problem
        elif password != form.get("password2", ""):
            errors["password2"] = _("Mật khẩu nhập lại không khớp.")
        account = EnterpriseAccount(email=email, role=AccountRole.BUYER)
        new_values = claimed = None
        if role == "buyer":
            company = form.get("company", "").strip()
            if not company or len(company) > 255:
                errors["company"] = _("Vui lòng nhập tên công ty (tối đa 255 ký tự).")
            account.buyer = Buyer(company=company, email=email)
        elif role == "enterprise":
            account.role = AccountRole.ENTERPRISE
            if form.get("external_id", "").strip():
                claimed = claimed_profile(form, errors)
            else:
                new_values = _new_profile(form, errors)
        else:
            errors["role"] = _("Vui lòng chọn loại tài khoản.")
        if not errors:
            account.password_hash = hash_password(password)
            db = get_session()
            if new_values is not None:  # the one write path: saved, logged, published
                create_profile(db, new_values, owner=account,
                               publish=get_catalog().apply_saved)
            else:
                db.add(account)
                db.commit()
            session.clear()
            session["account_id"] = account.id
            if claimed is not None:
                start_claim(account, claimed, form)
                return redirect(url_for("claims.status"))
            flash(_("Đăng ký thành công. Hồ sơ mới sẽ được cán bộ xác minh.") if new_values
                  else _("Đăng ký thành công."))
            return redirect(url_for("enterprise.edit_profile") if account.role ==
                            AccountRole.ENTERPRISE else url_for("search.index"))
    return render_template("auth/register.html", errors=errors, form=form,
                           sectors=vocab.SECTORS), 400 if errors else 200


def _safe_next(target: str | None, account: EnterpriseAccount | None = None) -> str:
    local = local_path(target)
    if local:
        return local
    if account is not None and account.role == AccountRole.ENTERPRISE:
        return url_for("portal.dashboard" if account.profile_id else "claims.status")
    if account is not None and account.role == AccountRole.STAFF:
        return url_for("staff.overview")
    return url_for("search.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        account = get_session().scalar(select(EnterpriseAccount)
                                       .where(EnterpriseAccount.email == email))
        # hash even for an unknown email, so the answer time does not tell which exist
        stored = account.password_hash if account is not None else DUMMY_HASH
        if not verify_password(stored, password) or account is None:
            error = _("Email hoặc mật khẩu không đúng.")
        else:
            session.clear()
            session["account_id"] = account.id
            return redirect(_safe_next(request.args.get("next"), account))
    return render_template("auth/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("search.index"))


@click.command("create-staff", help=(
    "Create a staff account with EMAIL; the password is asked for (twice) and never "
    "shown. Staff accounts can only be created here, not on the website."))
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given; at least 10 characters and not a common "
                   "password.")
@with_appcontext
def create_staff_command(email: str, password: str) -> None:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise click.ClickException(f"{email!r} is not an email address")
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    db = get_session()
    if db.scalar(select(EnterpriseAccount.id).where(EnterpriseAccount.email == email)):
        raise click.ClickException(f"an account with {email} already exists")
    db.add(EnterpriseAccount(email=email, role=AccountRole.STAFF,
                             password_hash=hash_password(password)))
    db.commit()
    click.echo(f"created staff account {email}")


def init_app(app: Flask) -> None:
    from . import security

    security.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(create_staff_command)
    # logins and registrations share one budget per IP address
    security.limit_views(app, ["auth.login", "auth.register"], "LOGIN_RATE_LIMIT",
                         methods=["POST"])
    if "search.index" in app.view_functions:
        # the home page is the search page without a query: visiting it is not a search
        security.limit_views(app, ["search.index", "search.api_search"], "SEARCH_RATE_LIMIT",
                             exempt_when=lambda: not request.args.get("q", "").strip())
