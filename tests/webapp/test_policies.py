"""Support policies in the web app: catalogue loading, JSON endpoints, `flask policies`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from recommender.policy import STANDINGS, load_catalogue
from recommender.store.models import Buyer, EnterpriseAccount
from webapp import create_app

from ..store.files import profile_row, write_jsonl

AS_OF = "2026-11-22"
N_PROGRAMS = len(load_catalogue())


def _app(root: Path, **config):
    root.mkdir(parents=True, exist_ok=True)
    corpus = write_jsonl(root / "sample.jsonl", [
        profile_row(1, sample=True),  # domestic mechanical, 80 employees, VND 45.5 bn
        profile_row(2, sample=True, ownership="fdi", employees=900, revenue_bn_vnd=2500.0),
        profile_row(3, sample=True, sector="food_processing", employees=None,
                    revenue_bn_vnd=None, location=None),
    ])
    settings = {"TESTING": True, "SAMPLE_CORPUS": str(corpus),
                "DATABASE_URL": f"sqlite:///{root / 'ketnoi.sqlite3'}",
                "INDEX_DIR": str(root / "index"), "BUILD_INDEX_ON_START": False}
    settings.update(config)
    return create_app(settings)


@pytest.fixture(scope="module")
def policy_app(tmp_path_factory):
    """Rules only: the search index (and the model) is never loaded."""
    app = _app(tmp_path_factory.mktemp("policies"))
    with app.app_context():
        from webapp.db import get_session

        session = get_session()
        buyer = Buyer(company="Acme Vietnam", email="buy@example.com")
        session.add_all([buyer, Buyer(company="Other Co", email="other@example.com")])
        session.flush()
        session.add_all([
            EnterpriseAccount(email="staff@example.vn", role="staff", password_hash="x"),
            EnterpriseAccount(email="buy@example.com", role="buyer", password_hash="x",
                              buyer_id=buyer.id)])
        session.commit()
    return app


def _log_in_as(client, email: str) -> None:
    with client.application.app_context():
        from webapp.db import get_session

        account_id = get_session().scalar(
            select(EnterpriseAccount.id).where(EnterpriseAccount.email == email))
    with client.session_transaction() as session:
        session["account_id"] = account_id


@pytest.fixture()
def client(policy_app):
    return policy_app.test_client()


@pytest.fixture()
def runner(policy_app):
    return policy_app.test_cli_runner()


def test_start_loads_the_catalogue_into_an_empty_table(tmp_path: Path) -> None:
    from recommender.store.policies import program_count

    app = _app(tmp_path)
    with app.extensions["ketnoi_db"].sessions() as session:
        assert program_count(session) == N_PROGRAMS
    off = _app(tmp_path / "off", LOAD_POLICIES=False)
    with off.extensions["ketnoi_db"].sessions() as session:
        assert program_count(session) == 0


def test_catalogue_endpoint(client) -> None:
    body = client.get(f"/api/v1/policies?as_of={AS_OF}").get_json()
    assert body["_meta"] == {"as_of": AS_OF, "audience": "all", "count": N_PROGRAMS,
                             "lang": "en"}
    assert body["items"][-1]["status"] == "expired"  # in force first, expired last
    by_code = {item["code"]: item for item in body["items"]}
    assert by_code["VN-SIDP-2016-2025"]["status"] == "expired"
    assert by_code["VN-ND111-INCENTIVES"]["status"] == "active"
    assert by_code["VN-ND111-INCENTIVES"]["criteria"][0]["kind"] == "sector"
    assert all(item["verification"]["status"] in ("verified", "partly_verified")
               for item in body["items"])
    assert all(item["verified"] or item["unverified"] for item in body["items"])
    buyers = client.get(f"/api/v1/policies?audience=buyer&as_of={AS_OF}").get_json()
    assert buyers["items"] and all(i["linkage"] for i in buyers["items"])


def test_supplier_endpoint_ranks_and_explains(client) -> None:
    response = client.get(f"/api/v1/suppliers/SUP-00001/policies?as_of={AS_OF}")
    assert response.status_code == 200
    body = response.get_json()
    meta, items = body["_meta"], body["items"]
    assert meta["count"] == N_PROGRAMS and meta["supplier"]["external_id"] == "SUP-00001"
    assert meta["relevance"] is False and "rules only" in meta["relevance_note"]
    assert items[0]["eligible"] == "yes" and items[0]["recommended"]
    assert items[-1]["code"] == "VN-SIDP-2016-2025" and items[-1]["status"] == "expired"
    assert not items[-1]["recommended"] and items[-1]["eligible"] == "no"
    assert items[-1]["ended_on"] == "2025-12-31" and "2025-12-31" in items[-1]["reason"]
    for item in items:
        assert item["reason"] and item["criteria"] and item["verification"]["label"]
        for c in item["criteria"]:
            assert c["reason"] and c["source"] and "not verified" not in c["reason"]
        if item["eligible"] == "unknown":
            assert item["to_find_out"]
    by_code = {i["code"]: i for i in items}
    assert by_code["VN-SME-SUPPORT"]["eligible"] == "yes"
    digital = by_code["VN-SME-DIGITAL"]
    assert digital["eligible"] == "unknown" and digital["standing"] == "nearly"
    assert [m["id"] for m in digital["missing"]] == ["digital_plan"]
    assert any("Choose the firm's plans" in h["text"] and h["field"] == "plans"
               for h in digital["to_find_out"])
    # stating a plan decides it
    planned = client.get(f"/api/v1/suppliers/SUP-00001/policies?as_of={AS_OF}"
                         "&activities=digital_transformation,r_and_d").get_json()
    by_code = {i["code"]: i for i in planned["items"]}
    assert by_code["VN-SME-DIGITAL"]["eligible"] == "yes"
    assert by_code["VN-ND35-ECO-IP"]["eligible"] == "no"


def test_supplier_endpoint_large_fdi_and_missing_data(client) -> None:
    fdi = {i["code"]: i for i in client.get(
        f"/api/v1/suppliers/SUP-00002/policies?as_of={AS_OF}").get_json()["items"]}
    assert fdi["VN-SME-SUPPORT"]["eligible"] == "no"
    assert fdi["HCM-QD42-2024-INTEREST"]["eligible"] == "no"
    bare = {i["code"]: i for i in client.get(
        f"/api/v1/suppliers/SUP-00003/policies?as_of={AS_OF}").get_json()["items"]}
    sme = bare["VN-SME-SUPPORT"]
    assert sme["eligible"] == "unknown" and "no size data" in sme["reason"]
    # the profile form has no size fields: the hint says whom to ask, not "add to profile"
    assert "programme office" in sme["to_find_out"][0]["text"]
    assert sme["to_find_out"][0]["field"] is None
    assert bare["VN-ND111-INCENTIVES"]["eligible"] == "no"  # food processing


@pytest.mark.parametrize(
    ("url", "status", "phrase"),
    [
        ("/api/v1/suppliers/SUP-99999/policies", 404, "No supplier “SUP-99999”"),
        ("/api/v1/suppliers/SUP-00001/policies?as_of=yesterday", 400, "The parameter as_of"),
        ("/api/v1/suppliers/SUP-00001/policies?activities=time_travel", 400,
         "The parameter activities is invalid"),
        ("/api/v1/suppliers/SUP-00001/policies?plans=" + "x" * 2001, 400,
         "The parameter plans is invalid"),
        ("/api/v1/policies?audience=everyone", 400, "The parameter audience is"),
        ("/api/v1/buyers/999/policies", 404, "No buyer with id 999"),
        ("/api/v1/buyers/1/policies?as_of=yesterday", 400, "The parameter as_of is invalid"),
    ],
)
def test_errors_use_the_one_json_shape(client, url, status, phrase) -> None:
    _log_in_as(client, "staff@example.vn")
    response = client.get(url)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert phrase in body["error"]["message"]


def test_buyer_endpoint_is_for_that_buyer_and_staff(client) -> None:
    url = f"/api/v1/buyers/1/policies?as_of={AS_OF}"
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/buyers/999/policies").status_code == 401  # no enumeration
    _log_in_as(client, "buy@example.com")
    assert client.get(url).status_code == 200
    other = client.get(f"/api/v1/buyers/2/policies?as_of={AS_OF}")
    assert other.status_code == 403 and other.get_json()["error"]["status"] == 403


def test_buyer_endpoint(client) -> None:
    _log_in_as(client, "staff@example.vn")
    body = client.get(f"/api/v1/buyers/1/policies?as_of={AS_OF}").get_json()
    assert body["_meta"]["buyer"]["company"] == "Acme Vietnam"
    sidp = next(i for i in body["items"] if i["code"] == "VN-SIDP-2016-2025")
    assert sidp["status"] == "expired" and not sidp["recommended"]
    assert sidp["beneficiary"] == "buyer_and_suppliers"


# --- flask policies ----------------------------------------------------------------------

def test_match_command_text_and_json(runner) -> None:
    result = runner.invoke(args=["policies", "match", "--supplier", "SUP-00001",
                                 "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"SUP-00001 Công ty TNHH Cơ khí Mẫu 1: support programmes "
                                    f"as of {AS_OF}")
    assert "  1. ELIGIBLE" in result.output and "[EXPIRED]" in result.output
    assert "→ Choose the firm's plans" in result.output
    assert "Decree 111/2015/ND-CP" in result.output
    assert "ended on 2025-12-31" in result.output
    assert "valid: ? … (no end date given); Issued in 2024" in result.output
    standings = re.findall(r"^\s+\d+\. (\S+)", result.output, re.M)
    assert standings == sorted(standings, key=lambda s: STANDINGS.index(s.lower()))
    assert standings[-1] == "EXPIRED"
    result = runner.invoke(args=["policies", "match", "--supplier", "SUP-00001", "--json",
                                 "--as-of", AS_OF, "--activity", "green_production",
                                 "--activity", "investment_project"])
    body = json.loads(result.output)
    by_code = {i["code"]: i for i in body["items"]}
    assert body["as_of"] == AS_OF and by_code["VN-NQ198-GREEN-INTEREST"]["eligible"] == "yes"
    assert by_code["VN-ND35-ECO-IP"]["recommended"]


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--supplier", "SUP-0001"], "no supplier with external id 'SUP-0001' (did you mean"),
        (["--supplier", "SUP-00001", "--as-of", "soon"], "Must be a date as YYYY-MM-DD"),
        ([], "exactly one of --supplier"),
        (["--supplier", "SUP-00001", "--buyer", "1"], "exactly one of --supplier"),
        (["--buyer", "42"], "no buyer with id 42"),
    ],
)
def test_match_command_refuses_bad_input_with_exit_code_2(runner, args, phrase) -> None:
    result = runner.invoke(args=["policies", "match", *args])
    assert result.exit_code == 2
    assert phrase in " ".join(result.output.split())


def test_match_command_for_a_buyer(runner) -> None:
    result = runner.invoke(args=["policies", "match", "--buyer", "1", "--as-of", "2024-06-01"])
    assert result.exit_code == 0, result.output
    assert "1. ACTIVE  VN-SIDP-2016-2025" in result.output
    body = json.loads(runner.invoke(args=["policies", "match", "--buyer", "1", "--json"]).output)
    assert body["buyer"]["company"] == "Acme Vietnam" and body["items"]


def test_list_load_and_evaluate_commands(runner) -> None:
    listed = runner.invoke(args=["policies", "list", "--as-of", AS_OF])
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == N_PROGRAMS
    assert "VN-SIDP-2016-2025" in listed.output and "expired" in listed.output
    loaded = runner.invoke(args=["policies", "load"])
    assert loaded.exit_code == 0
    assert loaded.output.strip() == f"0 programmes created, 0 updated, {N_PROGRAMS} unchanged"
    evaluated = runner.invoke(args=["policies", "evaluate"])
    assert evaluated.exit_code == 0 and "yes/no accuracy 100.00%" in evaluated.output


def test_load_command_reports_a_bad_file(runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "X"}\n', encoding="utf-8")
    result = runner.invoke(args=["policies", "load", str(bad)])
    assert result.exit_code == 1 and "missing" in result.output


@pytest.mark.parametrize(
    ("command", "phrases"),
    [
        ("match", ["--supplier", "--buyer", "UNKNOWN", "Exit code 2", "EXPIRED",
                   "digital_transformation"]),
        ("load", ["matched by code", "Safe to run again"]),
        ("evaluate", ["accuracy", "policy_cases.jsonl"]),
    ],
)
def test_help_texts(runner, command, phrases) -> None:
    result = runner.invoke(args=["policies", command, "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for phrase in phrases:
        assert phrase in text, phrase


# --- relevance, with the real model ------------------------------------------------------

def test_match_command_with_relevance(runner, encoder, monkeypatch) -> None:
    import recommender.embed.encoder as encoder_module

    monkeypatch.setattr(encoder_module, "load_encoder", lambda config=None: encoder)
    result = runner.invoke(args=["policies", "match", "--supplier", "SUP-00001", "--json",
                                 "--relevance", "--as-of", AS_OF, "--plans",
                                 "Triển khai ERP và chuyển đổi số nhà máy"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    assert all(isinstance(i["relevance"], float) for i in items)
    top = max(items, key=lambda i: i["relevance"])
    assert top["code"] == "VN-SME-DIGITAL"


def test_endpoint_uses_the_loaded_model_for_relevance(app) -> None:
    """``app`` (tests/webapp/conftest.py) has its search index, and so its model, loaded."""
    body = app.test_client().get(
        "/api/v1/suppliers/SUP-00005/policies?plans=lắp điện mặt trời áp mái, tái chế chất thải"
        "&activities=green_production").get_json()
    assert body["_meta"]["relevance"] is True and "relevance_note" not in body["_meta"]
    items = body["items"]
    assert all(isinstance(i["relevance"], float) for i in items)
    top = max(items, key=lambda i: i["relevance"])
    assert top["code"] in {"VN-NQ198-GREEN-INTEREST", "VN-ND35-ECO-IP"}
    skipped = app.test_client().get("/api/v1/suppliers/SUP-00005/policies?relevance=0")
    assert skipped.get_json()["_meta"]["relevance"] is False


# --- language, verification, no internal paths ------------------------------------------

def test_policy_api_answers_in_the_language_asked(client) -> None:
    url = f"/api/v1/suppliers/SUP-00003/policies?as_of={AS_OF}&relevance=0"
    english = client.get(url).get_json()  # the API's default: English
    vi_param = client.get(url + "&lang=vi").get_json()
    vi_header = client.get(url, headers={"Accept-Language": "vi-VN,vi;q=0.9"}).get_json()
    assert english["_meta"]["lang"] == "en" and vi_param["_meta"]["lang"] == "vi"
    assert vi_header["_meta"]["lang"] == "vi"
    en = {i["code"]: i for i in english["items"]}["VN-SME-SUPPORT"]
    vi = {i["code"]: i for i in vi_param["items"]}["VN-SME-SUPPORT"]
    assert "no size data" in en["reason"] and "Hồ sơ chưa có số liệu quy mô" in vi["reason"]
    assert en["criteria"][0]["source"].startswith("Decree 80/2021/ND-CP")
    assert vi["criteria"][0]["source"].startswith("Nghị định 80/2021/NĐ-CP")
    assert "cơ quan quản lý chương trình" in vi["to_find_out"][0]["text"]
    assert vi["verification"]["label"].startswith("Đã đối chiếu")
    assert en["verification"]["label"].startswith(("Checked", "Partly checked"))
    assert "Nộp hồ sơ" in vi["confirm"] and "Apply" in en["confirm"]
    # the machine-readable codes are the same in both
    assert en["criteria"][0]["why"] == vi["criteria"][0]["why"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


INTERNAL = re.compile(r"shared/|CONTEXT\.md|(?:^|[\s(\"'])(?:/|\.\./|~/)?[\w.-]+/[\w./-]*"
                      r"\.(?:py|md|jsonl?|txt|ya?ml|toml|cfg|html|sqlite3?)\b")


def test_no_policy_output_shows_an_internal_path(client) -> None:
    _log_in_as(client, "staff@example.vn")
    bodies = [client.get(url).get_json() for url in (
        f"/api/v1/policies?as_of={AS_OF}", f"/api/v1/policies?audience=buyer&as_of={AS_OF}",
        f"/api/v1/suppliers/SUP-00001/policies?as_of={AS_OF}&relevance=0",
        f"/api/v1/suppliers/SUP-00003/policies?as_of={AS_OF}&relevance=0&lang=vi",
        f"/api/v1/buyers/1/policies?as_of={AS_OF}&lang=vi")]
    for body in bodies:
        for text in _strings(body):
            assert not INTERNAL.search(text), text
    # the test itself catches what it should, and not legal numbers
    assert INTERNAL.search("basis: shared/CONTEXT.md (public sources)")
    assert INTERNAL.search("as cited in recommender/sizes.py")
    assert not INTERNAL.search("Decree 111/2015/NĐ-CP; Decision 42/2024/QĐ-UBND")


def test_catalogue_records_the_published_source_of_each_instrument() -> None:
    for program in load_catalogue():
        for source in program.record["sources"]:
            assert "taken_from" not in source and source["instrument"]
            if source["url"]:
                assert source["url"].startswith("http") and source["title"]
