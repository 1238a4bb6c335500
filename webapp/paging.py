"""Paging, parsed one way: ``page`` and ``per_page`` from a query string, and ``_meta``.

Pages (HTML) fall back to the defaults on unusable values; the API refuses them
with :class:`BadPage` (400 in the error shape).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

PER_PAGE = 20
MAX_PER_PAGE = 100


class BadPage(ValueError):
    """Unusable ``page`` or ``per_page`` parameters (the message is in the user's language)."""


def page_args(args: Mapping[str, Any] | None = None, *, strict: bool, per_page: int = PER_PAGE,
              max_per_page: int = MAX_PER_PAGE, max_results: int | None = None,
              per_page_alias: str | None = None) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1..``max_per_page``) from ``args`` (by default the
    request's query string).

    Args:
        strict: raise :class:`BadPage` on bad values (the API); else fall back to page 1
            and the default size (pages).
        max_results: only this many results can be paged through (``page`` beyond is bad).
        per_page_alias: an older name accepted for ``per_page`` (the search API's ``k``).
    """
    if args is None:
        from flask import request

        args = request.args
    default = per_page
    try:
        raw_size = args.get("per_page")
        if raw_size is None and per_page_alias:
            raw_size = args.get(per_page_alias)
        page = int(args.get("page", 1))
        size = int(raw_size if raw_size is not None else default)
    except (TypeError, ValueError):
        if strict:
            raise BadPage(_("page và per_page phải là số nguyên.")) from None
        return 1, default
    problem = None
    if page < 1:
        problem = _("page phải từ 1 trở lên.")
    elif not 1 <= size <= max_per_page:
        problem = _("per_page phải từ 1 đến %(max)d.", max=max_per_page)
    elif max_results is not None and (page - 1) * size >= max_results:
        problem = _("Chỉ xem được %(n)d kết quả đầu tiên.", n=max_results)
    if problem:
        if strict:
            raise BadPage(problem)
        return 1, default
    return page, size


def page_meta(page: int, per_page: int, total: int, count: int) -> dict[str, int]:
    """The ``_meta`` of a paginated list; ``count`` is the items on this page."""
    return {"count": count, "page": page, "per_page": per_page, "total": total,
            "pages": max(1, -(-total // per_page))}
