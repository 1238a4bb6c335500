"""The search index for staff: versions (promoted, previous, served here), rebuild
runs, retrain now, rollback and unpin, as pages and as ``/api/v1/index/...``.

Retraining runs as a background job (:mod:`recommender.serving.rebuild`) holding
a lease in the database, so a click here, the scheduler and ``flask --app webapp
index rebuild`` never run two rebuilds at once; the page shows the running job's
progress and refreshes itself until it ends.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from recommender.store.models import IndexRun
from recommender.versions import (
    GATE_METRIC,
    IndexVersion,
    UnsafeVersionError,
    VersionNotFoundError,
)

from ..auth import current_account, login_required
from ..catalog import get_catalog
from ..db import get_session
from ..errors import api_error, one_of
from ..paging import BadPage, page_args, page_meta
from .blueprints import api, bp
from .index_text import index_note

bp.add_app_template_filter(index_note, "index_note")


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

    from ..jobs import start_rebuild

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
        flash(_("Chưa thể huấn luyện lại: %(why)s", why=index_note(busy)))
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
        flash(_("Không thể quay lại phiên bản này: %(why)s", why=index_note(str(exc))))
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
        return api_error("bad_body", {"force": one_of(("true", "false"))},
                         expected='{"force": true|false}')
    run_id, busy = _start_rebuild(force=data.get("force", False))
    if busy:
        return api_error("rebuild_busy")
    run = get_session().get(IndexRun, run_id)
    return run_json(run), 202, {"Location": url_for("staff_api.api_run", run_id=run_id)}


@api.get("/index/runs")
@login_required(role="staff")
def api_runs():
    try:
        page, per_page = page_args(strict=True)
    except BadPage as exc:
        return api_error("bad_page", problem=str(exc))
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
        return api_error("run_not_found", id=run_id)
    return run_json(run)
