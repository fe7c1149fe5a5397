"""Password strength: zxcvbn's estimate, with the reasons said in Indonesian (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from zxcvbn import zxcvbn

MIN_LENGTH = 8
MIN_SCORE = 3
# zxcvbn refuses longer input (it slows down sharply); 72 characters of a password say enough.
CHECKED_LENGTH = 72
# Words an attacker tries first against this app, besides the person's own data: the setting...
APP_WORDS = ("bimtek", "diskominfo", "kominfo", "pemda", "pemkab", "pemkot", "pemprov", "asn",
             "pns", "opd", "ppid", "lms", "admin", "peserta", "narasumber")
# ... and Indonesian words common in leaked passwords, which zxcvbn's English lists lack.
COMMON_WORDS = ("sandi", "katasandi", "rahasia", "indonesia", "merdeka", "bismillah", "sayang",
                "cinta", "sayangku", "cintaku", "bangsa", "garuda", "pancasila")

TOO_SHORT = f"Kata sandi minimal {MIN_LENGTH} karakter."
PERSONAL = ("Jangan memakai nama, NIP, surel, atau nomor HP Anda, nama instansi, atau kata seperti "
            "\"bimtek\".")
COMMON = "Kata sandi ini termasuk yang paling sering dipakai."
SIMILAR = "Kata sandi ini mirip kata sandi yang sering dipakai."
REPEAT = "Pola berulang seperti \"abcabc\" atau \"aaaa\" mudah ditebak."
SEQUENCE = "Urutan seperti \"abcd\" atau \"1234\" mudah ditebak."
KEYBOARD = "Deretan tombol papan ketik seperti \"qwerty\" mudah ditebak."
DATE = "Tanggal dan tahun (mis. tanggal lahir) mudah ditebak."
WORD = "Satu kata atau nama saja mudah ditebak."
GUESSABLE = "Kata sandi ini terlalu mudah ditebak."
ADVICE = (" Gabungkan tiga kata atau lebih yang tidak berhubungan dengan Anda, mis. dipisah "
          "tanda hubung.")


def personal_words(values: Iterable[str | None]) -> list[str]:
    """Return each value lower-cased, whole and split into its words of three letters or more."""
    words: list[str] = []
    for value in values:
        text = (value or "").strip().lower()
        if text:
            words.append(text)
            words.extend(part for part in re.split(r"[^0-9a-z]+", text) if len(part) >= 3)
    return list(dict.fromkeys(words))


def password_problem(password: str, user_inputs: Iterable[str | None] = ()) -> str | None:
    """Return why password is too weak (Indonesian, for the form), or None if it is strong enough."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    words = personal_words(user_inputs)
    if any(len(word) >= 5 and word in password.lower() for word in words):
        return PERSONAL + ADVICE
    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=words + list(APP_WORDS + COMMON_WORDS))
    if result["score"] >= MIN_SCORE:
        return None
    return _reason(result["sequence"]) + ADVICE


def _reason(sequence: list[dict[str, Any]]) -> str:
    known = [m["matched_word"] for m in sequence if m.get("dictionary_name") == "user_inputs"]
    if any(word not in COMMON_WORDS for word in known):
        return PERSONAL
    if known:
        return COMMON
    if not sequence:
        return GUESSABLE
    longest = max(sequence, key=lambda match: len(match["token"]))
    pattern = longest["pattern"]
    if pattern == "dictionary":
        return _dictionary_reason(longest, len(sequence) == 1)
    return {"repeat": REPEAT, "sequence": SEQUENCE, "spatial": KEYBOARD, "date": DATE,
            "regex": DATE}.get(pattern, GUESSABLE)


def _dictionary_reason(match: dict[str, Any], sole: bool) -> str:
    if match["dictionary_name"] == "passwords":
        return COMMON if sole and match["rank"] <= 10000 else SIMILAR
    return WORD if sole else GUESSABLE
