"""Support policies in the web app: JSON endpoints and the ``flask policies`` commands.

A thin adapter over :mod:`recommender.policy`. The catalogue lives in the
``policy_program`` table: on start, an empty table is filled from
``corpora/policies.jsonl`` (``KETNOI_POLICY_CATALOGUE``, switch off with
``KETNOI_LOAD_POLICIES=0``); ``flask --app webapp policies load`` upserts the
file again after it changed. Matching reads the programmes from the table.

Endpoints (errors in the one JSON shape of :mod:`webapp.errors`):

* ``GET /api/v1/policies[?as_of=YYYY-MM-DD&audience=buyer]``: the catalogue.
* ``GET /api/v1/suppliers/<external_id>/policies[?as_of=&activities=a,b&plans=&relevance=0]``:
  every programme judged for the supplier, best first, each explained.
* ``GET /api/v1/buyers/<id>/policies[?as_of=]``: programmes rewarding linkage
  with domestic suppliers.

Every list is in the order of :data:`recommender.policy.STANDINGS` (what a
firm can act on first, expired last). Reasons, hints and notes are in the
language asked (``?lang=vi|en``, else ``Accept-Language``, else English;
:mod:`webapp.policy_text`); each programme says once whether it was checked
against the legal text (``verification``).
"""

from __future__ import annotations

import difflib
import json
import logging
from datetime import date

import click
from flask import Blueprint, Flask, current_app, request
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale, gettext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from recommender.policy import (
    ACTIVITIES,
    ACTIVITY_KEYS,
    CatalogueError,
    FirmFacts,
    load_catalogue,
    match_buyer,
    match_supplier,
    sort_programs,
)
from recommender.store.models import AccountRole, Buyer, SupplierProfile
from recommender.store.policies import program_count, read_programs, upsert_programs

from .auth import current_account, login_required
from .db import get_session
from .errors import api_error, one_of
from .i18n import current_language
from .policy_text import localise_buyer_item, localise_supplier_item

log = logging.getLogger(__name__)

bp = Blueprint("policies", __name__)

MAX_PLANS_CHARS = 2000


class BadRequest(ValueError):
    """A request parameter that cannot be used: its ``name``, and what is wrong with it in
    the user's language (shown to the caller)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def bad_parameter(exc: BadRequest):
    return api_error("bad_parameter", {exc.name: str(exc)}, name=exc.name)


def parse_as_of(raw: str | None) -> date:
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest("as_of", gettext("Phải là ngày dạng NNNN-TT-NN, không phải “%(value)s”.",
                                          value=raw)) from None


def parse_activities(raw: list[str] | str | None) -> list[str] | None:
    """Plan keys from ``a,b`` text or a list; None when not given."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else raw.split(",")
    keys = [k.strip() for item in items for k in item.split(",") if k.strip()]
    unknown = sorted(set(keys) - ACTIVITY_KEYS)
    if unknown:
        raise BadRequest("activities", gettext(
            "Hoạt động không có trong danh mục: %(unknown)s (có: %(known)s).",
            unknown=", ".join(unknown), known=", ".join(sorted(ACTIVITY_KEYS))))
    return keys


def _encoder_if_ready():
    """The search index's encoder when it is loaded, else None (rules only)."""
    from .catalog import get_catalog

    catalog = get_catalog()
    return catalog.index.encoder if catalog.ready else None


def supplier_policies(external_id: str, *, as_of: date, activities: list[str] | None = None,
                      plans: str = "", encoder=None, lang: str | None = None) -> dict | None:
    """The supplier's programme matches as JSON-ready data in ``lang`` (default: the page's
    language), best first, or None for an unknown id."""
    session = get_session()
    profile = session.scalar(select(SupplierProfile)
                             .where(SupplierProfile.external_id == external_id))
    if profile is None:
        return None
    facts = FirmFacts.from_profile(profile, activities=activities, plans=plans)
    matches = match_supplier(facts, read_programs(session), as_of=as_of, encoder=encoder)
    lang = lang or current_language()
    with force_locale(lang):
        items = [localise_supplier_item(m.to_dict(), m.program.record, lang) for m in matches]
    return {"items": items,
            "supplier": {"external_id": profile.external_id, "name": profile.name,
                         "sample": bool(profile.sample)}}


