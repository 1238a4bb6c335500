"""Staff review of the capability phrases the taxonomy did not know.

``/staff/terms`` lists the process and product phrases firms wrote that matched
no taxonomy term (kept as searchable text), most used first, each with a picker
of taxonomy nodes; mapping one stores the decision and applies it to every
profile using the phrase (:mod:`recommender.store.terms`). The same is
available on the command line as ``flask --app webapp taxonomy``.
"""

from __future__ import annotations

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from recommender.store.terms import confirm_mapping, confirmed, unmapped_phrases
from recommender.taxonomy import load_taxonomy

from .auth import current_account, login_required
from .db import get_session
from .i18n import current_language

bp = Blueprint("terms", __name__, url_prefix="/staff/terms")


def _choices(lang: str) -> list[tuple[str, str]]:
    taxonomy = load_taxonomy()
    return [(n.key, taxonomy.path(n.key, lang)) for n in taxonomy.capabilities + taxonomy.sectors]


@bp.get("")
@login_required(role="staff")
def page():
    lang = current_language()
    taxonomy = load_taxonomy()
    session = get_session()
    return render_template(
        "staff/terms.html", phrases=unmapped_phrases(session), decisions=confirmed(session)[:50],
        choices=sorted(_choices(lang), key=lambda c: c[1]),
        label=lambda k: taxonomy.path(k, lang) if k in taxonomy else k,
        suggest=lambda text: [n.key for n in taxonomy.suggest(text, lang, 1)])


@bp.post("")
@login_required(role="staff")
def confirm():
    phrase = (request.form.get("phrase") or "").strip()
    key = (request.form.get("key") or "").strip() or None
    taxonomy = load_taxonomy()
    if key is not None and key not in taxonomy:
        # the picker's text box may hold a label rather than a key
        key = taxonomy.lookup(key) or key
    try:
        changed = confirm_mapping(get_session(), phrase, key,
                                  confirmed_by=current_account().email,
                                  account_id=current_account().id)
    except ValueError:
        flash(_("Không tìm thấy mục này trong danh mục năng lực: %(key)s", key=key or ""))
        return redirect(url_for("terms.page"))
    if key:
        flash(_("Đã ánh xạ “%(phrase)s” vào %(label)s; %(n)d hồ sơ được cập nhật.",
                phrase=phrase, label=taxonomy.path(key, current_language()), n=changed))
    else:
        flash(_("Đã giữ “%(phrase)s” là văn bản tự do; %(n)d hồ sơ.", phrase=phrase, n=changed))
    return redirect(url_for("terms.page"))


taxonomy_cli = AppGroup("taxonomy", help=(
    "The capability taxonomy (corpora/taxonomy.tsv): show it, list the phrases firms "
    "wrote that it does not know, and map a phrase to a node (remembered for later "
    "imports). To add a term for good, add a synonym or a row to corpora/taxonomy.tsv "
    "(see corpora/README.md) and rebuild the index."))


@taxonomy_cli.command("show", help="Print the tree: key, then the path of labels.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def show_command(lang: str) -> None:
    taxonomy = load_taxonomy()
    for node in taxonomy.sectors + taxonomy.capabilities:
        click.echo(f"{node.key}\t{taxonomy.path(node.key, lang)}")


@taxonomy_cli.command("unmapped", help="List the phrases no taxonomy term matched, most used "
                      "first, with example profiles.")
def unmapped_command() -> None:
    phrases = unmapped_phrases(get_session())
    if not phrases:
        click.echo("every process/product phrase is mapped to the taxonomy")
    for p in phrases:
        click.echo(f"{p.profiles}\t{p.text}\t({', '.join(p.examples)})")


@taxonomy_cli.command("map", help="Map PHRASE to the taxonomy node KEY (a key, or a label such "
                      "as 'tiện CNC'), or keep it as free text with --free-text; applied to "
                      "every profile using it now and to later imports.")
@click.argument("phrase")
@click.argument("key", required=False)
@click.option("--free-text", is_flag=True, help="Keep the phrase as free text (no node).")
def map_command(phrase: str, key: str | None, free_text: bool) -> None:
    if not free_text and not key:
        raise click.UsageError("give a KEY or --free-text")
    taxonomy = load_taxonomy()
    target = None if free_text else (key if key in taxonomy else taxonomy.lookup(key or ""))
    if not free_text and target is None:
        hint = taxonomy.suggest(key or "", "vi", 3)
        raise click.ClickException(
            f"{key!r} is not in the taxonomy" + (
                "; did you mean " + ", ".join(f"{n.key} ({n.vi})" for n in hint) if hint else ""))
    changed = confirm_mapping(get_session(), phrase, target, confirmed_by="command line")
    what = taxonomy.path(target) if target else "free text"
    click.echo(f"{phrase!r} → {what}; {changed} profiles updated (search picks them up within "
               "seconds)")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(taxonomy_cli)
