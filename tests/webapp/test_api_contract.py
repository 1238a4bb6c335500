"""The OpenAPI document is valid, complete, and true of real responses."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate

from webapp.apidocs import load_spec, resolve

from .conftest import add_account, login, make_app

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    import os

    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("contract"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def _template(rule: str) -> str:
    """``/x/<int:id>`` as OpenAPI writes it: ``/x/{id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_valid_openapi_31() -> None:
    spec = load_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_api_route_is_documented_and_nothing_else(app) -> None:
    served = {(_template(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods & METHODS}
    documented = {(path, method) for path, item in load_spec()["paths"].items()
                  for method in item if method.upper() in METHODS}
    assert served - documented == set(), "routes missing from webapp/openapi.yaml"
    assert documented - served == set(), "documented routes the app does not serve"


def check(response, path: str, method: str = "get", status: int = 200) -> dict:
    """Assert ``response`` has ``status``, documented for the operation, and matches its schema."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    spec = load_spec()
    operation = spec["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered undocumented {status}"
    documented = resolve(spec, operation["responses"][status])
    schema = documented["content"]["application/json"]["schema"]
    assert response.mimetype == "application/json"
    body = response.get_json()
    # the operation's schema with the document's components, so its $refs resolve
    Draft202012Validator({**schema, "components": spec["components"]},
                         format_checker=FormatChecker()).validate(body)
    return body


def test_error_schema_rejects_other_shapes() -> None:
    spec = load_spec()
    error = Draft202012Validator({"$ref": "#/components/schemas/Error",
                                  "components": spec["components"]})
    assert error.is_valid({"error": {"status": 404, "code": "supplier_not_found",
                                     "message": "no supplier"}})
    assert not error.is_valid({"message": "no supplier"})
    assert not error.is_valid({"error": {"status": 404, "code": "not_found"}})
    assert not error.is_valid({"error": {"status": 404, "message": "no supplier"}})
    assert not error.is_valid({"error": {"status": 404, "code": "oops", "message": "x"}})
    assert not error.is_valid({"error": {"status": 404, "code": "not_found", "message": "x",
                                         "trace": "..."}})


def test_search_responses_match_the_document(client) -> None:
    body = check(client.get("/api/v1/search?q=gia công CNC inox có ISO 9001"), "/api/v1/search")
    assert body["items"] and body["items"][0]["external_id"] in {"SUP-00001", "SUP-00011"}
    body = check(client.get("/api/v1/search?q=precision machining&k=3"), "/api/v1/search")
    assert len(body["items"]) == 3 and body["_meta"]["count"] == 3
    for bad in ("/api/v1/search?q=", "/api/v1/search?q=x&k=abc", "/api/v1/search?q=x&k=0",
                "/api/v1/search?q=x&k=5000"):
        assert check(client.get(bad), "/api/v1/search", status=400)["error"]["status"] == 400


def test_supplier_responses_match_the_document(app, client) -> None:
    path = "/api/v1/suppliers/{external_id}"
    check(client.get("/api/v1/suppliers/SUP-00003"), path)
    assert check(client.get("/api/v1/suppliers/SUP-99999"), path,
                 status=404)["error"]["status"] == 404
    change = {"description": "Túi nhựa PE, màng co cho siêu thị và thực phẩm."}
    check(client.patch("/api/v1/suppliers/SUP-00003", json=change), path, "patch", 401)
    add_account(app, "contract3@example.vn", "enterprise", "SUP-00003")
    login(client, "contract3@example.vn")
    check(client.patch("/api/v1/suppliers/SUP-00003", json=change), path, "patch")
    body = check(client.patch("/api/v1/suppliers/SUP-00003", json={"processes": 5}),
                 path, "patch", 400)
    assert set(body["error"]["fields"]) == {"processes"}
    check(client.patch("/api/v1/suppliers/SUP-00004", json=change), path, "patch", 403)
    check(client.patch("/api/v1/suppliers/SUP-00003", data="x" * (2 << 20),
                       content_type="application/json"), path, "patch", 413)


def test_policy_responses_match_the_document(app, client) -> None:
    body = check(client.get("/api/v1/policies?as_of=2026-06-01"), "/api/v1/policies")
    assert body["items"] and body["_meta"]["count"] == len(body["items"])
    check(client.get("/api/v1/policies?audience=buyer"), "/api/v1/policies")
    check(client.get("/api/v1/policies?audience=everyone"), "/api/v1/policies", status=400)
    check(client.get("/api/v1/policies?as_of=tomorrow"), "/api/v1/policies", status=400)
    path = "/api/v1/suppliers/{external_id}/policies"
    body = check(client.get("/api/v1/suppliers/SUP-00005/policies?plans=mở rộng dây chuyền SMT"),
                 path)
    assert body["items"] and body["_meta"]["relevance"] is True
    check(client.get("/api/v1/suppliers/SUP-00005/policies?relevance=0"), path)
    check(client.get("/api/v1/suppliers/SUP-00005/policies?activities=flying"), path,
          status=400)
    check(client.get("/api/v1/suppliers/NOPE/policies"), path, status=404)
    path = "/api/v1/buyers/{buyer_id}/policies"
    check(client.get("/api/v1/buyers/1/policies"), path, status=401)
    add_account(app, "contract-dn@example.vn", "enterprise", "SUP-00006")
    login(client, "contract-dn@example.vn")
    check(client.get("/api/v1/buyers/1/policies"), path, status=403)
    buyer_id = _buyer_account(app, "contract-buyer@example.vn")
    login(client, "contract-buyer@example.vn")
    body = check(client.get(f"/api/v1/buyers/{buyer_id}/policies"), path)
    assert body["_meta"]["buyer"]["id"] == buyer_id
    check(client.get(f"/api/v1/buyers/{buyer_id + 1000}/policies"), path, status=403)
    add_account(app, "contract-staff@example.vn", "staff")
    login(client, "contract-staff@example.vn")
    check(client.get(f"/api/v1/buyers/{buyer_id}/policies"), path)
    check(client.get(f"/api/v1/buyers/{buyer_id + 1000}/policies"), path, status=404)


def _buyer_account(app, email: str) -> int:
    from recommender.store.models import Buyer, EnterpriseAccount
    from webapp.passwords import hash_password

    from .conftest import PASSWORD

    with app.app_context(), app.extensions["ketnoi_db"].sessions() as session:
        buyer = Buyer(company="Công ty Mua Hàng", email=email)
        session.add(buyer)
        session.flush()
        session.add(EnterpriseAccount(email=email, role="buyer", buyer_id=buyer.id,
                                      password_hash=hash_password(PASSWORD)))
        session.commit()
        return buyer.id


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/docs"])
def test_documentation_is_public(client, path: str) -> None:
    res = client.get(path)
    assert res.status_code == 200


def test_openapi_json_is_the_document(client) -> None:
    assert check(client.get("/api/v1/openapi.json"), "/api/v1/openapi.json") == load_spec()


def test_docs_page_lists_every_operation_without_outside_assets(client) -> None:
    page = client.get("/api/docs").get_data(as_text=True)
    for path, item in load_spec()["paths"].items():
        for method in item:
            if method.upper() in METHODS:
                assert f"{method.upper()} {path}" in page
    for name in load_spec()["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "<script" not in page
    assert not re.search(r"""(?:src|href)=["']https?://""", page)


def test_buyer_shortlist_and_request_responses_match_the_document(app, client) -> None:
    check(client.get("/api/v1/shortlist"), "/api/v1/shortlist", status=401)
    _buyer_account(app, "contract-shortlist@example.vn")
    login(client, "contract-shortlist@example.vn")
    added = check(client.post("/api/v1/shortlist", json={"external_id": "SUP-00002",
                                                         "note": "<b>gọi lại</b>"}),
                  "/api/v1/shortlist", "post", 201)
    assert added["note"] == "<b>gọi lại</b>"  # stored as text; escaped when shown
    check(client.post("/api/v1/shortlist", json={"external_id": "SUP-00002"}),
          "/api/v1/shortlist", "post", 200)
    check(client.post("/api/v1/shortlist", json={"id": 2}), "/api/v1/shortlist", "post", 400)
    check(client.post("/api/v1/shortlist", json={"external_id": "SUP-99999"}),
          "/api/v1/shortlist", "post", 404)
    page = check(client.get("/api/v1/shortlist"), "/api/v1/shortlist")
    assert [e["external_id"] for e in page["items"]] == ["SUP-00002"]
    assert page["_meta"]["count"] == 1
    path = "/api/v1/shortlist/{external_id}"
    assert client.delete("/api/v1/shortlist/SUP-00002").status_code == 204
    check(client.delete("/api/v1/shortlist/SUP-00002"), path, "delete", 404)

    created = check(client.post("/api/v1/requests", json={
        "title": "Gia công CNC", "text": "gia công CNC nhôm, dung sai 0,01 mm",
        "certifications": ["ISO 9001"]}), "/api/v1/requests", "post", 201)
    check(client.post("/api/v1/requests", json={"title": "x", "colour": "red"}),
          "/api/v1/requests", "post", 400)
    listed = check(client.get("/api/v1/requests"), "/api/v1/requests")
    assert [r["id"] for r in listed["items"]] == [created["id"]]
    one = check(client.get(f"/api/v1/requests/{created['id']}"), "/api/v1/requests/{request_id}")
    assert one["matches"] == created["matches"]
    check(client.get(f"/api/v1/requests/{created['id'] + 999}"), "/api/v1/requests/{request_id}",
          status=404)
    add_account(app, "contract-dn2@example.vn", "enterprise", "SUP-00007")
    login(client, "contract-dn2@example.vn")
    check(client.get("/api/v1/requests"), "/api/v1/requests", status=403)


def test_staff_index_and_analytics_responses_match_the_document(app, client) -> None:
    import time

    check(client.get("/api/v1/index/status"), "/api/v1/index/status", status=401)
    add_account(app, "contract-hepza@example.vn", "staff")
    login(client, "contract-hepza@example.vn")
    status = check(client.get("/api/v1/index/status"), "/api/v1/index/status")
    assert status["current"]["version_id"] == app.extensions["ketnoi_catalog"].version
    started = check(client.post("/api/v1/index/rebuild", json={"force": True}),
                    "/api/v1/index/rebuild", "post", 202)
    busy = client.post("/api/v1/index/rebuild")
    if busy.status_code != 202:  # the first run may already have finished
        check(busy, "/api/v1/index/rebuild", "post", 409)
    check(client.post("/api/v1/index/rebuild", json={"force": 1}), "/api/v1/index/rebuild",
          "post", 400)
    path = "/api/v1/index/runs/{run_id}"
    deadline = time.monotonic() + 300
    while (run := check(client.get(f"/api/v1/index/runs/{started['id']}"), path))["status"] \
            == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert run["status"] == "promoted", run
    check(client.get("/api/v1/index/runs/999999"), path, status=404)
    runs = check(client.get("/api/v1/index/runs?per_page=2"), "/api/v1/index/runs")
    assert runs["_meta"]["per_page"] == 2
    check(client.get("/api/v1/index/runs?page=0"), "/api/v1/index/runs", status=400)
    check(client.get("/api/v1/index/status"), "/api/v1/index/status")
    client.get("/api/v1/search?q=gia công CNC")
    data = check(client.get("/api/v1/analytics?days=90"), "/api/v1/analytics")
    assert data["searches"] >= 1
    check(client.get("/api/v1/analytics?days=2"), "/api/v1/analytics", status=400)
    _buyer_account(app, "contract-buyer-staffapi@example.vn")
    login(client, "contract-buyer-staffapi@example.vn")
    check(client.get("/api/v1/index/status"), "/api/v1/index/status", status=403)


def test_search_page_size_limits_are_the_documented_ones(client) -> None:
    from webapp.search import DEFAULT_PER_PAGE, MAX_PER_PAGE

    spec = load_spec()
    params = {p["name"]: p for p in (resolve(spec, p) for p in
                                     spec["paths"]["/api/v1/search"]["get"]["parameters"])}
    for name in ("per_page", "k"):
        schema = params[name]["schema"]
        assert (schema["maximum"], schema["default"]) == (MAX_PER_PAGE, DEFAULT_PER_PAGE)
        ok = client.get("/api/v1/search", query_string={"q": "nhựa", name: MAX_PER_PAGE})
        assert ok.status_code == 200
        over = client.get("/api/v1/search", query_string={"q": "nhựa", name: MAX_PER_PAGE + 1})
        check(over, "/api/v1/search", status=400)


def test_exchange_responses_match_the_document(app) -> None:
    add_account(app, "contract-x1@example.vn", "enterprise", "SUP-00003")
    add_account(app, "contract-x2@example.vn", "enterprise", "SUP-00004")
    one, two = app.test_client(), app.test_client()
    login(one, "contract-x1@example.vn")
    login(two, "contract-x2@example.vn")
    listings = "/api/v1/enterprise/listings"
    offer = check(one.post(listings, json={"kind": "offer", "what": "Màng PE co thải, sạch",
                                           "quantity": "2 tấn/tháng"}), listings, "post", 201)
    check(one.post(listings, json={"kind": "offer"}), listings, "post", 400)
    need = check(two.post(listings, json={"kind": "need", "what": "Cần mua màng PE phế liệu để "
                                          "tái chế hạt nhựa"}), listings, "post", 201)
    check(one.get(listings), listings)
    one_path = listings + "/{listing_id}"
    shown = check(two.get(f"{listings}/{need['id']}"), one_path)
    assert shown["matches"] and shown["matches"][0]["listing"]["id"] == offer["id"]
    check(one.get(f"{listings}/{need['id']}"), one_path, status=404)
    ask = listings + "/{listing_id}/requests"
    made = check(two.post(f"{listings}/{need['id']}/requests", json={"other_id": offer["id"]}),
                 ask, "post", 201)
    check(two.post(f"{listings}/{need['id']}/requests", json={"other_id": offer["id"]}),
          ask, "post", 409)
    answer = "/api/v1/enterprise/exchange-requests/{request_id}"
    check(two.patch(f"/api/v1/enterprise/exchange-requests/{made['id']}",
                    json={"answer": "accept"}), answer, "patch", 409)
    done = check(one.patch(f"/api/v1/enterprise/exchange-requests/{made['id']}",
                           json={"answer": "accept"}), answer, "patch")
    assert done["status"] == "accepted" and "contact" in done
    check(one.get("/api/v1/enterprise/exchange-requests"), "/api/v1/enterprise/exchange-requests")
    check(one.patch(f"{listings}/{offer['id']}", json={"open": False}), one_path, "patch")