@bp.get("/api/v1/policies")
def api_policies():
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except BadRequest as exc:
        return bad_parameter(exc)
    audience = request.args.get("audience", "all")
    if audience not in ("all", "buyer"):
        return api_error("bad_parameter", {"audience": one_of(("all", "buyer"))},
                         name="audience")
    programs = read_programs(get_session())
    lang = current_language()  # the API's: ?lang=, Accept-Language, else English
    if audience == "buyer":
        items = buyer_items(programs, as_of, lang)
    else:
        items = []
        for p in sort_programs(programs, as_of=as_of):
            item = {k: v for k, v in p.record.items() if k != "eligibility"}
            item["criteria"] = p.record["eligibility"].get("criteria", [])
            item["status"] = p.status(as_of)
            items.append(item)
    return {"items": items, "_meta": {"as_of": as_of.isoformat(), "audience": audience,
                                      "count": len(items), "lang": lang}}


def buyer_items(programs, as_of: date, lang: str) -> list[dict]:
    """The programmes rewarding linkage with domestic suppliers, worded in ``lang``."""
    with force_locale(lang):
        return [localise_buyer_item(m.to_dict(), lang)
                for m in match_buyer(programs, as_of=as_of)]


@bp.get("/api/v1/suppliers/<external_id>/policies")
def api_supplier_policies(external_id: str):
    try:
        as_of = parse_as_of(request.args.get("as_of"))
        activities = parse_activities(request.args.get("activities"))
    except BadRequest as exc:
        return bad_parameter(exc)
    plans = request.args.get("plans", "")
    if len(plans) > MAX_PLANS_CHARS:
        return api_error("bad_parameter", {"plans": gettext("Tối đa %(n)d ký tự.",
                                                            n=MAX_PLANS_CHARS)}, name="plans")
    want_relevance = request.args.get("relevance", "1") not in ("0", "false", "no")
    encoder = _encoder_if_ready() if want_relevance else None
    lang = current_language()  # the API's: ?lang=, Accept-Language, else English
    found = supplier_policies(external_id, as_of=as_of, activities=activities, plans=plans,
                              encoder=encoder, lang=lang)
    if found is None:
        return api_error("supplier_not_found", id=external_id)
    items = found.pop("items")
    meta = {"as_of": as_of.isoformat(), "count": len(items), "relevance": encoder is not None,
            "lang": lang, **found}
    if want_relevance and encoder is None:
        meta["relevance_note"] = "the model is still loading; ranked by the rules only"
    return {"items": items, "_meta": meta}


@bp.get("/api/v1/buyers/<int:buyer_id>/policies")
@login_required(role=(AccountRole.BUYER, AccountRole.STAFF))
def api_buyer_policies(buyer_id: int):
    # a buyer's company is not public: its own accounts and staff only (ids are guessable)
    account = current_account()
    if account.role == AccountRole.BUYER and account.buyer_id != buyer_id:
        return api_error("not_yours")
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except BadRequest as exc:
        return bad_parameter(exc)
    session = get_session()
    buyer = session.get(Buyer, buyer_id)
    if buyer is None:
        return api_error("buyer_not_found", id=buyer_id)
    lang = current_language()  # the API's: ?lang=, Accept-Language, else English
    items = buyer_items(read_programs(session), as_of, lang)
    return {"items": items, "_meta": {"as_of": as_of.isoformat(), "count": len(items),
                                      "lang": lang,
                                      "buyer": {"id": buyer.id, "company": buyer.company}}}


# --- staff commands ----------------------------------------------------------------------

policies_cli = AppGroup("policies", help="Support policies: list the catalogue, load it into "
                        "the database, and show which programmes a supplier or buyer may use "
                        "and why.")


def _day(value: str | None) -> date:
    try:
        with force_locale("en"):  # the CLI speaks English
            return parse_as_of(value)
    except BadRequest as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


