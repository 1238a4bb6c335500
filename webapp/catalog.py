"""The supplier profiles the app searches and the hybrid index over them.

Until the profile store lands, profiles come from the sample corpus
(``corpora/sample_suppliers.jsonl``). The index is built once into the
instance folder and loaded on later starts; building runs in a background
thread so the app answers (with a clear "not ready" error) meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@dataclass
class SupplierProfile:
    """The fields of a profile the search results show."""

    doc_id: int
    external_id: str
    name: str
    description: str
    sector: str | None = None
    processes: list[str] = field(default_factory=list)
    certifications: list[dict] = field(default_factory=list)
    location: dict | None = None

    @property
    def search_text(self) -> str:
        return f"{self.name}. {self.description}"


def read_profiles(path: str | Path) -> list[SupplierProfile]:
    """Profiles from a JSON-lines file (one object per line)."""
    profiles = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            profiles.append(SupplierProfile(
                doc_id=n, external_id=row["external_id"], name=row["name"],
                description=row.get("description", ""), sector=row.get("sector"),
                processes=list(row.get("processes") or []),
                certifications=list(row.get("certifications") or []),
                location=row.get("location"),
            ))
    return profiles


class Catalog:
    """Profiles plus their :class:`~recommender.search.HybridIndex`, per process."""

    def __init__(self, corpus: str, index_dir: str) -> None:
        self.corpus, self.index_dir = corpus, Path(index_dir)
        self.profiles: dict[int, SupplierProfile] = {}
        self.index = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self.index is not None

    def start(self) -> None:
        """Load or build the index in a background thread (idempotent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._load_or_build, daemon=True,
                                                name="ketnoi-index")
                self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        self.start()
        assert self._thread is not None
        self._thread.join(timeout)
        return self.ready

    def _load_or_build(self) -> None:
        try:
            self.load_or_build()
        except Exception as exc:  # shown to users as "search unavailable"
            log.exception("building the supplier index failed")
            self.error = str(exc)

    def load_or_build(self) -> None:
        from recommender.config import RetrievalConfig
        from recommender.embed.encoder import load_encoder
        from recommender.search import HybridIndex

        profiles = read_profiles(self.corpus)
        config = RetrievalConfig.from_env()
        encoder = load_encoder(config)
        try:
            index = HybridIndex.load(self.index_dir, encoder, config)
            if len(index) != len(profiles):
                raise ValueError("index and corpus differ in size")
            log.info("loaded the supplier index from %s", self.index_dir)
        except Exception as exc:  # missing, stale or damaged: rebuild
            log.info("building the supplier index (%s)", exc)
            index = HybridIndex.build(encoder, [p.doc_id for p in profiles],
                                      [p.search_text for p in profiles], config)
            index.save(self.index_dir)
        self.profiles = {p.doc_id: p for p in profiles}
        self.index = index


def get_catalog() -> Catalog:
    return current_app.extensions["ketnoi_catalog"]


@click.command("build-index", help="Build the supplier search index now (otherwise the app "
               "builds it in the background on first start) and report its size.")
@with_appcontext
def build_index_command() -> None:
    catalog = get_catalog()
    catalog.load_or_build()
    click.echo(f"indexed {len(catalog.profiles)} profiles into {catalog.index_dir}")


def init_app(app: Flask) -> None:
    catalog = Catalog(app.config["SAMPLE_CORPUS"], app.config["INDEX_DIR"])
    app.extensions["ketnoi_catalog"] = catalog
    app.cli.add_command(build_index_command)
    if app.config["BUILD_INDEX_ON_START"]:
        # start lazily on the first request: after any fork by the server
        app.before_request(catalog.start)
