"""Import reports in the user's language: the library's notes
(:mod:`recommender.store.notes`, English with a code) worded through the catalogue."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from recommender.store.importer import RowError
from recommender.store.notes import Note

NOTES = {
    "file_type": _l("%(name)s: loại tệp “%(suffix)s” không được hỗ trợ; hãy dùng .jsonl, .csv "
                    "hoặc .xlsx"),
    "file_unreadable": _l("không đọc được %(name)s: %(why)s"),
    "file_too_large": _l("%(name)s nặng %(mb)s MB, quá giới hạn %(limit)s MB; hãy chia thành "
                         "các tệp nhỏ hơn và nhập lần lượt"),
    "jsonl_not_utf8": _l("%(name)s, dòng %(line)s: không phải văn bản UTF-8 (byte %(byte)s)"),
    "csv_not_utf8": _l("%(name)s không phải văn bản UTF-8 (byte %(byte)s); trong Excel hãy "
                       "chọn “CSV UTF-8 (Comma delimited)” khi lưu"),
    "csv_unreadable": _l("%(name)s, dòng %(line)s: %(why)s"),
    "xlsx_unreadable": _l("%(name)s không phải bảng tính .xlsx đọc được (%(why)s)"),
    "database_refused": _l("cơ sở dữ liệu từ chối lần nhập, không có gì được ghi: %(why)s"),
    "column_unknown": _l("cột không nhận ra: giá trị được giữ cùng hồ sơ nhưng không dùng để "
                         "tìm kiếm%(suggestion)s"),
    "did_you_mean": _l(" (có phải “%(column)s”?)"),
    "column_twice": _l("cùng trường (%(field)s) với cột “%(column)s”: hãy giữ một cột"),
    "column_read_as": _l("được đọc là cột %(field)s"),
    "column_missing": _l("thiếu cột bắt buộc (cột %(columns)s)"),
    "columns_or": _l("“%(first)s” hoặc “%(second)s”"),
    "columns_or_slash": _l("“%(first)s” hoặc “%(second)s” / “%(third)s”"),
    "not_json": _l("không phải JSON hợp lệ (%(why)s ở cột %(column)s)"),
    "not_object": _l("phải là một đối tượng JSON, không phải %(type)s"),
    "too_many_cells": _l("có %(cells)s ô nhưng tiêu đề chỉ có %(columns)s cột"),
    "unknown_field": _l("trường không nhận ra%(suggestion)s: được giữ cùng hồ sơ, không dùng "
                        "để tìm kiếm"),
    "required": _l("là bắt buộc"),
    "required_empty": _l("là bắt buộc: dòng thiếu mục này không thể hiển thị cho người mua"),
    "same_profile_twice": _l("cập nhật cùng hồ sơ đã lưu với dòng %(row)s (khớp theo mã số "
                             "thuế %(tax_code)s)"),
    "tax_code_taken": _l("mã số thuế %(tax_code)s đã thuộc về %(owner)s"),
    "owner_profile": _l("hồ sơ đã lưu “%(external_id)s”"),
    "owner_row": _l("dòng %(row)s"),
    "id_twice": _l("“%(external_id)s” xuất hiện lần nữa (lần đầu ở dòng %(row)s)"),
    "tax_code_twice": _l("mã số thuế %(tax_code)s xuất hiện lần nữa (lần đầu ở dòng %(row)s)"),
    "id_derived": _l("không có mã hồ sơ: dùng %(external_id)s (lấy từ mã số thuế hoặc tên; "
                     "cùng dòng sẽ được cùng mã)"),
    "type_bool": _l("đúng/sai"),
    "type_number": _l("một số"),
    "type_text": _l("văn bản"),
    "type_list": _l("một danh sách"),
    "type_object": _l("một đối tượng"),
    "not_text": _l("phải là văn bản, không phải %(type)s"),
    "too_long": _l("quá dài (%(length)s ký tự; tối đa %(limit)s)"),
    "not_whole_number": _l("phải là số nguyên, không phải %(value)s"),
    "out_of_range": _l("phải từ 0 đến %(max)s, không phải %(value)s"),
    "employees_range": _l("phải từ 0 đến %(max)s"),
    "not_number": _l("phải là một số, không phải %(value)s"),
    "not_amount": _l("phải là số tỷ đồng như 12.5 (không dùng dấu phân cách hàng nghìn), "
                     "không phải “%(value)s”"),
    "negative": _l("không được âm, đang là %(value)s"),
    "not_boolean": _l("phải là true hoặc false, không phải “%(value)s”"),
    "not_date_type": _l("phải là ngày (NNNN-TT-NN), không phải %(type)s"),
    "not_date": _l("“%(value)s” không phải ngày (NNNN-TT-NN)"),
    "not_timestamp": _l("“%(value)s” không phải ngày giờ ISO 8601"),
    "not_timestamp_type": _l("phải là ngày hoặc giờ, không phải %(type)s"),
    "in_future": _l("%(value)s nằm trong tương lai"),
    "not_json_array": _l("không phải mảng JSON hợp lệ (%(why)s)"),
    "not_list": _l("phải là danh sách hoặc văn bản ngăn cách bằng dấu ;, không phải %(type)s"),
    "item": _l("mục %(n)s %(problem)s"),
    "certificate": _l("chứng chỉ %(n)s: %(problem)s"),
    "certificate_type": _l("chứng chỉ %(n)s phải là đối tượng hoặc văn bản, không phải "
                           "%(type)s"),
    "certificate_keys": _l("chứng chỉ %(n)s có khóa không hỗ trợ %(keys)s (được dùng: "
                           "%(allowed)s)"),
    "certificate_no_name": _l("chứng chỉ %(n)s chưa có tên"),
    "certificate_unreadable": _l("không đọc được chứng chỉ “%(text)s”: hãy viết như "
                                 "“ISO 9001 (Bureau Veritas, 2027-05-31)”"),
    "not_http": _l("“%(value)s”: chỉ nhận địa chỉ http:// và https://"),
    "not_web_address": _l("“%(value)s” không phải địa chỉ web như https://example.com.vn"),
    "bad_external_id": _l("“%(value)s” chỉ được chứa chữ, số và . _ - : /"),
    "tax_code_number": _l("phải là văn bản: định dạng cột là Văn bản (Text) để giữ số 0 ở "
                          "đầu"),
    "not_tax_code": _l("“%(value)s” không phải mã số thuế: mã số thuế có 10 chữ số, hoặc 13 "
                       "cho chi nhánh (0123456789-001)"),
    "tax_code_check_digit": _l("“%(value)s” không phải mã số thuế hợp lệ: chữ số kiểm tra sai "
                               "(gõ nhầm?)"),
    "tax_code_branch_000": _l("“%(value)s”: không có chi nhánh số 000 (chi nhánh bắt đầu từ "
                              "001)"),
    "unknown_size_class": _l("quy mô “%(value)s” không có trong danh mục (micro, small, medium "
                             "hoặc large)"),
    "size_class_mismatch": _l("“%(declared)s” không khớp với các số liệu (lao động, doanh thu, "
                              "vốn), theo đó quy mô là “%(figures)s”"),
    "size_class_possible": _l("“%(declared)s” không khớp với các số liệu (lao động, doanh thu, "
                              "vốn); có thể là: %(possible)s"),
    "not_language": _l("“%(value)s” không phải mã ngôn ngữ hai chữ cái (vi, en, ...)"),
    "not_email": _l("“%(value)s” không phải địa chỉ email"),
    "location_not_json": _l("không phải đối tượng JSON hợp lệ (%(why)s)"),
    "location_keys": _l("có khóa không hỗ trợ %(keys)s (được dùng: park, ward, address)"),
    "location_ward": _l("phường/xã %(problem)s"),
    "location_type": _l("phải là địa chỉ, tên khu công nghiệp hoặc một đối tượng, không phải "
                        "%(type)s"),
    "ward_differs": _l("khác với phường/xã ghi trong địa điểm"),
    "park_read_as": _l("“%(value)s”: được đọc là khu %(park)s"),
    "outside_hcmc": _l("“%(value)s” nằm ngoài TP.HCM: được giữ làm địa chỉ"),
    "no_place": _l("“%(value)s”: không nhận ra khu công nghiệp, phường/xã hay quận/huyện cũ; "
                   "được giữ làm địa chỉ"),
    "sector_unknown": _l("“%(value)s” không phải ngành nào trong danh mục: giữ nguyên văn; "
                         "ngành được lấy từ quy trình nếu quy trình cho biết"),
    "sector_read_as": _l("“%(value)s” được đọc là %(label)s (%(key)s)"),
    "sector_from_processes": _l("lấy từ quy trình: %(label)s"),
    "phrase_unmapped": _l("“%(phrase)s” không khớp thuật ngữ nào trong danh mục: giữ nguyên "
                          "văn (vẫn tìm được) để cán bộ ánh xạ"),
    "phrase_read_as": _l("“%(phrase)s” được đọc là %(names)s, độ tin cậy %(confidence)s"),
    "processes_from_description": _l("không có quy trình: đọc từ phần mô tả: %(labels)s"),
    "no_headcount": _l("“%(value)s” không có số lao động"),
    "headcount_lower_bound": _l("“%(value)s” được đọc là %(number)s (cận dưới)"),
    "headcount_read_as": _l("“%(value)s” được đọc là %(number)s"),
    "ownership_read_as": _l("“%(value)s” được đọc là loại hình sở hữu %(key)s"),
    "ownership_legal_form": _l("“%(value)s” là loại hình pháp lý, không phải loại hình sở hữu: "
                               "giữ nguyên văn, sở hữu để trống"),
    "ownership_unknown": _l("“%(value)s” không cho biết loại hình sở hữu (trong nước, FDI hay "
                            "liên doanh): giữ nguyên văn, sở hữu để trống"),
    "certificate_not_held": _l("“%(value)s” chưa đạt: không ghi là chứng chỉ"),
    "certificate_unusual": _l("chứng chỉ “%(name)s” không phải loại người mua thường lọc: ghi "
                              "nguyên văn"),
}
"""Every code of :data:`recommender.store.notes.TEMPLATES`, worded in Vietnamese (the
source language of the catalogue)."""


def _param(value: Any) -> Any:
    return note_text(value) if isinstance(value, Note) else value


def note_text(note: str) -> str:
    """A note in the user's language; text that is not a :class:`Note` (place notes, which
    are Vietnamese already) is shown as it is."""
    if not isinstance(note, Note) or note.code not in NOTES:
        return str(note)
    template = str(NOTES[note.code])
    if "%(" not in template:
        return template
    return template % {k: _param(v) for k, v in note.params.items()}


def renamed(note: str, name: str) -> str:
    """``note`` about the uploaded file under the name staff gave it (the server saves it
    under a name of its own)."""
    if isinstance(note, Note) and "name" in note.params:
        return Note(note.code, **{**note.params, "name": name,
                                  **({"path": name} if "path" in note.params else {})})
    return note


def row_problem(problem: RowError) -> str:
    """``Dòng 3, tax_code: …`` / ``Row 3, tax_code: …`` in the user's language."""
    if problem.field:
        return gettext("Dòng %(row)d, %(field)s: %(message)s", row=problem.row,
                       field=problem.field, message=note_text(problem.message))
    return gettext("Dòng %(row)d: %(message)s", row=problem.row,
                   message=note_text(problem.message))