def _suggest_ids(external_id: str) -> str:
    ids = get_session().scalars(select(SupplierProfile.external_id)).all()
    close = difflib.get_close_matches(external_id, ids, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


MARKS = {"yes": "✓", "no": "✗", "unknown": "?"}


def _print_supplier(found: dict, as_of: date) -> None:
    s = found["supplier"]
    click.echo(f"{s['external_id']} {s['name']}: support programmes as of {as_of.isoformat()}")
    for rank, item in enumerate(found["items"], 1):
        status = "" if item["status"] == "active" else f" [{item['status'].upper()}]"
        rel = f"  relevance {item['relevance']:.3f}" if item["relevance"] is not None else ""
        click.echo(f"{rank:>3}. {item['standing'].upper():<12} {item['code']}{status}{rel}")
        click.echo(f"     {item['title_en'] if item['lang'] == 'en' else item['title_vi']}")
        if item["standing"] in ("expired", "not_yet_in_force"):
            click.echo(f"     {item['headline']}")
        v = item["verification"]
        click.echo(f"     {v['label']}" + (f" ({v['checked_on']})" if v["checked_on"] else ""))
        if item["valid_from"] is None:  # dates not known: say so beside the programme
            click.echo(f"     valid: {item['valid_from'] or '?'} … "
                       f"{item['valid_until'] or '(no end date given)'}; "
                       f"{item['validity_note']}")
        for c in item["criteria"]:
            click.echo(f"     {MARKS[c['outcome']]} {c['reason']} [{c['source']}]")
        for hint in item["to_find_out"]:
            click.echo(f"     → {hint['text']}")
        for note in item["priorities"]:
            click.echo(f"     ★ {note}")


@policies_cli.command("match", help=(
    "Show every support programme judged for one supplier (--supplier EXTERNAL_ID) or the "
    "programmes that reward a buyer for linking with domestic suppliers (--buyer ID). "
    "Programmes are listed by what the firm can act on: ELIGIBLE (in force, every criterion "
    "met), NEARLY (only a plan is missing), UNKNOWN (the profile lacks or contradicts a fact; "
    "the line starting with → says what would settle it), NOT_ELIGIBLE, NOT_YET_IN_FORCE, "
    "and EXPIRED last (never eligible; the day it ended is shown). Each programme says once "
    "whether it was checked against the legal text. Exit code 2 for an unknown id."))
@click.option("--supplier", "external_id", help="the supplier's external id, e.g. SUP-00001")
@click.option("--buyer", "buyer_id", type=int, help="a buyer's id")
@click.option("--as-of", "as_of", help="judge on this day (YYYY-MM-DD; default today)")
@click.option("--activity", "activities", multiple=True, type=click.Choice(
    sorted(ACTIVITY_KEYS)), help="a plan of the firm (repeat for several): "
    + "; ".join(f"{t.key} = {t.en}" for t in ACTIVITIES))
@click.option("--plans", default="", help="the firm's plans in its own words (for relevance)")
@click.option("--relevance", is_flag=True, help="also rank by semantic similarity to the "
              "programme summaries (loads the model: a few seconds)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object instead of text")
@click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True,
              help="the language of reasons and hints")
