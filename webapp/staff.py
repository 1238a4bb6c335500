"""The park staff's console: import and export, profile verification, the search
index (status, retrain now, rollback) and search analytics.

Pages live under ``/staff`` and the JSON API under ``/api/v1/index`` and
``/api/v1/analytics``; every route is for staff accounts only. Retraining runs
as a background job (:mod:`recommender.serving.rebuild`) holding a lease in the database, so a
click here, the scheduler and ``flask --app webapp index rebuild`` never run two
rebuilds at once; the page shows the running job's progress and refreshes
itself until it ends.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from recommender.certificates import EXPIRY_WARNING_DAYS, certificate_warnings
from recommender.store.exporter import export_profiles
from recommender.store.importer import FORMATS, ImportFileError, import_profiles
from recommender.store.models import (
    Certification,
    IndexRun,
    Interaction,
    InteractionKind,
    SearchLog,
    SupplierProfile,
    utcnow,
)
from recommender.store.profiles import set_verified
from recommender.text import fold, normalize
from recommender.versions import (
    GATE_METRIC,
    IndexVersion,
    UnsafeVersionError,
    VersionNotFoundError,
)

from .auth import current_account, login_required
from .catalog import get_catalog
from .db import get_session
from .errors import error_response
from .paging import BadPage, page_args, page_meta
from .search import format_day
from .security import local_path

bp = Blueprint("staff", __name__, url_prefix="/staff")
api = Blueprint("staff_api", __name__, url_prefix="/api/v1")

ANALYTICS_DAYS = (7, 30, 90, 365)
"""Periods the analytics page offers (days back from now)."""
TOP_QUERIES = 20
MAX_ERRORS_SHOWN = 200
"""Row errors listed on the import result page (the summary counts them all)."""
EXPORT_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PROFILE_FILTERS = ("all", "unverified", "verified", "expiring")


# --- index status ---------------------------------------------------------------------------

def version_json(version: IndexVersion | None) -> dict | None:
    if version is None:
        return None
    return {"version_id": version.version_id, "model_id": version.model_id,
            "profile_count": version.profile_count, "built_at": version.built_at,
            "duration_s": version.duration_s, "metrics": version.metrics or {},
            "gate": version.gate, "admitted": version.admitted,
            "change_seq": version.change_seq}


def run_json(run: IndexRun) -> dict:
    return {"id": run.id, "trigger": run.trigger, "status": str(run.status),
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "duration_s": run.duration_s, "version_id": run.version_id,
            "profile_count": run.profile_count, "embedded_count": run.embedded_count,
            "metrics": run.metrics or {}, "progress": run.progress or {},
            "message": run.message, "host": run.host}


def index_status() -> dict[str, Any]:
    """What staff need to know about the index: promoted, previous, served here, runs."""
    from recommender.serving.rebuild import recent_runs, running_run

    catalog = get_catalog()
    store = catalog.store
    db = get_session()
    serving = catalog.index_version
    follower = catalog.follower
    running = running_run(db, store)
    return {
        "current": version_json(store.current()),
        "previous": version_json(store.previous()),
        "serving": {
            "ready": catalog.ready, "error": catalog.error,
            "version": version_json(serving),
            "profiles": len(catalog.index) if catalog.ready else 0,
            "applied_seq": catalog.applied_seq,
            "follower_error": None if follower is None else follower.last_error,
        },
        "versions": [version_json(v) for v in store.list()],
        "pinned": store.pinned(),
        "load_errors": store.load_errors(),
        "running": run_json(running) if running is not None else None,
        "runs": [run_json(r) for r in recent_runs(db, limit=10, store=store)],
        "gate_metric": GATE_METRIC,
    }


def _start_rebuild(force: bool):
    """Start a rebuild job for the logged-in staff member: (run id, None) or (None, why)."""
    from recommender.serving.rebuild import JobBusyError

    from .jobs import start_rebuild

    account = current_account()
    try:
        run_id = start_rebuild(current_app._get_current_object(), "staff",
                               account_id=account.id, force=force)
    except JobBusyError as exc:
        return None, str(exc)
    current_app.logger.info("staff %s started index rebuild run %s%s", account.email, run_id,
                            " (force)" if force else "")
    return run_id, None


@bp.get("/index")
@login_required(role="staff")
def index_page():
    status = index_status()
    return render_template("staff/index.html", status=status,
                           refresh=status["running"] is not None)


@bp.post("/index/rebuild")
@login_required(role="staff")
def rebuild():
    run_id, busy = _start_rebuild(force=request.form.get("force") == "1")
    if busy:
        flash(_("Chưa thể huấn luyện lại: %(why)s", why=busy))
    else:
        flash(_("Đã bắt đầu huấn luyện lại chỉ mục (lượt %(id)d).", id=run_id))
    return redirect(url_for("staff.index_page"))


@bp.post("/index/rollback")
@login_required(role="staff")
def rollback():
    catalog = get_catalog()
    from recommender.config import RetrievalConfig

    wanted = (request.form.get("version") or "").strip() or None
    config = RetrievalConfig.from_env()
    try:
        target = catalog.store.rollback(wanted, force=request.form.get("force") == "1",
                                        encoder=catalog.encoder(config), config=config)
    except (VersionNotFoundError, UnsafeVersionError) as exc:
        flash(_("Không thể quay lại phiên bản này: %(why)s", why=str(exc)))
        return redirect(url_for("staff.index_page"))
    current_app.logger.info("staff %s rolled the index back to %s", current_account().email,
                            target.version_id)
    # every serving process (this one too) notices the new pointer and swaps it in
    flash(_("Đã chuyển về phiên bản %(version)s; các tiến trình phục vụ sẽ dùng nó trong vài "
            "giây.", version=target.version_id))
    return redirect(url_for("staff.index_page"))


@bp.post("/index/unpin")
@login_required(role="staff")
def unpin():
    version = get_catalog().store.unpin()
    if version is not None:
        current_app.logger.info("staff %s unpinned index version %s",
                                current_account().email, version.version_id)
        flash(_("Đã bỏ ghim phiên bản %(version)s; lần huấn luyện lại tiếp theo đạt kiểm tra "
                "chất lượng sẽ thay nó.", version=version.version_id))
    return redirect(url_for("staff.index_page"))


@api.get("/index/status")
@login_required(role="staff")
def api_index_status():
    return index_status()


@api.post("/index/rebuild")
@login_required(role="staff")
def api_rebuild():
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict) or set(data) - {"force"} or not isinstance(
            data.get("force", False), bool):
        return error_response(400, "send an empty body or {\"force\": true|false}",
                              {"force": "a boolean"})
    run_id, busy = _start_rebuild(force=data.get("force", False))
    if busy:
        return error_response(409, f"rebuild not started: {busy}")
    run = get_session().get(IndexRun, run_id)
    return run_json(run), 202, {"Location": url_for("staff_api.api_run", run_id=run_id)}


@api.get("/index/runs")
@login_required(role="staff")
def api_runs():
    try:
        page, per_page = page_args(strict=True)
    except BadPage as exc:
        return error_response(400, str(exc))
    db = get_session()
    total = db.scalar(select(func.count(IndexRun.id))) or 0
    rows = db.scalars(select(IndexRun).order_by(IndexRun.started_at.desc(), IndexRun.id.desc())
                      .limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [run_json(r) for r in rows],
            "_meta": page_meta(page, per_page, total, len(rows))}


@api.get("/index/runs/<int:run_id>")
@login_required(role="staff")
def api_run(run_id: int):
    run = get_session().get(IndexRun, run_id)
    if run is None:
        return error_response(404, f"no index run {run_id}")
    return run_json(run)


# --- overview -------------------------------------------------------------------------------

def _expiring_where(today: date):
    """Profiles with a certificate expired, expiring within the warning window, or undated."""
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return SupplierProfile.id.in_(
        select(Certification.profile_id).where(
            or_(Certification.valid_until.is_(None), Certification.valid_until <= soon)))


@bp.get("")
@login_required(role="staff")
def overview():
    db = get_session()
    today = date.today()
    counts = {
        "profiles": db.scalar(select(func.count(SupplierProfile.id))) or 0,
        "verified": db.scalar(select(func.count(SupplierProfile.id))
                              .where(SupplierProfile.verified.is_(True))) or 0,
        "expiring": db.scalar(select(func.count(SupplierProfile.id))
                              .where(_expiring_where(today))) or 0,
        "searches_30d": db.scalar(select(func.count(SearchLog.id)).where(
            SearchLog.created_at >= utcnow() - timedelta(days=30))) or 0,
        "gaps_30d": db.scalar(select(func.count(SearchLog.id)).where(
            SearchLog.created_at >= utcnow() - timedelta(days=30),
            SearchLog.good_match.is_(False))) or 0,
    }
    return render_template("staff/overview.html", counts=counts, status=index_status())


# --- import and export ----------------------------------------------------------------------

def _import_limit() -> int:
    return int(current_app.config["IMPORT_MAX_MB"] * 1024 * 1024)


def allow_import_upload() -> None:
    """Let the import form's upload be as large as ``import-profiles`` accepts.

    Runs before CSRF protection reads the form, which would otherwise stop the
    body at the app's general request limit (KETNOI_MAX_REQUEST_KB).
    """
    if request.endpoint == "staff.import_page" and request.method == "POST":
        request.max_content_length = _import_limit() + 1024 * 1024  # the file plus the form


@bp.route("/import", methods=["GET", "POST"])
@login_required(role="staff")
def import_page():
    if request.method == "GET":
        return render_template("staff/import.html", report=None, error=None,
                               formats=sorted(FORMATS), max_mb=current_app.config[
                                   "IMPORT_MAX_MB"])
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    valid_only = request.form.get("valid_only") == "1"
    keep_sample = request.form.get("keep_sample") == "1"
    error = report = None
    suffix = Path(upload.filename or "").suffix.lower() if upload else ""
    if upload is None or not upload.filename:
        error = _("Vui lòng chọn một tệp để nhập.")
    elif suffix not in FORMATS:
        error = _("Định dạng tệp không được hỗ trợ (%(suffix)s). Hãy dùng %(formats)s.",
                  suffix=suffix or "?", formats=", ".join(sorted(FORMATS)))
    else:
        with tempfile.TemporaryDirectory(prefix="ketnoi-import-") as tmp:
            # the name keeps only the extension: the uploaded name never becomes a path
            path = Path(tmp) / f"upload{suffix}"
            upload.save(path)
            try:
                report = import_profiles(get_session(), path, dry_run=dry_run,
                                         valid_only=valid_only, max_bytes=_import_limit(),
                                         keep_sample=keep_sample,
                                         account_id=current_account().id)
            except ImportFileError as exc:
                error = _("Không thể đọc tệp: %(why)s", why=str(exc))
        if report is not None:
            report.path = upload.filename
            current_app.logger.info("staff %s imported %s: %s", current_account().email,
                                    upload.filename, report.summary())
    status = 400 if error or (report is not None and report.errors and not report.committed) \
        else 200
    return render_template("staff/import.html", report=report, error=error,
                           errors_shown=MAX_ERRORS_SHOWN, dry_run=dry_run,
                           valid_only=valid_only, keep_sample=keep_sample,
                           formats=sorted(FORMATS),
                           max_mb=current_app.config["IMPORT_MAX_MB"]), status


@bp.get("/export")
@login_required(role="staff")
def export():
    kind = request.args.get("format", "csv")
    if kind not in EXPORT_TYPES:
        abort(400, description=f"format must be one of {', '.join(EXPORT_TYPES)}")
    fd, name = tempfile.mkstemp(prefix="ketnoi-export-", suffix=f".{kind}")
    os.close(fd)
    try:
        count = export_profiles(get_session(), name)
    except BaseException:
        os.unlink(name)
        raise
    current_app.logger.info("staff %s exported %d profiles as %s", current_account().email,
                            count, kind)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    response = send_file(name, mimetype=EXPORT_TYPES[kind], as_attachment=True,
                         download_name=f"ketnoi-profiles-{stamp}.{kind}", max_age=0)
    response.call_on_close(lambda: os.unlink(name))  # streamed from disk, then removed
    return response


# --- profiles: verification and certificate warnings ----------------------------------------

@bp.get("/profiles")
@login_required(role="staff")
def profiles_page():
    page, per_page = page_args(strict=False)
    which = request.args.get("filter", "all")
    if which not in PROFILE_FILTERS:
        which = "all"
    text = normalize(request.args.get("q", ""))[:200].strip()
    today = date.today()
    where = []
    if which == "unverified":
        where.append(SupplierProfile.verified.is_(False))
    elif which == "verified":
        where.append(SupplierProfile.verified.is_(True))
    elif which == "expiring":
        where.append(_expiring_where(today))
    if text:
        like = f"%{text}%"
        where.append(or_(SupplierProfile.name.ilike(like),
                         SupplierProfile.external_id.ilike(like),
                         SupplierProfile.tax_code.ilike(like)))
    db = get_session()
    condition = and_(*where) if where else None
    count_q = select(func.count(SupplierProfile.id))
    rows_q = (select(SupplierProfile).options(selectinload(SupplierProfile.certifications))
              .order_by(SupplierProfile.verified, SupplierProfile.updated_at.desc(),
                        SupplierProfile.id))
    if condition is not None:
        count_q, rows_q = count_q.where(condition), rows_q.where(condition)
    total = db.scalar(count_q) or 0
    rows = db.scalars(rows_q.limit(per_page).offset((page - 1) * per_page)).all()
    return render_template(
        "staff/profiles.html", rows=[(p, certificate_warnings(p.certifications, today))
                                     for p in rows],
        total=total, page=page, last=max(1, -(-total // per_page)), which=which, q=text,
        filters=PROFILE_FILTERS, format_day=format_day)


@bp.post("/profiles/<external_id>/verify")
@login_required(role="staff")
def verify(external_id: str):
    db = get_session()
    profile = db.scalar(select(SupplierProfile).where(SupplierProfile.external_id == external_id))
    if profile is None:
        abort(404)
    verified = request.form.get("verified") == "1"
    set_verified(db, profile, verified, account_id=current_account().id,
                 publish=get_catalog().apply_saved)
    flash(_("Đã xác minh hồ sơ %(name)s.", name=profile.name) if verified else
          _("Đã bỏ xác minh hồ sơ %(name)s.", name=profile.name))
    back = local_path(request.form.get("next"))
    if not back or not back.startswith("/staff/"):
        back = url_for("staff.profiles_page")
    return redirect(back)


# --- search analytics -----------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def query_key(text: str) -> str:
    """Queries that differ only in case, spacing or diacritics count as one."""
    return fold(_SPACES.sub(" ", normalize(text)).strip().casefold())


def _grouped(rows) -> list[dict]:
    """Merge (query, searches, mean results, last) rows by :func:`query_key`."""
    merged: dict[str, dict] = {}
    spellings: dict[str, Counter] = defaultdict(Counter)
    for query, searches, results, last in rows:
        key = query_key(query)
        if not key:
            continue
        spellings[key][query] += searches
        entry = merged.setdefault(key, {"searches": 0, "results_sum": 0.0, "last": last})
        entry["searches"] += searches
        entry["results_sum"] += (results or 0.0) * searches
        entry["last"] = max(entry["last"], last)
    out = []
    for key, entry in merged.items():
        out.append({"query": spellings[key].most_common(1)[0][0], "key": key,
                    "searches": entry["searches"],
                    "mean_results": round(entry["results_sum"] / entry["searches"], 1),
                    "last": entry["last"].isoformat(timespec="minutes")})
    out.sort(key=lambda e: (-e["searches"], e["key"]))
    return out


def search_analytics(days: int, top: int = TOP_QUERIES) -> dict[str, Any]:
    """Searches, the most asked queries, queries with no good match (supply gaps),
    clicks, shortlists and contacts over the last ``days`` days."""
    db = get_session()
    since = utcnow() - timedelta(days=days)
    recent = SearchLog.created_at >= since

    def by_query(*where):
        return db.execute(
            select(SearchLog.query, func.count(SearchLog.id), func.avg(SearchLog.result_count),
                   func.max(SearchLog.created_at))
            .where(recent, *where).group_by(SearchLog.query)).all()

    searches = db.scalar(select(func.count(SearchLog.id)).where(recent)) or 0
    judged = db.scalar(select(func.count(SearchLog.id))
                       .where(recent, SearchLog.good_match.is_not(None))) or 0
    gaps_count = db.scalar(select(func.count(SearchLog.id))
                           .where(recent, SearchLog.good_match.is_(False))) or 0
    took = db.scalar(select(func.avg(SearchLog.took_ms)).where(recent))
    top_queries = _grouped(by_query())
    gaps = _grouped(by_query(SearchLog.good_match.is_(False)))
    # a query is a supply gap when most of its searches found no good match
    total_by_key = {e["key"]: e["searches"] for e in top_queries}
    for gap in gaps:
        gap["share"] = round(gap["searches"] / max(1, total_by_key.get(gap["key"], 0)), 2)
    gaps = [g for g in gaps if g["share"] >= 0.5]

    since_i = Interaction.created_at >= since
    kinds = dict(db.execute(select(Interaction.kind, func.count(Interaction.id))
                            .where(since_i).group_by(Interaction.kind)).all())
    clicked_searches = db.scalar(
        select(func.count(func.distinct(Interaction.search_log_id)))
        .where(since_i, Interaction.kind == InteractionKind.CLICK,
               Interaction.search_log_id.is_not(None))) or 0
    mean_click_rank = db.scalar(select(func.avg(Interaction.rank)).where(
        since_i, Interaction.kind == InteractionKind.CLICK, Interaction.rank.is_not(None)))
    top_suppliers = [
        {"external_id": ext, "name": name, "contacts": int(contacts or 0),
         "shortlists": int(shortlists or 0), "clicks": int(clicks or 0)}
        for ext, name, contacts, shortlists, clicks in db.execute(
            select(SupplierProfile.external_id, SupplierProfile.name,
                   *(func.sum(case((Interaction.kind == kind, 1), else_=0))
                     for kind in (InteractionKind.CONTACT, InteractionKind.SHORTLIST,
                                  InteractionKind.CLICK)))
            .join(Interaction, Interaction.profile_id == SupplierProfile.id)
            .where(since_i).group_by(SupplierProfile.id, SupplierProfile.external_id,
                                     SupplierProfile.name)
            .order_by(func.count(Interaction.id).desc(), SupplierProfile.external_id)
            .limit(10)).all()]
    return {
        "days": days, "since": since.isoformat(timespec="minutes"),
        "searches": searches, "judged": judged, "no_good_match": gaps_count,
        "no_good_match_share": round(gaps_count / judged, 3) if judged else None,
        "mean_took_ms": round(took, 1) if took is not None else None,
        "distinct_queries": len(top_queries),
        "top_queries": top_queries[:top], "supply_gaps": gaps[:top],
        "interactions": {"clicks": kinds.get(InteractionKind.CLICK, 0),
                         "shortlists": kinds.get(InteractionKind.SHORTLIST, 0),
                         "contacts": kinds.get(InteractionKind.CONTACT, 0)},
        "click_through": round(clicked_searches / searches, 3) if searches else None,
        "mean_click_rank": round(mean_click_rank, 2) if mean_click_rank is not None else None,
        "top_suppliers": top_suppliers,
    }


def _days_arg(strict: bool) -> int:
    raw = request.args.get("days", "30")
    if raw.isdigit() and int(raw) in ANALYTICS_DAYS:
        return int(raw)
    if strict:
        raise BadPage(f"days must be one of {', '.join(map(str, ANALYTICS_DAYS))}")
    return 30


@bp.get("/analytics")
@login_required(role="staff")
def analytics_page():
    days = _days_arg(strict=False)
    return render_template("staff/analytics.html", data=search_analytics(days),
                           periods=ANALYTICS_DAYS)


@api.get("/analytics")
@login_required(role="staff")
def api_analytics():
    try:
        days = _days_arg(strict=True)
    except BadPage as exc:
        return error_response(400, str(exc), {"days": str(exc)})
    return search_analytics(days)


def init_app(app) -> None:
    from .security import csrf

    csrf.exempt(api)  # JSON API: session cookie (SameSite=Lax) and role checks
    app.before_request(allow_import_upload)
    app.register_blueprint(bp)
    app.register_blueprint(api)
