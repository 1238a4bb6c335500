"""Outgoing e-mail: through SMTP when configured, else into the instance's outbox folder.

Without ``KETNOI_SMTP_HOST`` (development, tests, a demo) every message is
written as an ``.eml`` file to ``instance/outbox/`` and the page that sent it
says where (outside production), so a developer can read the one-time code.

| variable | default | meaning |
|---|---|---|
| ``KETNOI_SMTP_HOST`` | unset: to ``instance/outbox/`` | SMTP server for outgoing mail |
| ``KETNOI_SMTP_PORT`` | ``587`` | its port (``465``: implicit TLS) |
| ``KETNOI_SMTP_USER`` | unset | login name, when the server needs one |
| ``KETNOI_SMTP_PASSWORD`` | unset | its password |
| ``KETNOI_SMTP_STARTTLS`` | ``1`` | upgrade the connection with STARTTLS (port 587) |
| ``KETNOI_MAIL_FROM`` | ``KếtNối <no-reply@ketnoi.local>`` | the sender address |
"""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


def outbox_dir() -> Path:
    """``OUTBOX_DIR`` in the config, else ``outbox/`` in the instance folder."""
    return Path(current_app.config.get("OUTBOX_DIR") or
                Path(current_app.instance_path) / "outbox")


def send_mail(to: str, subject: str, body: str) -> Path | None:
    """Send a plain-text message; returns the outbox file when no SMTP server is set."""
    message = EmailMessage()
    message["From"] = os.environ.get("KETNOI_MAIL_FROM", "KếtNối <no-reply@ketnoi.local>")
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="ketnoi.local")
    message.set_content(body)
    host = os.environ.get("KETNOI_SMTP_HOST", "").strip()
    if not host:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-" \
                        f"{uuid.uuid4().hex[:8]}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(message))
        os.replace(tmp, path)
        current_app.logger.info("mail to %s written to %s (no SMTP server set)", to, path)
        return path
    port = int(os.environ.get("KETNOI_SMTP_PORT", "587"))
    user = os.environ.get("KETNOI_SMTP_USER", "")
    password = os.environ.get("KETNOI_SMTP_PASSWORD", "")
    starttls = os.environ.get("KETNOI_SMTP_STARTTLS", "1").strip().lower() in {"1", "true",
                                                                              "yes", "on"}
    context = ssl.create_default_context()
    if port == 465:
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, context=context, timeout=20)
    else:
        server = smtplib.SMTP(host, port, timeout=20)
    with server:
        if starttls and port != 465:
            server.starttls(context=context)
        if user:
            server.login(user, password)
        server.send_message(message)
    current_app.logger.info("mail to %s sent through %s", to, host)
    return None


def send_claim_code(to: str, profile_name: str, code: str, claimant: str) -> Path | None:
    """E-mail the one-time code that proves a claimant controls the profile's e-mail."""
    body = (f"Tài khoản {claimant} vừa xin quyền quản lý hồ sơ của {profile_name} trên "
            f"KếtNối.\n\nMã xác nhận: {code}\n\nMã có hiệu lực 24 giờ. Nếu không phải "
            "doanh nghiệp của bạn gửi yêu cầu này, hãy bỏ qua thư: không ai được sửa hồ sơ "
            "khi chưa có mã hoặc chưa được cán bộ duyệt.\n\n"
            f"Account {claimant} asked to manage the profile of {profile_name} on KếtNối. "
            f"Confirmation code: {code} (valid for 24 hours). If this was not your company, "
            "ignore this message.\n")
    return send_mail(to, f"KếtNối: mã xác nhận quyền quản lý hồ sơ ({code})", body)