@with_appcontext
def match_command(external_id: str | None, buyer_id: int | None, as_of: str | None,
                  activities: tuple[str, ...], plans: str, relevance: bool,
                  as_json: bool, lang: str) -> None:
    if (external_id is None) == (buyer_id is None):
        raise click.UsageError("give exactly one of --supplier EXTERNAL_ID or --buyer ID")
    day = _day(as_of)
    if buyer_id is not None:
        buyer = get_session().get(Buyer, buyer_id)
        if buyer is None:
            raise click.BadParameter(f"no buyer with id {buyer_id}", param_hint="--buyer")
        matches = buyer_items(read_programs(get_session()), day, lang)
        if as_json:
            click.echo(json.dumps({"buyer": {"id": buyer.id, "company": buyer.company},
                                   "as_of": day.isoformat(), "items": matches},
                                  ensure_ascii=False))
            return
        click.echo(f"buyer {buyer.id} {buyer.company}: programmes rewarding linkage with "
                   f"domestic suppliers, as of {day.isoformat()}")
        for rank, m in enumerate(matches, 1):
            click.echo(f"{rank:>3}. {m['status'].upper():<7} {m['code']} "
                       f"(benefit goes to: {m['beneficiary']})")
            click.echo(f"     {m['reason']}")
        if not matches:
            click.echo("     no programme in the catalogue is flagged for buyers")
        return
    encoder = None
    if relevance:
        from recommender.config import RetrievalConfig
        from recommender.embed.encoder import load_encoder

        encoder = load_encoder(RetrievalConfig.from_env())
    found = supplier_policies(external_id, as_of=day,
                              activities=list(activities) if activities else None,
                              plans=plans, encoder=encoder, lang=lang)
    if found is None:
        raise click.BadParameter(f"no supplier with external id {external_id!r}"
                                 f"{_suggest_ids(external_id)}", param_hint="--supplier")
    if as_json:
        click.echo(json.dumps({**found, "as_of": day.isoformat()}, ensure_ascii=False))
    else:
        _print_supplier(found, day)


@policies_cli.command("list", help="List the programmes in the database with their validity "
                      "and status on --as-of (default today).")
@click.option("--as-of", "as_of", help="YYYY-MM-DD")
@with_appcontext
def list_command(as_of: str | None) -> None:
    day = _day(as_of)
    for p in sort_programs(read_programs(get_session()), as_of=day):
        valid = f"{p.valid_from or '?'} … {p.valid_until or '(none given)'}"
        click.echo(f"{p.code:<26} {p.status(day):<17} {valid:<28} {p.legal_basis}")


@policies_cli.command("load", help="Add or update the programmes of a catalogue file "
                      "(JSON lines; default: the bundled corpora/policies.jsonl) in the "
                      "database, matched by code. Safe to run again: unchanged programmes "
                      "stay as they are.")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def load_command(path: str | None) -> None:
    try:
        programs = load_catalogue(path or current_app.config["POLICY_CATALOGUE"])
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from None
    report = upsert_programs(get_session(), programs)
    click.echo(report.summary())


@policies_cli.command("evaluate", help="Decide the labelled cases (corpora/policy_cases.jsonl "
                      "by default) with the rules and print the accuracy on the yes/no cases "
                      "and every disagreement. Uses the catalogue file, not the database.")
@click.option("--cases", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@with_appcontext
def evaluate_command(cases: str | None, as_json: bool) -> None:
    from recommender.policy import evaluate_cases, load_cases

    report = evaluate_cases(load_cases(cases),
                            load_catalogue(current_app.config["POLICY_CATALOGUE"]))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(f"{report.cases} cases: yes/no accuracy {100 * report.accuracy:.2f}% "
               f"({report.correct}/{report.decided}); unknown agreement "
               f"{report.unknown_agree}/{report.unknown_cases}; status agreement "
               f"{report.status_agree}/{report.status_cases}")
    for f in report.failures:
        click.echo(f"  {f['case_id']} {f['program']}: expected {f['expected']}, got "
                   f"{f['got']} ({f['reason']})")


def load_if_empty(app: Flask) -> None:
    """Fill an empty policy table from the catalogue file (like the sample profiles)."""
    if not app.config["LOAD_POLICIES"]:
        return
    db = app.extensions["ketnoi_db"]
    if not inspect(db.engine).has_table("policy_program"):
        log.warning("no policy_program table yet: run flask --app webapp init-db")
        return
    with db.sessions() as session:
        if program_count(session) == 0:
            try:
                report = upsert_programs(session, load_catalogue(app.config["POLICY_CATALOGUE"]))
            except IntegrityError:  # another worker starting at the same time loaded it
                session.rollback()
                return
            app.logger.info("loaded the policy catalogue: %s", report.summary())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(policies_cli)
    load_if_empty(app)
