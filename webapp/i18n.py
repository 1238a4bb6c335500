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

from flask import Flask, request, session, url_for
from flask_babel import Babel, get_locale

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def select_locale() -> str:
    """``?lang=`` (remembered), else the remembered choice, else Vietnamese."""
    wanted = request.args.get("lang", "").strip().lower()
    if wanted in LANGUAGES:
        session["lang"] = wanted
        return wanted
    remembered = session.get("lang")
    return remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
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

    @app.context_processor
    def inject_language():
        return {"current_language": current_language(), "languages": LANGUAGES,
                "language_url": language_url}
