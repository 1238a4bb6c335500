"""Accounts: register, log in and out, role checks, and the ``create-staff`` command.

Passwords are hashed with Argon2id (argon2-cffi) and never stored. The session
cookie holds only the account id. Buyers and enterprises register themselves;
an enterprise either claims an existing profile (external id and the same tax
code) or creates a new one. Staff accounts are created on the server with
``flask --app webapp create-staff EMAIL``.
"""

from __future__ import annotations

import functools
import re
import uuid

import click
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.cli import with_appcontext
from sqlalchemy import select

from recommender.store import vocab
from recommender.store.importer import check_tax_code
from recommender.store.models import (
    MAX_LEN,
    AccountRole,
    Buyer,
    EnterpriseAccount,
    SupplierProfile,
)

from .db import get_session
from .errors import error_response, wants_json

bp = Blueprint("auth", __name__)

_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
_DUMMY_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; never the password itself)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def current_account() -> EnterpriseAccount | None:
    """The logged-in account of this request, or None."""
    if "account" not in g:
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
                if wants_json():
                    return error_response(401, "log in first")
                return redirect(url_for("auth.login", next=request.path))
            if roles and AccountRole(account.role) not in roles:
                if wants_json():
                    return error_response(403, "this account may not do this")
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


@bp.app_context_processor
def inject_account():
    return {"current_account": current_account()}


def _check_email(email: str, errors: dict[str, str]) -> None:
    if not _EMAIL.match(email) or len(email) > MAX_LEN["email"]:
        errors["email"] = "Địa chỉ email không hợp lệ."
    elif get_session().scalar(select(EnterpriseAccount.id)
                              .where(EnterpriseAccount.email == email)) is not None:
        errors["email"] = "Email này đã được đăng ký."


def _new_profile(form, errors: dict[str, str]) -> SupplierProfile | None:
    """A new supplier profile from the registration form, or None with errors."""
    name = form.get("name", "").strip()
    description = form.get("description", "").strip()
    sector_text = form.get("sector", "").strip()
    tax_text = form.get("tax_code", "").strip()
    if not name or len(name) > MAX_LEN["name"]:
        errors["name"] = "Vui lòng nhập tên doanh nghiệp (tối đa 255 ký tự)."
    if not description:
        errors["description"] = "Vui lòng mô tả năng lực của doanh nghiệp."
    sector = vocab.lookup(sector_text, vocab.SECTORS) if sector_text else None
    if sector is None:
        hint = vocab.suggest(sector_text, vocab.SECTORS) if sector_text else None
        errors["sector"] = "Ngành không hợp lệ." + (f" Có phải bạn muốn: {hint}?" if hint else "")
    tax_code = None
    if tax_text:
        try:
            tax_code = check_tax_code(tax_text)
        except ValueError:
            errors["tax_code"] = "Mã số thuế không hợp lệ."
        else:
            if get_session().scalar(select(SupplierProfile.id)
                                    .where(SupplierProfile.tax_code == tax_code)) is not None:
                errors["tax_code"] = ("Mã số thuế này đã có hồ sơ: hãy nhập mã hồ sơ để liên "
                                      "kết.")
    if errors:
        return None
    return SupplierProfile(external_id=f"ENT-{uuid.uuid4().hex[:12]}", name=name,
                           tax_code=tax_code, sector=sector, description=description,
                           processes=[])


def _claim_profile(form, errors: dict[str, str]) -> SupplierProfile | None:
    """The existing profile named by external id whose tax code matches."""
    external_id = form.get("external_id", "").strip()
    try:
        tax_code = check_tax_code(form.get("tax_code", ""))
    except ValueError:
        tax_code = None
    profile = get_session().scalar(select(SupplierProfile)
                                   .where(SupplierProfile.external_id == external_id))
    # one message for both cases, so the form does not reveal which profiles exist
    if profile is None or tax_code is None or profile.tax_code != tax_code:
        errors["external_id"] = "Mã hồ sơ và mã số thuế không khớp với hồ sơ nào."
        return None
    taken = get_session().scalar(select(EnterpriseAccount.id)
                                 .where(EnterpriseAccount.profile_id == profile.id))
    if taken is not None:
        errors["external_id"] = "Hồ sơ này đã có tài khoản quản lý."
        return None
    return profile


@bp.route("/register", methods=["GET", "POST"])
def register():
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        email = form.get("email", "").strip().lower()
        password = form.get("password", "")
        role = form.get("role", "")
        _check_email(email, errors)
        if len(password) < MIN_PASSWORD:
            errors["password"] = f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự."
        elif password != form.get("password2", ""):
            errors["password2"] = "Mật khẩu nhập lại không khớp."
        account = EnterpriseAccount(email=email, role=AccountRole.BUYER)
        new_profile = None
        if role == "buyer":
            company = form.get("company", "").strip()
            if not company or len(company) > 255:
                errors["company"] = "Vui lòng nhập tên công ty (tối đa 255 ký tự)."
            account.buyer = Buyer(company=company, email=email)
        elif role == "enterprise":
            account.role = AccountRole.ENTERPRISE
            if form.get("external_id", "").strip():
                account.profile = _claim_profile(form, errors)
            else:
                account.profile = new_profile = _new_profile(form, errors)
        else:
            errors["role"] = "Vui lòng chọn loại tài khoản."
        if not errors:
            account.password_hash = hash_password(password)
            db = get_session()
            db.add(account)
            db.commit()
            if new_profile is not None:
                from .catalog import get_catalog

                get_catalog().apply_saved(new_profile)
            session.clear()
            session["account_id"] = account.id
            flash("Đăng ký thành công.")
            return redirect(url_for("enterprise.edit_profile") if account.role ==
                            AccountRole.ENTERPRISE else url_for("search.index"))
    return render_template("auth/register.html", errors=errors, form=form,
                           sectors=vocab.SECTORS), 400 if errors else 200


def _safe_next(target: str | None, account: EnterpriseAccount | None = None) -> str:
    # only local paths: an open redirect would let a phishing link log users in elsewhere
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    if account is not None and account.role == AccountRole.ENTERPRISE and account.profile_id:
        return url_for("portal.dashboard")
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
        stored = account.password_hash if account is not None else _DUMMY_HASH
        if not verify_password(stored, password) or account is None:
            error = "Email hoặc mật khẩu không đúng."
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
              help="Asked for when not given; at least 10 characters.")
@with_appcontext
def create_staff_command(email: str, password: str) -> None:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise click.ClickException(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
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
        security.limit_views(app, ["search.index", "search.api_search"], "SEARCH_RATE_LIMIT")
