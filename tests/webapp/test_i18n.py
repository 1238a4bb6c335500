"""Vietnamese by default, English on request, and a complete English catalogue."""

from __future__ import annotations

from webapp import i18n


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
