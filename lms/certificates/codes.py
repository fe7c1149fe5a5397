"""Unguessable verification codes in Crockford base32, forgiving of how people retype them."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20  # 20 symbols x 5 bits = 100 bits: too many to guess by trying verification URLs
GROUP = 4
# Crockford's rule: letters that look like digits are read as those digits.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = str.maketrans("", "", " -\t\n\r\u00a0")
_VALID = frozenset(ALPHABET)


def new_code() -> str:
    """Return a fresh random code such as '7K3M-Q9TZ-0B4D-XW2R-HN8P'."""
    return _group("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def normalize_code(text: str) -> str | None:
    """Return the canonical grouped form of a typed code, or None when it cannot be one."""
    symbols = text.translate(_SEPARATORS)
    if not symbols.isascii():  # before upper(): "ı".upper() is "I" and "ß".upper() is "SS"
        return None
    symbols = symbols.upper().translate(_CONFUSABLE)
    if len(symbols) != LENGTH or not _VALID.issuperset(symbols):
        return None
    return _group(symbols)


def _group(symbols: str) -> str:
    return "-".join(symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP))
