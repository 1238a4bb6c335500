"""What an import or a reading of free wording says to staff, in words any language can use.

A :class:`Note` is English text (what the CLI, logs and tests read: it *is* a ``str``)
that also carries a ``code`` and its parameters, so the web app can word the same note in
the user's language (``webapp/staff/report_text.py``) without the library knowing about
the web. Parameters may be notes themselves (a problem inside "certificate 2: ..."); they
are worded first.
"""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, str] = {
    # the file as a whole
    "file_type": "{name}: unknown file type {suffix!r}; use .jsonl, .csv or .xlsx",
    "file_unreadable": "cannot read {path}: {why}",
    "file_too_large": "{name} is {mb} MB, more than the {limit} MB limit; split it into "
                      "smaller files and import them one after another",
    "jsonl_not_utf8": "{name}, line {line}: not UTF-8 text (byte {byte})",
    "csv_not_utf8": "{name} is not UTF-8 text (byte {byte}); in Excel choose "
                    "'CSV UTF-8 (Comma delimited)' when saving",
    "csv_unreadable": "{name}, row {line}: {why}",
    "xlsx_unreadable": "{name} is not a readable .xlsx workbook ({why})",
    "database_refused": "the database refused the import, nothing was written: {why}",
    # the header
    "column_unknown": "column not recognised: its values are kept with each profile but "
                      "not searched{suggestion}",
    "did_you_mean": " (did you mean {column!r}?)",
    "column_twice": "names the same field ({field}) as column {column!r}: keep one of them",
    "column_read_as": "read as the {field} column",
    "column_missing": "required column is missing (a {columns} column)",
    "columns_or": "{first!r} or {second!r}",
    "columns_or_slash": "{first!r} or {second!r} / {third!r}",
    # a row
    "not_json": "not valid JSON ({why} at column {column})",
    "not_object": "must be a JSON object, not {type}",
    "too_many_cells": "has {cells} cells but the header names {columns} columns",
    "unknown_field": "unknown field{suggestion}: kept with the profile, not searched",
    "required": "is required",
    "required_empty": "is required: a row without it cannot be shown to buyers",
    "same_profile_twice": "updates the same stored profile as row {row} (matched by tax_code "
                          "{tax_code})",
    "tax_code_taken": "{tax_code} already belongs to {owner}",
    "owner_profile": "stored profile {external_id!r}",
    "owner_row": "row {row}",
    "id_twice": "{external_id!r} appears again (first on row {row})",
    "tax_code_twice": "{tax_code} appears again (first on row {row})",
    "id_derived": "no id given: {external_id} (from the tax code or the name; the same row "
                  "gets the same id again)",
    # a value
    "type_bool": "true/false",
    "type_number": "a number",
    "type_text": "text",
    "type_list": "a list",
    "type_object": "an object",
    "not_text": "must be text, not {type}",
    "too_long": "is too long ({length} characters; at most {limit})",
    "not_whole_number": "must be a whole number, not {value}",
    "out_of_range": "must be between 0 and {max}, not {value}",
    "employees_range": "must be between 0 and {max}",
    "not_number": "must be a number, not {value}",
    "not_amount": "must be a number of billion VND like 12.5 (no thousands separators), "
                  "not {value!r}",
    "negative": "must not be negative, got {value}",
    "not_boolean": "must be true or false, not {value!r}",
    "not_date_type": "must be a date (YYYY-MM-DD), not {type}",
    "not_date": "{value!r} is not a date (YYYY-MM-DD)",
    "not_timestamp": "{value!r} is not an ISO 8601 date or time",
    "not_timestamp_type": "must be a date or time, not {type}",
    "in_future": "{value} is in the future",
    "not_json_array": "is not a valid JSON array ({why})",
    "not_list": "must be a list or ;-separated text, not {type}",
    "item": "item {n} {problem}",
    "certificate": "certificate {n}: {problem}",
    "certificate_type": "certificate {n} must be an object or text, not {type}",
    "certificate_keys": "certificate {n} has unknown keys {keys} (allowed: {allowed})",
    "certificate_no_name": "certificate {n} has no name",
    "certificate_unreadable": "cannot read certificate {text!r}: write it as "
                              "'ISO 9001 (Bureau Veritas, 2027-05-31)'",
    "not_http": "{value!r}: only http:// and https:// addresses are accepted",
    "not_web_address": "{value!r} is not a web address like https://example.com.vn",
    "bad_external_id": "{value!r} may hold only letters, digits and . _ - : /",
    "tax_code_number": "must be text: format the column as Text so a leading 0 is kept",
    "not_tax_code": "{value!r} is not a tax code: a Vietnamese MST has 10 digits, or 13 for "
                    "a branch (0123456789-001)",
    "tax_code_check_digit": "{value!r} is not a valid tax code: its check digit is wrong "
                            "(a typing mistake?)",
    "tax_code_branch_000": "{value!r}: branch number 000 does not exist (branches start at "
                           "001)",
    "unknown_size_class": "unknown size class {value!r} (micro, small, medium or large)",
    "size_class_mismatch": "{declared!r} does not match the figures (employees, revenue, "
                           "capital), which make it {figures!r}",
    "size_class_possible": "{declared!r} does not match the figures (employees, revenue, "
                           "capital); possible: {possible}",
    "not_language": "{value!r} is not a two-letter language code (vi, en, ...)",
    "not_email": "{value!r} is not an e-mail address",
    # the location
    "location_not_json": "is not a valid JSON object ({why})",
    "location_keys": "has unknown keys {keys} (allowed: park, ward, address)",
    "location_ward": "ward {problem}",
    "location_type": "must be an address, a park name or an object, not {type}",
    "ward_differs": "differs from the ward given in location",
    "park_read_as": "{value!r}: park read as {park}",
    "outside_hcmc": "{value!r} lies outside Ho Chi Minh City: kept as the address",
    "no_place": "{value!r}: no park, ward or former district recognised; kept as the address",
    # free wording read (recommender.store.wording)
    "sector_unknown": "{value!r} names no sector of the taxonomy: kept as written; the sector "
                      "is taken from the processes where they name one",
    "sector_read_as": "{value!r} read as {label} ({key})",
    "sector_from_processes": "taken from the processes: {label}",
    "phrase_unmapped": "{phrase!r} matches no taxonomy term: kept as free text (searchable) "
                       "for staff to map",
    "phrase_read_as": "{phrase!r} read as {names}, confidence {confidence}",
    "processes_from_description": "no process given: read from the description: {labels}",
    "no_headcount": "{value!r} holds no number of employees",
    "headcount_lower_bound": "{value!r} read as {number} (the lower bound)",
    "headcount_read_as": "{value!r} read as {number}",
    "ownership_read_as": "{value!r} read as ownership {key}",
    "ownership_legal_form": "{value!r} is a legal form, not an ownership: kept as written, "
                            "ownership left unknown",
    "ownership_unknown": "{value!r} names no ownership (domestic, FDI or joint venture): kept "
                         "as written, ownership left unknown",
    "certificate_not_held": "{value!r} is not held yet: not listed as a certificate",
    "certificate_unusual": "certificate {name!r} is not one buyers usually filter by: listed "
                           "as written",
}
"""Every note's English wording; ``{name}`` is filled from the note's parameters."""


class Note(str):
    """English text with the ``code`` of :data:`TEMPLATES` and the ``params`` it was made
    from. Text built from a note (``+``, f-strings) is plain English text again."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, **params: Any) -> Note:
        note = super().__new__(cls, TEMPLATES[code].format(**params))
        note.code, note.params = code, params
        return note

    def __reduce__(self):  # pickled (a job's report) as what it was made from
        return _note, (self.code, self.params)


def _note(code: str, params: dict[str, Any]) -> Note:
    return Note(code, **params)


def type_name(value: Any) -> str:
    """How a value's kind is named in a note ("must be text, not a list")."""
    if isinstance(value, bool):
        return Note("type_bool")
    if isinstance(value, int | float):
        return Note("type_number")
    if isinstance(value, str):
        return Note("type_text")
    if isinstance(value, list):
        return Note("type_list")
    if isinstance(value, dict):
        return Note("type_object")
    return type(value).__name__


def note_of(exc: BaseException) -> str:
    """An exception's message, keeping its :class:`Note` (``str(exc)`` would drop it)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)
