"""KếtNối web app: a thin Flask adapter over :mod:`recommender`.

``create_app`` follows the Flask tutorial's factory: settings from
``test_config`` or ``KETNOI_*`` environment variables, data in the instance
folder. The supplier index is built (or loaded) in the background after the
process starts, so web workers never fork with a loaded model.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("KETNOI_SECRET_KEY", "dev-only-change-me"),
        SAMPLE_CORPUS=os.environ.get(
            "KETNOI_SAMPLE_CORPUS", str(REPO_ROOT / "corpora" / "sample_suppliers.jsonl")),
        INDEX_DIR=os.path.join(app.instance_path, "index"),
        BUILD_INDEX_ON_START=True,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=1 << 20,
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.ensure_ascii = False

    from . import catalog, errors, search

    catalog.init_app(app)
    errors.init_app(app)
    app.register_blueprint(search.bp)
    return app
