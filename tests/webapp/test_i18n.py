"""Vietnamese by default, English on request, and a complete English catalogue."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from tests.webapp.conftest import make_app
from webapp import i18n


@pytest.fixture(scope="module")
def app(tmp_path_factory, config, suppliers):
    """The app over the small supplier set, with forms posted without a CSRF token."""
    os.environ["KETNOI_CACHE_DIR"] = str(config.cache_dir)
    app = make_app(tmp_path_factory.mktemp("i18n"), suppliers, WTF_CSRF_ENABLED=False)
    assert app.extensions["ketnoi_catalog"].wait(300)
    yield app
    os.environ.pop("KETNOI_CACHE_DIR", None)


def test_every_marked_string_has_an_english_translation_and_the_mo_is_current() -> None:
    # a string marked with _() in a template or module but not translated fails here:
    # run `flask --app webapp translations update`, translate, then `... compile`
    assert i18n.missing_translations() == []
    mo = i18n.po_path().with_suffix(".mo")
    assert mo.read_bytes() == i18n.compiled_bytes(), "run flask --app webapp translations compile"


def test_the_check_is_not_blind(tmp_path, monkeypatch) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Đăng nhập"\nmsgstr "Log in"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    missing = i18n.missing_translations()
    assert "Đăng xuất" in missing and "Đăng nhập" not in missing


def test_vietnamese_by_default_and_the_switch_is_remembered(client) -> None:
    page = client.get("/missing-page").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Không tìm thấy trang bạn yêu cầu." in page
    page = client.get("/missing-page?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "The page you asked for was not found." in page
    assert "Tiếng Việt" in page  # the way back
    page = client.get("/missing-page").get_data(as_text=True)
    assert "The page you asked for was not found." in page
    client.get("/?lang=vi")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_the_switch_link_keeps_the_query(client) -> None:
    page = client.get("/?q=ép+nhựa").get_data(as_text=True)
    assert 'href="/?q=%C3%A9p+nh%E1%BB%B1a&amp;lang=en"' in page


def test_unknown_languages_are_ignored(client) -> None:
    page = client.get("/?lang=xx").get_data(as_text=True)
    assert '<html lang="vi">' in page


ROOT = Path(__file__).resolve().parents[2]


def _ids(messages) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_the_catalogue_is_the_source_as_babel_cfg_extracts_it() -> None:
    # what `pybabel extract -F babel.cfg -k _l -k lazy_gettext .` collects from the checkout:
    # a string marked in the code but missing from messages.po, or an entry the code no
    # longer uses, fails here (run `flask --app webapp translations update`)
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    source = {message if isinstance(message, str) else message[0]
              for _, _, message, _, _ in extract_from_dir(
                  str(ROOT), method_map, options_map, keywords=i18n.KEYWORDS) if message}
    assert source, "babel.cfg extracts nothing"
    assert _ids(i18n.extract_messages()) == source, "babel.cfg and webapp/i18n.py disagree"
    catalog = i18n.read_catalog("en")
    assert sorted(source - _ids(catalog)) == [], "not in messages.po"
    assert sorted(_ids(catalog) - source) == [], "in messages.po but no longer in the code"


def test_every_catalogue_entry_has_a_finished_english_translation() -> None:
    unfinished = []
    for message in i18n.read_catalog("en"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else \
            (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            unfinished.append(message.id)
    assert unfinished == []


def test_the_catalogue_checks_fail_on_a_new_untranslated_string(tmp_path, monkeypatch) -> None:
    # a newly marked string with no English: both the source check and the completeness
    # check see it
    module = tmp_path / "webapp" / "new_view.py"
    module.parent.mkdir()
    module.write_text('from flask_babel import gettext as _\n\nTEXT = _("Câu mới chưa dịch")\n',
                      encoding="utf-8")
    monkeypatch.setattr(i18n, "PACKAGE_DIR", tmp_path / "webapp")
    assert "Câu mới chưa dịch" in i18n.missing_translations()


def test_login_and_registration_errors_are_in_the_page_language(client) -> None:
    res = client.post("/login", data={"email": "ai@example.vn", "password": "sai-mat-khau"})
    assert res.status_code == 401 and "Email hoặc mật khẩu không đúng." in res.get_data(
        as_text=True)
    client.get("/?lang=en")
    res = client.post("/login", data={"email": "ai@example.vn", "password": "sai-mat-khau"})
    assert res.status_code == 401 and "Wrong email or password." in res.get_data(as_text=True)
    page = client.post("/register", data={"email": "not-an-email", "password": "short",
                                          "role": "enterprise", "name": "",
                                          "description": ""}).get_data(as_text=True)
    for english in ("The email address is not valid.", "The password needs at least",
                    "Please enter the company name.", "Please describe what the company"):
        assert english in page
    client.get("/?lang=vi")


def test_claim_errors_are_worded_as_the_library_names_them(app) -> None:
    from flask_babel import force_locale

    from recommender.store.claims import CLAIM_MESSAGES, ClaimError
    from webapp.claims import CLAIM_TEXTS, claim_problem

    assert set(CLAIM_TEXTS) == set(CLAIM_MESSAGES)
    with app.test_request_context(), force_locale("vi"):
        for code in CLAIM_MESSAGES:
            error = ClaimError(code, left=2) if "{left}" in CLAIM_MESSAGES[code] else \
                ClaimError(code)
            assert claim_problem(error) == str(error)


def test_a_process_the_profile_excludes_is_worded_in_the_page_language(app) -> None:
    from flask_babel import force_locale

    from webapp.search import check_text

    check = {"kind": "capability", "wanted": "powder_coating", "status": "missing",
             "detail": "", "until": None}
    with app.test_request_context(), force_locale("vi"):
        assert check_text(check) == "Hồ sơ ghi là không làm sơn tĩnh điện"
    with app.test_request_context(), force_locale("en"):
        assert check_text(check) == "The profile says it does not do powder coating"
