"""API tokens for programs: made and revoked on ``/account/tokens`` or on the command line.

A client sends ``Authorization: Bearer knt_…`` on ``/api/`` requests
(:func:`webapp.auth.current_account` reads it); see ``docs/api.md``.
"""

from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from recommender.store.models import EnterpriseAccount
from recommender.store.tokens import issue_token, revoke, tokens_of

from .auth import current_account, login_required
from .db import get_session

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
cli = AppGroup("api-token", help="Make, list and revoke API tokens (Authorization: Bearer).")


@bp.get("")
@login_required()
def page():
    return render_template("account/tokens.html", new_token=None,
                           tokens=tokens_of(get_session(), current_account().id))


@bp.post("")
@login_required()
def create():
    account = current_account()
    try:
        row, token = issue_token(get_session(), account, request.form.get("name", ""))
    except ValueError:  # the one refusal: no name
        flash(_("Hãy đặt tên cho token (ví dụ: máy chủ ERP)."))
        return redirect(url_for("tokens.page"))
    # shown once, on this response only: never stored, never in a redirect URL
    return render_template("account/tokens.html", new_token=token, new_name=row.name,
                           tokens=tokens_of(get_session(), account.id))


@bp.post("/<int:token_id>/revoke")
@login_required()
def revoke_token(token_id: int):
    if not revoke(get_session(), token_id, current_account().id):
        abort(404)
    flash(_("Đã thu hồi token."))
    return redirect(url_for("tokens.page"))


def _account(email: str) -> EnterpriseAccount:
    account = get_session().scalar(select(EnterpriseAccount)
                                   .where(EnterpriseAccount.email == email.strip().lower()))
    if account is None:
        raise click.ClickException(f"no account with e-mail {email}")
    return account


@cli.command("create", help="Make a token for the account EMAIL and print it once. The "
             "program then sends 'Authorization: Bearer TOKEN' and acts as that account.")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'ERP sync'.")
def create_command(email: str, name: str) -> None:
    try:
        _, token = issue_token(get_session(), _account(email), name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)


@cli.command("list", help="List the tokens of the account EMAIL (never the tokens themselves).")
@click.argument("email")
def list_command(email: str) -> None:
    for row in tokens_of(get_session(), _account(email).id):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\t{state}\tlast used {used}")


@cli.command("revoke", help="Revoke token ID (from 'list') of the account EMAIL.")
@click.argument("email")
@click.argument("token_id", type=int)
def revoke_command(email: str, token_id: int) -> None:
    if not revoke(get_session(), token_id, _account(email).id):
        raise click.ClickException(f"{email} has no token {token_id}")
    click.echo(f"revoked token {token_id}")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli)
