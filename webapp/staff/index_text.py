"""The search index's notes (a run's message, a version's quality check) in the user's
language.

The engine (:mod:`recommender.versions`, :mod:`recommender.learn`,
:mod:`recommender.serving`) writes these notes in English into ``version.json`` and the
runs table, where the CLI and logs read them. The staff page words each known note here,
clause by clause, through the catalogue; a note it does not know (an exception's text) is
shown as written. A note's parts that are notes themselves (the reason after "promoted
v…:") are worded too.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_NUM = r"[-+]?\d+(?:\.\d+)?"
_RAW = {"version", "current", "metric", "before", "after", "tolerance", "drop", "gain",
        "margin", "n", "tuning", "held", "needed", "stage", "error", "holder", "changes",
        "at"}
"""Parts shown as they are (ids, figures, exception texts); every other part is a note."""

PATTERNS = [(re.compile(rf"^{pattern}$", re.S), template) for pattern, template in [
    # a run's outcome (recommender.versions.rebuild, recommender.serving.rebuild)
    (r"(?P<why>.+); this process could not load it \((?P<error>.+)\)",
     _l("%(why)s; tiến trình này không tải được nó (%(error)s)")),
    (r"promoted (?P<version>\S+): (?P<why>.+)", _l("đã đưa %(version)s vào phục vụ: %(why)s")),
    (r"not promoted (?P<version>\S+): (?P<why>.+); still serving (?P<current>\S+) "
     r"\(use --force to promote anyway\)",
     _l("không đưa %(version)s vào phục vụ: %(why)s; vẫn phục vụ %(current)s (dùng --force "
        "để buộc đưa vào)")),
    (r"not promoted (?P<version>\S+) \(it passed the quality check: (?P<why>.+)\): skipped "
     r"promotion because staff pinned (?P<current>\S+) by a rollback; run `index unpin` to "
     r"let rebuilds replace it, or rebuild with --force",
     _l("không đưa %(version)s vào phục vụ (đã đạt kiểm tra chất lượng: %(why)s) vì cán bộ đã "
        "ghim %(current)s khi quay lại; bỏ ghim để các lần huấn luyện lại thay nó, hoặc dùng "
        "--force")),
    (r"promoted (?P<version>\S+); the process stopped before it recorded the end of its run",
     _l("đã đưa %(version)s vào phục vụ; tiến trình dừng trước khi ghi xong lượt chạy")),
    (r"process stopped before finishing \(it was at the (?P<stage>\w+) stage; its lease "
     r"expired\)",
     _l("tiến trình dừng trước khi xong (đang ở bước %(stage)s; hết hạn giữ khoá)")),
    (r"process stopped before finishing \(its lease expired\)",
     _l("tiến trình dừng trước khi xong (hết hạn giữ khoá)")),
    (r"another index rebuild is running: (?P<holder>.+); wait for it to finish \(see "
     r"`flask --app webapp index status`\)",
     _l("một lượt xây dựng chỉ mục khác đang chạy: %(holder)s; hãy chờ nó xong")),
    (r"interrupted \((?P<error>\w+)\)", _l("bị ngắt (%(error)s)")),
    # a rollback refused (recommender.versions.VersionStore.rollback); never the store's path
    (r"no ready index version '(?P<version>[^']+)' in .+; see `index list`",
     _l("không có phiên bản chỉ mục “%(version)s” sẵn sàng")),
    (r"no earlier promoted version to roll back to",
     _l("không có phiên bản nào được phục vụ trước đó để quay lại")),
    (r"will not serve index version (?P<version>\S+): (?P<why>.+)",
     _l("sẽ không phục vụ phiên bản %(version)s: %(why)s")),
    (r"it failed to load on (?P<at>\S+) \((?P<error>.+)\); see `index status`",
     _l("nó không tải được lúc %(at)s (%(error)s)")),
    (r"it was never checked by the quality gate \(a rebuild stopped before finishing its "
     r"evaluation, or one is evaluating it now\)",
     _l("nó chưa từng qua kiểm tra chất lượng (một lượt huấn luyện lại dừng trước khi đánh giá "
        "xong, hoặc đang đánh giá)")),
    (r"the quality check refused it \((?P<why>.+)\); use --force to serve it anyway",
     _l("kiểm tra chất lượng đã từ chối nó (%(why)s); chọn buộc phục vụ nếu vẫn muốn dùng")),
    # a version's quality check (recommender.versions, recommender.serving.catalog)
    (r"promoted by force by a rollback \(the quality check had (?P<why>.+)\)",
     _l("buộc đưa vào phục vụ khi quay lại (kiểm tra chất lượng trước đó: %(why)s)")),
    (r"promoted by force: (?P<why>.+)", _l("buộc đưa vào phục vụ: %(why)s")),
    (r"promoted: (?P<why>.+)", _l("đưa vào phục vụ: %(why)s")),
    (r"passed, not promoted \(pinned\): (?P<why>.+)",
     _l("đạt, không đưa vào phục vụ (đang ghim): %(why)s")),
    (r"refused: (?P<why>.+)", _l("bị từ chối: %(why)s")),
    (r"promoted on start: (?P<why>.+)", _l("đưa vào phục vụ khi khởi động: %(why)s")),
    (r"adopted from the unversioned index of an earlier release",
     _l("dùng lại chỉ mục chưa có phiên bản của bản phát hành trước")),
    (r"no index version yet", _l("chưa có phiên bản chỉ mục nào")),
    (r"the profiles changed", _l("hồ sơ đã thay đổi")),
    (r"not evaluated", _l("chưa đánh giá")),
    (r"no earlier metrics to compare with", _l("không có số đo trước đó để so sánh")),
    (rf"(?P<metric>\S+) (?P<before>{_NUM}) -> (?P<after>{_NUM}) \(tolerance "
     rf"(?P<tolerance>{_NUM})\)",
     _l("%(metric)s %(before)s → %(after)s (ngưỡng cho phép %(tolerance)s)")),
    (rf"(?P<metric>\S+) fell by (?P<drop>{_NUM}) points \((?P<metric2>\S+) (?P<before>{_NUM}) "
     rf"-> (?P<after>{_NUM})\), more than the tolerance of (?P<tolerance>{_NUM})",
     _l("%(metric)s giảm %(drop)s điểm (%(before)s → %(after)s), quá ngưỡng cho phép "
        "%(tolerance)s")),
    # learning from use (recommender.learn.describe and the reasons it repeats)
    (r"learning from use: not run", _l("học từ lượt dùng: chưa chạy")),
    (r"learning from use: (?P<n>\d+) judged queries \((?P<tuning>\d+) tuning, (?P<held>\d+) "
     r"held apart\)",
     _l("học từ lượt dùng: %(n)s truy vấn có đánh giá (%(tuning)s để tinh chỉnh, %(held)s để "
        "kiểm tra)")),
    (r"learning from use: (?P<why>[^;]+)", _l("học từ lượt dùng: %(why)s")),
    (r"best on tuning: the configured weights",
     _l("tốt nhất khi tinh chỉnh: trọng số đang cấu hình")),
    (r"best on tuning: (?P<changes>.+)", _l("tốt nhất khi tinh chỉnh: %(changes)s")),
    (r"kept the configured weights: only (?P<n>\d+) judged queries in the interaction log "
     r"\(contacts and shortlists after a logged search\), at least (?P<needed>\d+) are needed",
     _l("giữ trọng số đang cấu hình: nhật ký tương tác mới có %(n)s truy vấn có đánh giá (liên "
        "hệ và danh sách lưu sau một lượt tìm), cần ít nhất %(needed)s")),
    (r"kept the configured weights: (?P<held>\d+) of (?P<n>\d+) judged queries fell in the "
     r"held-apart part, at least (?P<needed>\d+) are needed",
     _l("giữ trọng số đang cấu hình: %(held)s trên %(n)s truy vấn có đánh giá thuộc phần để "
        "kiểm tra, cần ít nhất %(needed)s")),
    (r"kept the configured weights: a logged query cannot be searched: (?P<error>.+)",
     _l("giữ trọng số đang cấu hình: một truy vấn trong nhật ký không tìm được: %(error)s")),
    (rf"kept the configured weights: held-apart (?P<metric>\S+) (?P<before>{_NUM}) -> "
     rf"(?P<after>{_NUM}) \((?P<gain>{_NUM})\), less than the margin of (?P<margin>{_NUM}) "
     r"points",
     _l("giữ trọng số đang cấu hình: %(metric)s trên phần để kiểm tra %(before)s → %(after)s "
        "(%(gain)s), thấp hơn mức %(margin)s điểm")),
    (rf"learned weights improve held-apart (?P<metric>\S+) (?P<before>{_NUM}) -> "
     rf"(?P<after>{_NUM}) \((?P<gain>{_NUM}), margin (?P<margin>{_NUM})\)",
     _l("trọng số học được cải thiện %(metric)s trên phần để kiểm tra %(before)s → %(after)s "
        "(%(gain)s, mức %(margin)s)")),
    (r"weights learned for version (?P<version>\S+) kept by a build on start",
     _l("giữ trọng số học được của phiên bản %(version)s khi xây dựng lúc khởi động")),
    (r"learning failed, the configured weights are used: (?P<error>.+)",
     _l("học từ lượt dùng bị lỗi, dùng trọng số đang cấu hình: %(error)s")),
    (r"used: no labelled queries to check them against",
     _l("đã dùng: không có truy vấn có nhãn để kiểm tra")),
    (rf"not used, the version keeps the configured weights: labelled (?P<metric>\S+) "
     rf"(?P<before>{_NUM}) -> (?P<after>{_NUM}) with the learned weights",
     _l("không dùng, phiên bản giữ trọng số đang cấu hình: %(metric)s có nhãn %(before)s → "
        "%(after)s với trọng số học được")),
    (rf"used: labelled (?P<metric>\S+) (?P<before>{_NUM}) -> (?P<after>{_NUM})",
     _l("đã dùng: %(metric)s có nhãn %(before)s → %(after)s")),
]]


def _clause(text: str) -> str:
    for pattern, template in PATTERNS:
        m = pattern.match(text)
        if m:
            parts = {k: v if k in _RAW or k == "metric2" else index_note(v)
                     for k, v in m.groupdict().items()}
            return str(template) % parts
    return text


def index_note(text: str | None) -> str:
    """A run's message or a version's check in the user's language (lines and "; "-joined
    parts worded one by one; unknown text as written)."""
    if not text:
        return ""
    lines = []
    for line in text.split("\n"):
        whole = _clause(line)
        if whole != line:
            lines.append(whole)
        else:
            lines.append("; ".join(_clause(part) for part in line.split("; ")))
    return "\n".join(lines)
