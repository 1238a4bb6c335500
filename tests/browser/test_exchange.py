"""The resource exchange in a real browser at a phone's width: one short form, in
Vietnamese or English; the match appears for the other firm, which proposes an exchange."""

from __future__ import annotations

from tests.webapp.conftest import PASSWORD

from .conftest import Shots, add_account, login
from .test_language import BLOCKS_JS, english_sentences

PHONE = {"width": 390, "height": 844}


def _phone(browser, live, locale: str = "vi-VN"):
    context = browser.new_context(base_url=live.config["BASE_URL"], locale=locale,
                                  viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def test_an_offer_listed_on_a_phone_is_matched_and_proposed(browser, live, page) -> None:
    add_account(live, "trao-doi-a@example.vn", "enterprise", "SUP-00002")
    add_account(live, "trao-doi-b@example.vn", "enterprise", "SUP-00007")
    phone = _phone(browser, live)
    login(phone, "trao-doi-a@example.vn", PASSWORD)
    phone.click("header a[href='/enterprise/exchange']")
    form = phone.locator("form#new-listing")
    # at most five things to fill in, and only two are required
    required = form.locator("[required]").count() + form.locator("fieldset.kind").count()
    assert required <= 5
    assert form.locator("input#what").bounding_box()["width"] <= PHONE["width"]
    phone.check("input[name=kind][value=offer]")
    phone.fill("#what", "Nhựa ABS vụn từ ép phun, đã nghiền, sạch")
    phone.fill("#quantity", "khoảng 2 tấn/tháng")
    shots = Shots(phone, "exchange_phone")
    shots("form")
    phone.click("form#new-listing button[type=submit]")
    phone.wait_for_load_state()
    assert "/enterprise/exchange/" in phone.url
    assert "Đã đăng tin" in phone.inner_text("main")
    assert not english_sentences(phone.evaluate(BLOCKS_JS))
    shots("listed")
    phone.context.close()

    # the other firm, on a desktop, in English: lists a need and sees the offer
    login(page, "trao-doi-b@example.vn", PASSWORD)
    page.goto("/enterprise/exchange?lang=en")
    assert "Resource exchange between companies" in page.inner_text("main")
    page.check("input[name=kind][value=need]")
    page.fill("#what", "We buy ABS regrind for injection moulding of cable clips")
    page.click("form#new-listing button[type=submit]")
    page.wait_for_load_state()
    assert "Matching companies" in page.inner_text("main")
    match = page.locator("article.result", has_text="Nhựa ABS vụn")
    assert match.count() == 1
    match.locator("input[name=message]").fill("Please call us")
    match.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Proposal sent" in page.inner_text("main")
    page.shots("proposed")
