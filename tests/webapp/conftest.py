"""Fixtures for web app tests: an app over the small supplier set, real model."""

from __future__ import annotations

import json

import pytest

from webapp import create_app

# sector and main process of each supplier in tests/conftest.py's SUPPLIERS
FIELDS = {
    1: ("mechanical", "cnc_machining"), 2: ("rubber_plastics", "plastic_injection"),
    3: ("rubber_plastics", "plastic_bag_film"), 4: ("mechanical", "sheet_metal_stamping"),
    5: ("electronics", "pcb_assembly_smt"), 6: ("electronics", "wire_harness"),
    7: ("rubber_plastics", "rubber_molding"), 8: ("leather_footwear", "sole_molding"),
    9: ("packaging_printing", "offset_printing"), 10: ("packaging_printing", "carton_packaging"),
    11: ("mechanical", "cnc_machining"), 12: ("mechanical", "mold_making"),
}


def write_corpus(root, suppliers) -> str:
    """The small supplier set as a sample corpus file under ``root``."""
    corpus = root / "suppliers.jsonl"
    with open(corpus, "w", encoding="utf-8") as fh:
        for i, text in suppliers.items():
            sector, process = FIELDS[i]
            fh.write(json.dumps({"external_id": f"SUP-{i:05d}", "name": f"Công ty mẫu {i}",
                                 "description": text, "sector": sector, "processes": [process],
                                 "location": {"park": "KCN Tân Tạo"},
                                 "certifications": [{"name": "ISO 9001"}]},
                                ensure_ascii=False) + "\n")
    return str(corpus)


def make_app(root, suppliers, **extra):
    """An app over the small supplier set in ``root``; ``extra`` overrides settings."""
    # the sample corpus goes through the profile store, like the real one
    return create_app({"TESTING": True, "SAMPLE_CORPUS": write_corpus(root, suppliers),
                       "DATABASE_URL": f"sqlite:///{root / 'ketnoi.sqlite3'}",
                       "INDEX_DIR": str(root / "index"), "OUTBOX_DIR": str(root / "outbox"),
                       **extra})


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    import os

    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("app"), suppliers)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


@pytest.fixture()
def client(app):
    return app.test_client()




PASSWORD = "mat-khau-du-dai-42"


def add_account(app, email: str, role: str, external_id: str | None = None) -> int:
    """An account with :data:`PASSWORD`, linked to the profile ``external_id`` if given."""
    from sqlalchemy import select

    from recommender.store.models import EnterpriseAccount, SupplierProfile
    from webapp.passwords import hash_password

    with app.app_context():
        with app.extensions["ketnoi_db"].sessions() as session:
            profile_id = None if external_id is None else session.scalar(
                select(SupplierProfile.id).where(SupplierProfile.external_id == external_id))
            account = EnterpriseAccount(email=email, role=role, profile_id=profile_id,
                                        password_hash=hash_password(PASSWORD))
            session.add(account)
            session.commit()
            return account.id


def login(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password})
