"""No English sentence on a Vietnamese page: the real server, each role's main pages, every
visible block of text (closed ``<details>`` opened) read by the query-language detector."""

from __future__ import annotations

import re
import time

import pytest

from recommender.language import query_language
from tests.conftest import SUPPLIERS
from tests.webapp.conftest import PASSWORD

from .conftest import add_account, login

pytestmark = pytest.mark.slow

# names and codes that read as English but are no sentence of ours
ALLOWED = re.compile(
    r"\b(?:ISO|IATF|AS|GMP|HACCP|RoHS|REACH|FSC|BSCI|SA|OHSAS|UL|CE)\s?[\w:.-]*"
    r"|\bFDI\b|\bSMT\b|\bCNC\b|\bAOI\b|\bPCB\b|\bEVA\b|\bABS\b|\bPE\b|\bPC\b|\bSUS\d+\b"
    r"|\bnDCG@\d+|\bMRR@\d+|\bRecall@\d+|\bP@\d+"
    r"|\bKếtNối\b|\bAPI\b|\bJSON\b|\bCSV\b|\bXLSX\b|\bJSONL\b|\bUTF-8\b|\bemail\b|\be-mail\b"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|https?://\S+|\bSUP-\d+\b|\bv\d[\w.-]*\b"
    r"|\b[a-z]+_[a-z_]+\b",  # taxonomy and field keys (cnc_machining, tax_code)
    re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
_CLAUSE = re.compile(r"[.;:!?()\[\]{}→·•|“”\"\n]+|\s[-–—]\s")



def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


# what users wrote is not the app's wording (one sample supplier writes in English); compared
# on letters and digits, as snippets re-space "ISO 9001"
USER_TEXT = [_letters(t) for t in SUPPLIERS.values()]


BLOCKS_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const inline = el => {
    const d = getComputedStyle(el).display;
    return d.startsWith('inline') || d === 'contents';
  };
  const blocks = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || !parent) continue;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'PRE'].includes(parent.tagName))
      continue;
    // the title of a cited document is a name, in the language it was published in
    if (parent.closest('cite')) continue;
    if (!parent.getClientRects().length || getComputedStyle(parent).visibility === 'hidden')
      continue;
    let block = parent;
    while (block !== document.body && inline(block)) block = block.parentElement;
    blocks.set(block, (blocks.get(block) || '') + node.textContent);
  }
  const out = [...blocks.values()];
  document.querySelectorAll('[placeholder], [title], [aria-label]').forEach(el => {
    for (const a of ['placeholder', 'title', 'aria-label'])
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
  });
  return out;
}"""


def english_sentences(texts: list[str]) -> list[str]:
    """The blocks that are English sentences (four words or more, names and codes aside)."""
    found = []
    for raw in texts:
        text = " ".join(raw.split())
        plain = text.replace("…", " ").strip()
        parts = [_letters(part) for part in plain.split("…") if _letters(part)]
        if parts and all(any(part in user for user in USER_TEXT) for part in parts):
            continue
        # clause by clause: a Vietnamese label must not hide the English sentence after it
        for clause in _CLAUSE.split(ALLOWED.sub(" ", plain)):
            if len(_WORD.findall(clause)) >= 4 and query_language(clause) == "en":
                found.append(text)
                break
    return found


def test_the_detector_flags_english_and_spares_vietnamese_names_and_codes() -> None:
    flagged = ["the profile has no size data (not verified against the text)",
               "row 3, name: is required for every row",
               "Quy mô: the profile has no size data"]
    assert english_sentences(flagged) == flagged
    assert english_sentences(["Đạt ISO 9001 và IATF 16949", "FDI", "Gia công CNC inox",
                              "Dòng 3, name: là bắt buộc", "nDCG@10 0.83 → 0.85",
                              "lien he qua email ban hang", SUPPLIERS[11][:60]]) == []


def _check(page, path: str, seen: dict[str, list[str]]) -> None:
    if path:
        page.goto(path)
    page.wait_for_load_state()
    assert '<html lang="vi"' in page.content()[:300], path
    texts = page.evaluate(BLOCKS_JS)
    found = english_sentences(texts)
    if found:
        seen[path or page.url] = found


def _wait_no_run(page, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.goto("/staff/index")
        if page.locator("progress#progress").count() == 0:
            return
        time.sleep(2)
    pytest.fail("the rebuild did not finish")


MESSY_CSV = (
    "Tên doanh nghiệp,Mô tả năng lực,Ngành,Số lao động,Loại hình,Chứng nhận,Địa chỉ,Mã số thuế,"
    "mau sac\n"
    "Cơ khí Hưng Phát,Gia công CNC và hàn khung thép,co khi,khoảng 80 người,100% vốn Hàn Quốc,"
    "\"ISO 9001:2015, đang xây dựng ISO 14001\",KCN Tan Tao 2,,xanh\n"
    "Nhựa Tân Bình,Ép phun vỏ nhựa ABS,mechancial,many,Công ty TNHH,Chứng nhận Xanh,"
    "Quận 9 cũ,,đỏ\n"
    ",thiếu tên,co khi,-3,,,,12345,\n"
).encode()


def test_no_english_sentence_on_a_vietnamese_page(page, live) -> None:
    add_account(live, "ngonngu-mua@example.vn", "buyer")
    add_account(live, "ngonngu-dn@example.vn", "enterprise", "SUP-00003")
    add_account(live, "ngonngu-cb@example.vn", "staff")
    seen: dict[str, list[str]] = {}

    # anyone: search with results, a supplier, the login form with a wrong password
    for path in ("/", "/?q=gia+công+CNC+inox+ISO+9001", "/?q=zebraquartz",
                 "/suppliers/SUP-00011", "/suppliers/SUP-00001", "/register"):
        _check(page, path, seen)
    page.goto("/login")
    page.fill("#email", "ngonngu-mua@example.vn")
    page.fill("#password", "sai-mat-khau-roi")
    page.click("form.profile button[type=submit]")
    _check(page, "", seen)
    assert "Email hoặc mật khẩu không đúng." in page.inner_text("main")
    page.shots("login-error")

    login(page, "ngonngu-mua@example.vn", PASSWORD)
    for path in ("/?q=bo+day+dien+o+to", "/shortlist", "/requests", "/requests/new",
                 "/account/tokens"):
        _check(page, path, seen)
    # a request for quotation with its matched suppliers and their checks
    page.goto("/requests/new")
    page.fill("#title", "Túi nhựa PE in logo")
    page.fill("#text", "Cần 20.000 túi nhựa PE in logo hai màu, giao tại KCN Tân Tạo.")
    page.click("form.profile button[type=submit]")
    page.wait_for_load_state()
    assert "/requests/" in page.url and "/new" not in page.url, page.url
    assert "SUP-00003" in page.content()
    _check(page, "", seen)
    page.shots("request")
    # a message to a supplier, for its inbox
    page.goto("/suppliers/SUP-00003")
    page.fill("#subject", "Hỏi giá túi nhựa")
    page.fill("#message", "Xin báo giá 20.000 túi PE in logo, giao trong tháng sau.")
    page.click("form:has(#subject) button[type=submit]")
    page.wait_for_load_state()
    _check(page, "/contacts", seen)
    page.context.clear_cookies()

    login(page, "ngonngu-dn@example.vn", PASSWORD)
    for path in ("/enterprise", "/enterprise/profile", "/enterprise/inbox",
                 "/enterprise/requests", "/enterprise/visibility", "/enterprise/policies",
                 "/enterprise/exchange"):
        _check(page, path, seen)
    page.goto("/enterprise/inbox")
    page.locator("main a[href*='/enterprise/inbox/']").first.click()
    _check(page, "", seen)
    page.goto("/enterprise/policies")
    page.shots("policies")
    page.context.clear_cookies()

    login(page, "ngonngu-cb@example.vn", PASSWORD)
    for path in ("/staff", "/staff/profiles", "/staff/analytics", "/staff/claims",
                 "/staff/terms", "/staff/exchange", "/staff/import"):
        _check(page, path, seen)
    page.set_input_files("#file", files=[{"name": "ho-so.csv", "mimeType": "text/csv",
                                          "buffer": MESSY_CSV}])
    page.check("input[name=dry_run]")
    page.click("form.profile button[type=submit]")
    page.wait_for_selector("#import-report")
    assert page.locator("ul.import-errors li").count() >= 2
    _check(page, "", seen)
    page.shots("import-report")
    # the valid rows' notes (what was read, mapped or kept as written) are listed only when
    # the rows with errors are left out
    page.set_input_files("#file", files=[{"name": "ho-so.csv", "mimeType": "text/csv",
                                          "buffer": MESSY_CSV}])
    page.check("input[name=dry_run]")
    page.check("input[name=valid_only]")
    page.click("form.profile button[type=submit]")
    page.wait_for_selector("#import-report")
    assert page.locator("ul.import-warnings li").count() >= 5
    _check(page, "", seen)
    page.shots("import-notes")
    page.goto("/staff/index")
    page.click("form.status button[type=submit]")  # a rebuild, for its notes
    _wait_no_run(page)
    _check(page, "/staff/index", seen)
    page.shots("index")

    assert not seen, "English on Vietnamese pages:\n" + "\n".join(
        f"{path}: {text}" for path, texts in seen.items() for text in texts)
