"""Vietnamese by default, English on request (Flask-Babel).

Source strings are Vietnamese, the language most users read; the English
catalogue is ``webapp/translations/en/LC_MESSAGES/messages.po`` (compiled to
``messages.mo`` beside it, kept current by a test). ``?lang=en`` or ``?lang=vi``
on any page switches and remembers the choice in the session; pages and
flashed messages use the chosen language. Mark template text with
``{{ _("...") }}`` and Python text with :func:`flask_babel.gettext`
(``lazy_gettext`` at import time); ``pybabel extract -F babel.cfg`` collects them.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask, has_request_context, request, session, url_for
from flask_babel import Babel, get_locale

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
API_LANGUAGE = "en"
API_PREFIX = "/api/v1/"


def select_locale() -> str | None:
    """``?lang=`` (remembered), else the remembered choice, else Vietnamese.

    The JSON API (``/api/v1/``) is for programs written anywhere: ``?lang=``, else the
    best of ``Accept-Language``, else English; nothing is remembered.
    Outside a request (CLI commands, jobs) there is no choice to read: None makes
    Flask-Babel use the app's ``BABEL_DEFAULT_LOCALE``; ``force_locale`` overrides it.
    """
    if not has_request_context():
        return None
    wanted = request.args.get("lang", "").strip().lower()
    if request.path.startswith(API_PREFIX):
        if wanted in LANGUAGES:
            return wanted
        return request.accept_languages.best_match(LANGUAGES) or API_LANGUAGE
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    remembered = session.get("lang")
    return remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    """The language pages and dates are shown in; also valid outside a request."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def language_url(language: str) -> str:
    """The current page (same path and query) in ``language``."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    if request.endpoint and request.method == "GET":
        return url_for(request.endpoint, **(request.view_args or {}), **args)
    return url_for("search.index", lang=language)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    Babel(app, locale_selector=select_locale)
    app.cli.add_command(translations_cli)

    @app.context_processor
    def inject_language():
        return {"current_language": current_language(), "languages": LANGUAGES,
                "language_url": language_url}


# -- the English catalogue: extract, update, compile, check ---------------------------------

# the package's own directory: extraction reads its sources and templates, and the
# catalogue commands rewrite messages.po/.mo there in place
PACKAGE_DIR = Path(str(resources.files("webapp")))
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def po_path(language: str = "en") -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"


def extract_messages() -> Catalog:
    """Every marked string in the app's Python modules and templates (as ``pybabel extract``)."""
    template = Catalog(locale=None, project="KếtNối", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE_DIR), METHOD_MAP, keywords=KEYWORDS,
            options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
            strip_comment_tags=True):
        # locations stay relative to the repository root, as `pybabel extract` writes them
        template.add(message, None, [(f"webapp/{filename}", lineno)], auto_comments=comments,
                     context=context)
    return template


def read_catalog(language: str = "en") -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="KếtNối", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=language, abort_invalid=True)


def missing_translations(language: str = "en") -> list[str]:
    """Marked strings the catalogue lacks or leaves empty or fuzzy."""
    catalog = read_catalog(language)
    missing = []
    for message in extract_messages():
        if not message.id:
            continue
        have = catalog.get(message.id, context=message.context)
        strings = have.string if have is not None else None
        if isinstance(strings, tuple | list):
            empty = not all(strings)
        else:
            empty = not strings
        if have is None or empty or have.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def compiled_bytes(language: str = "en") -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(language), use_fuzzy=False)
    return buffer.getvalue()


def update_catalog(language: str = "en") -> int:
    """Merge newly marked strings into the catalogue (keeping translations); drop unused ones."""
    catalog = read_catalog(language)
    catalog.update(extract_messages(), update_header_comment=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    catalog.project, catalog.version = "KếtNối", "1"
    catalog.copyright_holder = catalog.last_translator = "KếtNối"
    catalog.msgid_bugs_address = ""
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True,
                 include_previous=False)
    return len(catalog)


def compile_catalog(language: str = "en") -> Path:
    target = po_path(language).with_suffix(".mo")
    target.write_bytes(compiled_bytes(language))
    return target


@click.group("translations", help="Keep the English catalogue (webapp/translations/en) in step "
             "with the Vietnamese source strings marked in the code and templates.")
def translations_cli() -> None:
    pass


@translations_cli.command("update", help="Add newly marked strings to messages.po (translate "
                          "them there, then run `translations compile`).")
def update_command() -> None:
    click.echo(f"{update_catalog()} messages in {po_path()}")
    missing = missing_translations()
    if missing:
        click.echo(f"{len(missing)} still to translate")


@translations_cli.command("compile", help="Write messages.mo from messages.po.")
def compile_command() -> None:
    click.echo(f"wrote {compile_catalog()}")


@translations_cli.command("check", help="Exit 1 if a marked string has no English translation "
                          "or messages.mo is out of date.")
def check_command() -> None:
    missing = missing_translations()
    for text in missing:
        click.echo(f"untranslated: {text}")
    stale = not po_path().with_suffix(".mo").exists() or \
        po_path().with_suffix(".mo").read_bytes() != compiled_bytes()
    if stale:
        click.echo("messages.mo is out of date: run `flask --app webapp translations compile`")
    if missing or stale:
        raise SystemExit(1)
    click.echo("the English catalogue is complete and compiled")
