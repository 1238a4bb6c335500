"""What buyers, enterprises and staff do, in a real browser against a real server."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from recommender.store.models import ContactRequest, SupplierProfile
from tests.webapp.conftest import PASSWORD

from .conftest import add_account, login

pytestmark = pytest.mark.slow


def _first_result(page) -> str:
    return page.locator("article.result h2 a").first.get_attribute("href")


def test_buyer_searches_without_diacritics_filters_and_sends_a_contact_request(
        page, live) -> None:
    add_account(live, "mua@example.vn", "buyer")
    login(page, "mua@example.vn", PASSWORD)
    page.goto("/")
    page.fill("input[name=q]", "bo day dien cho o to")  # typed without diacritics
    page.click("form.search button[type=submit]")
    page.wait_for_selector("article.result")
    assert "/suppliers/SUP-00006" in _first_result(page)
    # the explanation marks the matched words, restored to their diacritics
    marks = page.locator("article.result").first.locator("mark").all_inner_texts()
    assert {"dây", "điện"} <= {m.lower() for m in marks}, marks
    page.shots("results")

    page.click("details.filters summary")
    page.select_option("select[name=sector]", "electronics")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("article.result")
    assert "electronics" in page.url and "q=bo+day+dien" in page.url
    assert page.locator("details.filters").get_attribute("open") is not None
    results = page.locator("article.result h2 a").all_inner_texts()
    assert results and all("Công ty mẫu 5" in r or "Công ty mẫu 6" in r for r in results), results
    page.shots("filtered")

    page.locator("article.result h2 a").first.click()
    page.wait_for_selector("#contact")
    assert "/suppliers/SUP-00006" in page.url
    page.fill("#subject", "Báo giá bó dây <script>alert(1)</script>")
    page.fill("#message", "Chúng tôi cần 5.000 bộ dây mỗi tháng, giao tại KCN Tân Tạo.")
    page.shots("contact-form")
    page.click("form:has(#subject) button[type=submit]")
    page.wait_for_load_state()
    assert "/contacts" in page.url
    assert "Đã gửi yêu cầu liên hệ" in page.inner_text("body")
    # the message is shown as text, never run
    assert "<script>alert(1)</script>" in page.inner_text("main")
    page.shots("sent")
    with live.extensions["ketnoi_db"].sessions() as session:
        sent = session.scalars(select(ContactRequest)).all()
        supplier = session.get(SupplierProfile, sent[-1].profile_id)
    assert supplier.external_id == "SUP-00006"
    assert sent[-1].message.startswith("Chúng tôi cần 5.000 bộ dây")


def test_enterprise_edits_its_profile_and_finds_it_in_a_search_right_after(page, live) -> None:
    add_account(live, "xuong3@example.vn", "enterprise", "SUP-00003")
    query = "ma kem nhung nong ket cau thep"  # without diacritics
    page.goto(f"/?q={query}")
    page.wait_for_load_state()
    before = page.locator("article.result h2 a").first.get_attribute("href") or ""
    assert "SUP-00003" not in before

    login(page, "xuong3@example.vn", PASSWORD)
    page.goto("/enterprise/profile")
    page.wait_for_selector("#description")
    page.fill("#description", "Mạ kẽm nhúng nóng kết cấu thép và bu lông; dây chuyền mạ "
                              "dài 12 m, công suất 2.000 tấn/tháng.")
    page.shots("editing")
    page.click("form.profile button[type=submit]")
    page.wait_for_load_state()
    saved = time.monotonic()
    assert "Đã lưu hồ sơ" in page.inner_text("body")

    page.goto(f"/?q={query}")
    page.wait_for_selector("article.result")
    assert time.monotonic() - saved < 2.0
    assert "/suppliers/SUP-00003" in _first_result(page)
    page.shots("found")


def test_language_switch_and_phone_layout(browser, live) -> None:
    context = browser.new_context(base_url=live.config["BASE_URL"],
                                  viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    from .conftest import Shots

    page.shots = Shots(page, "phone")
    page.goto("/?q=gia+cong+CNC")
    page.wait_for_selector("article.result")
    assert page.locator("html").get_attribute("lang") == "vi"
    # nothing wider than the screen: no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.shots("vi")
    page.click("a[hreflang=en]")
    page.wait_for_selector("article.result")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "q=gia+cong+CNC" in page.url or "q=gia%20cong%20CNC" in page.url
    page.shots("en")
    page.goto("/login")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_staff_imports_a_file_and_retrains(page, live, tmp_path) -> None:
    add_account(live, "hepza@example.vn", "staff")
    login(page, "hepza@example.vn", PASSWORD)
    upload = tmp_path / "nha-cung-cap.csv"
    upload.write_text(
        "external_id,name,description,sector,processes,location,certifications\n"
        "SUP-07001,Công ty Xi Mạ Phú Lợi,Xi mạ niken và crom trang trí cho tay nắm cửa,"
        "mechanical,electroplating,KCN Tân Tạo,ISO 9001\n", encoding="utf-8")
    page.goto("/staff/import")
    page.set_input_files("#file", str(upload))
    page.shots("import-form")
    page.click("form.profile button[type=submit]")
    page.wait_for_selector("#import-report")
    report = page.inner_text("#import-report")
    assert "Đã ghi vào cơ sở dữ liệu" in report and "nha-cung-cap.csv" in report
    page.shots("imported")

    # searchable within seconds, before any rebuild (every process follows the change log)
    imported = time.monotonic()
    while True:
        page.goto("/?q=xi mạ niken crom tay nắm cửa")
        page.wait_for_selector("article.result")
        if "/suppliers/SUP-07001" in _first_result(page) or time.monotonic() - imported > 3:
            break
        page.wait_for_timeout(200)
    assert "/suppliers/SUP-07001" in _first_result(page)

    page.goto("/staff/index")
    before = page.locator("section[aria-labelledby=current-h] code").first.inner_text()
    page.check("input[name=force]")
    page.click("#retrain-h ~ form button[type=submit]")
    page.wait_for_load_state()
    assert "Đã bắt đầu huấn luyện lại" in page.inner_text("body")
    page.shots("retraining")
    # the page refreshes itself while the run goes on; wait for the run to end
    deadline = time.monotonic() + 300
    while page.locator("#progress").count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    runs = page.inner_text("section[aria-labelledby=runs-h] tbody tr:first-child")
    assert "đã đưa vào phục vụ" in runs and "nhân viên" in runs, runs
    after = page.locator("section[aria-labelledby=current-h] code").first.inner_text()
    assert after != before
    page.shots("retrained")


def test_staff_pages_fit_a_phone(browser, live) -> None:
    add_account(live, "hepza-phone@example.vn", "staff")
    context = browser.new_context(base_url=live.config["BASE_URL"],
                                  viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    from .conftest import Shots

    page.shots = Shots(page, "staff-phone")
    login(page, "hepza-phone@example.vn", PASSWORD)
    for path in ("/staff", "/staff/index", "/staff/profiles?filter=all", "/staff/analytics",
                 "/staff/import"):
        page.goto(path)
        page.wait_for_load_state()
        # wide tables scroll inside their box; the page itself never scrolls sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        page.shots(path.strip("/").split("?")[0].replace("/", "-"))
    context.close()



def test_staff_imports_a_file_as_written_and_maps_an_unknown_phrase(page, live, tmp_path) -> None:
    add_account(live, "bql@example.vn", "staff")
    login(page, "bql@example.vn", PASSWORD)
    upload = tmp_path / "danh-sach.csv"
    upload.write_text(
        "Tên doanh nghiệp,Mô tả năng lực,Quy trình / sản phẩm,Địa chỉ,Số lao động\n"
        "Cty TNHH Mộc Mỹ Nghệ Thuận Phát,\"Xưởng chạm khắc gỗ mỹ nghệ, hộp gỗ quà tặng "
        "cho khách Nhật\",\"chạm khắc gỗ mỹ nghệ; hộp gỗ quà tặng\","
        "\"Lô 3, KCN Sóng Thần 2, TX Dĩ An, Bình Dương\",~45\n", encoding="utf-8")
    page.goto("/staff/import")
    page.set_input_files("#file", str(upload))
    page.click("form.profile button[type=submit]")
    page.wait_for_selector("#import-report")
    report = page.inner_text("#import-report")
    assert "Đã ghi vào cơ sở dữ liệu" in report
    assert "chạm khắc gỗ mỹ nghệ" in page.inner_text("ul.import-unmapped")
    page.shots("imported-as-written")

    page.click("text=Rà soát thuật ngữ")
    page.wait_for_selector("table.data")
    row = page.locator("tr", has_text="hộp gỗ quà tặng")
    row.locator("input[name=key]").fill("bao bì")  # a name staff know, not a key
    row.locator("button", has_text="Ánh xạ").click()
    page.wait_for_load_state()
    assert "Đã ánh xạ “hộp gỗ quà tặng” vào bao bì – in ấn › bao bì" in page.inner_text("body")
    row = page.locator("tr", has_text="chạm khắc gỗ mỹ nghệ")
    row.locator("button", has_text="Giữ là văn bản").click()
    page.wait_for_load_state()
    assert "Đã giữ “chạm khắc gỗ mỹ nghệ” là văn bản tự do" in page.inner_text("body")
    assert page.locator("table.data").count() == 0  # nothing left to review
    page.shots("mapped")

    # the buyer's place is understood and checked against the stored location
    page.goto("/?q=hop go qua tang o Binh Duong")
    page.wait_for_selector("article.result")
    assert "Bình Dương (cũ)" in page.inner_text("p.understood")
    page.shots("place-understood")


def test_the_profile_form_suggests_taxonomy_names_and_keeps_the_firms_words(page, live) -> None:
    add_account(live, "xuong9@example.vn", "enterprise", "SUP-00009")
    login(page, "xuong9@example.vn", PASSWORD)
    page.goto("/enterprise/profile")
    page.wait_for_selector("#processes")
    page.fill("#processes", "in offset catalogue")
    from recommender.taxonomy import load_taxonomy

    label = load_taxonomy().label("label_printing")  # as the suggestion list shows it
    page.fill("#process-pick", label)
    page.dispatch_event("#process-pick", "change")
    assert page.input_value("#processes") == f"in offset catalogue; {label}"
    page.click("form.profile button[type=submit]")
    page.wait_for_load_state()
    understood = page.inner_text("ul.understood")
    assert "in offset catalogue →" in understood and "_" not in understood
    page.shots("understood")


def test_an_enterprise_proves_its_claim_with_the_emailed_code(page, live) -> None:
    import re
    from email import message_from_bytes, policy
    from pathlib import Path

    with live.extensions["ketnoi_db"].sessions() as session:
        profile = session.scalar(select(SupplierProfile)
                                 .where(SupplierProfile.external_id == "SUP-00008"))
        profile.email, profile.tax_code = "giamdoc@degiay8.vn", None
        session.commit()
    page.goto("/register")
    page.fill("#email", "degiay8@example.vn")
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    page.select_option("#role", "enterprise")
    page.fill("#external_id", "SUP-00008")
    page.fill("#contact_name", "Anh Minh")
    page.click("form.profile button[type=submit]")
    page.wait_for_load_state()
    assert "/enterprise/claim" in page.url
    body = page.inner_text("main")
    assert "g***@degiay8.vn" in body and "outbox" in body  # development: where the mail is
    page.shots("claim-waiting")
    # the public id did not open the profile
    page.goto("/enterprise/profile/SUP-00008")
    assert "Bạn không có quyền" in page.inner_text("body")
    [mail] = sorted(Path(live.config["OUTBOX_DIR"]).glob("*.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=policy.default)
    code = re.search(r"\b(\d{6})\b", message.get_content()).group(1)
    page.goto("/enterprise/claim")
    page.fill("input[name=code]", code)
    page.click("form:has(input[name=code]) button[type=submit]")
    page.wait_for_load_state()
    assert "/enterprise/profile/SUP-00008" in page.url
    assert "Đã xác nhận" in page.inner_text("body")
    page.shots("claim-confirmed")
