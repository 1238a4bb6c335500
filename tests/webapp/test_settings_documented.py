"""Every ``KETNOI_*`` setting the code reads is documented in a settings table."""

from __future__ import annotations

import re
from pathlib import Path

import recommender.config
import recommender.faults
import webapp
import webapp.gunicorn_conf
import webapp.mail
import webapp.security
import webapp.serving

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"webapp/__init__.py": webapp.__doc__, "recommender/config.py":
          recommender.config.__doc__, "webapp/security.py": webapp.security.__doc__,
          "webapp/gunicorn_conf.py": webapp.gunicorn_conf.__doc__,
          "webapp/serving.py": webapp.serving.__doc__,
          "recommender/faults.py": recommender.faults.__doc__,
          "webapp/mail.py": webapp.mail.__doc__}


def test_every_setting_is_documented() -> None:
    used = {name for folder in ("webapp", "recommender") for path in (ROOT / folder).rglob("*.py")
            for name in re.findall(r"\bKETNOI_[A-Z0-9_]+", path.read_text(encoding="utf-8"))}
    assert "KETNOI_REBUILD_CRON" in used  # the scan is not blind
    documented = {name for doc in TABLES.values()
                  for name in re.findall(r"``(KETNOI_[A-Z0-9_]+)``", doc or "")}
    missing = sorted(used - documented)
    assert not missing, f"settings missing from the tables in {', '.join(TABLES)}: {missing}"
