"""Staff import and export of supplier profiles (CSV, JSONL, XLSX) through
:mod:`recommender.store.importer` and :mod:`recommender.store.exporter`."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, render_template, request, send_file
from flask_babel import gettext as _

from recommender.store.exporter import export_profiles
from recommender.store.importer import FORMATS, ImportFileError, import_profiles
from recommender.store.notes import note_of

from ..auth import current_account, login_required
from ..db import get_session
from .blueprints import bp
from .report_text import note_text, renamed, row_problem

bp.add_app_template_filter(row_problem, "row_problem")

MAX_ERRORS_SHOWN = 200
"""Row errors listed on the import result page (the summary counts them all)."""
EXPORT_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
                error = _("Không thể đọc tệp: %(why)s",
                          why=note_text(renamed(note_of(exc), upload.filename)))
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
