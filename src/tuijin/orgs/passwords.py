"""The password policy: one validator, every rule, messages in Chinese.

Refuses passwords that are short, all digits, on the common-password list, a word plus a year
(`Tuijin2026`, `Password@2025`), a common word padded with digits and symbols, or built from the
account's own names (username, name, person's name and number) or the platform's name.
"""

import re
from difflib import SequenceMatcher
from functools import lru_cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# The platform's own names: the first words anyone guesses for this site.
SITE_WORDS = ("tuijin", "推进", "zhuti", "主题教育", "dangjian", "党建")
YEAR = r"(?:19|20)\d{2}"
WORD_AND_YEAR = re.compile(rf"^(?:[a-z]+[\W_]*{YEAR}|{YEAR}[\W_]*[a-z]+)[\W_\d]{{0,3}}$")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _own_words(user) -> list[str]:
    if user is None:
        return []
    words = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
        (getattr(user, "email", "") or "").split("@")[0],
    ]
    person = getattr(user, "person", None) if getattr(user, "person_id", None) else None
    if person is not None:
        words += [person.name, person.number]
    return [w.strip().lower() for w in words if w and len(w.strip()) >= 2]


class PasswordPolicy:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        lower = password.lower()
        letters = re.sub(r"[^a-z]", "", lower)
        errors = []
        if len(password) < self.min_length:
            errors.append(f"密码太短：至少 {self.min_length} 位（现在 {len(password)} 位）")
        if password.isdigit():
            errors.append("密码不能全是数字")
        if lower in _common():
            errors.append("密码太常见，容易被猜中")
        elif WORD_AND_YEAR.match(lower):
            errors.append("密码不能是“单词 + 年份”的组合（如 Tuijin2026），这类密码最先被猜")
        elif len(letters) >= 4 and letters in _common() and len(letters) >= len(lower) - 6:
            errors.append("密码是常见单词加上数字或符号，容易被猜中")
        site = next((w for w in SITE_WORDS if w in lower), None)
        if site:
            errors.append(f"密码不能包含平台名称“{site}”")
        own = next(
            (
                w
                for w in _own_words(user)
                if w in lower
                or (SequenceMatcher(a=lower, b=w).quick_ratio() >= 0.7 and SequenceMatcher(a=lower, b=w).ratio() >= 0.7)
            ),
            None,
        )
        if own:
            errors.append("密码不能包含或接近本账号的账号名、姓名或人员编号")
        if errors:
            raise ValidationError(errors, code="password_policy")

    def get_help_text(self) -> str:
        return (
            f"至少 {self.min_length} 位；不能全是数字，不能是常见密码或“单词 + 年份”（如 Tuijin2026），"
            "不能包含账号名、姓名或平台名称"
        )
