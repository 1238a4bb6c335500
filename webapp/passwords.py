"""Passwords: Argon2id hashes, and a policy of a length floor plus a common-password check.

A password is refused when it is shorter than :data:`MIN_PASSWORD`, is one of the
20,000 most common passwords (``data/common-passwords.txt.gz``, Django's list),
is a common password with digits or symbols around it ("password2024!"), uses
at most two distinct characters, or is the account's e-mail or its name part.
Messages are in Vietnamese, the site's language.
"""

from __future__ import annotations

import functools
import gzip
import re
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _

MIN_PASSWORD = 10
_hasher = PasswordHasher()
DUMMY_HASH = _hasher.hash("no account has this password")
"""Verified against when the e-mail is unknown, so the answer time does not tell."""


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; never the password itself)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


VIETNAMESE_COMMON = ("matkhau", "anhyeuem", "emyeuanh", "yeuem", "vietnam", "saigon",
                     "hochiminh", "hanoi", "ketnoi", "congty", "doanhnghiep")
"""Words Vietnamese users often build passwords from (the shipped list is English)."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords plus :data:`VIETNAMESE_COMMON`, lower-cased."""
    with files("webapp").joinpath("data/common-passwords.txt.gz").open("rb") as raw, \
            gzip.open(raw, "rt", encoding="utf-8") as fh:
        listed = {line.strip().lower() for line in fh if line.strip()}
    return frozenset(listed | set(VIETNAMESE_COMMON))


_AROUND = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$")


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` is refused (in the user's language), or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return _("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD)
    lowered = password.lower()
    if len(set(lowered)) <= 2:
        return _("Mật khẩu này quá đơn giản: hãy dùng nhiều ký tự khác nhau.")
    core = _AROUND.match(lowered).group(1)
    common = common_passwords()
    if lowered in common or (len(core) >= 4 and core in common):
        return _("Mật khẩu này nằm trong danh sách mật khẩu phổ biến: hãy chọn mật khẩu khác.")
    email = email.strip().lower()
    if email and (lowered == email or lowered == email.split("@")[0]
                  or (len(core) >= 4 and core == email.split("@")[0])):
        return _("Mật khẩu không được giống địa chỉ email.")
    return None
