"""Word checks: listed jargon and non-standard words, abbreviations, spelling, capitals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lms.caption import speller
from lms.caption.lists import Term, WordLists
from lms.caption.model import (
    CHECK,
    EJAAN,
    JARGON,
    KAPITAL,
    KATA_BAKU,
    KATA_DEPAN,
    WRONG,
    Raw,
    Text,
)

MAX_SUGGESTIONS = 3     # Hunspell's suggestions cost up to ~0.1 s each: only for the first few words
MAX_SUGGESTED_LENGTH = 12
DAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu")   # "minggu" is also "week"
MONTHS = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober",
          "november", "desember")
# Words after which "di"/"ke" is the preposition, never the prefix.
PLACES = frozenset({
    "sini", "sana", "situ", "mana", "atas", "bawah", "dalam", "luar", "depan", "belakang", "samping", "tengah",
    "antara", "sekitar", "rumah", "aula", "kantor", "sekolah", "balai", "gedung", "lapangan", "desa",
    "kecamatan", "kelurahan", "kabupaten", "kota", "provinsi", "puskesmas", "posyandu", "pasar", "masjid",
    "ruang", "taman", "jalan", "lokasi", "tempat", "pendopo", "pendapa", "wilayah", "daerah", "kampung",
})
# Words of titles and office names, checked even when capitalised in the middle of a sentence: a
# name is not checked, but "Kabupten" or "Kepla Dinas" is a typo of one of these, not a name.
OFFICE_WORDS = frozenset({
    "kabupaten", "kecamatan", "kelurahan", "provinsi", "kota", "desa", "dinas", "badan", "bidang", "bagian",
    "kepala", "bupati", "wakil", "gubernur", "camat", "lurah", "sekretaris", "daerah", "pemerintah",
    "kesehatan", "pendidikan", "sosial", "perhubungan", "pertanian", "perikanan", "pariwisata", "kebudayaan",
    "komunikasi", "informatika", "kependudukan", "pencatatan", "sipil", "lingkungan", "hidup", "perumahan",
    "permukiman", "pekerjaan", "umum", "penataan", "ruang", "perdagangan", "perindustrian", "koperasi",
    "ketenagakerjaan", "pemuda", "olahraga", "perpustakaan", "kearsipan", "keuangan", "pendapatan",
    "perencanaan", "pembangunan", "kepegawaian", "puskesmas", "balai", "aula", "gedung", "kantor", "sekolah",
    "rumah", "sakit", "masyarakat", "pemberdayaan", "perempuan", "perlindungan", "anak", "ketua",
})
_TABLE_TEXT = {
    "asing": ("\"{x}\": istilah asing; bagi warga lebih jelas \"{r}\"", "jargon", CHECK, JARGON),
    "dinas": ("\"{x}\": bahasa dinas; bagi warga lebih jelas \"{r}\"", "jargon", CHECK, JARGON),
    "tidak_baku": ("\"{x}\" tidak baku; tulis \"{r}\"", "ejaan", WRONG, KATA_BAKU),
    "singkatan_pesan": ("\"{x}\": singkatan gaya pesan singkat; tulis \"{r}\"", "singkatan", WRONG, JARGON),
    "singkatan_dinas": ("\"{x}\": singkatan dinas yang asing bagi warga; tulis \"{r}\" pada penyebutan pertama",
                        "singkatan", CHECK, JARGON),
}
_ABBREVIATION = re.compile(r"(?<![\w.])[A-Z][A-Z0-9]{1,7}(?:-[A-Za-z0-9]+)?(?![\w])")
_ROMAN = re.compile(r"^[IVXLCDM]+$")


def _normal(term: str) -> str:
    return re.sub(r"[\s-]+", " ", term.lower().replace("’", "'"))


@lru_cache(maxsize=8)
def _term_pattern(terms: tuple[Term, ...]) -> tuple[re.Pattern[str], dict[str, Term]]:
    by_text = {_normal(t.term): t for t in terms}
    parts = sorted(by_text, key=len, reverse=True)
    alternatives = [re.escape(p).replace(r"\ ", r"[\s-]+").replace("'", "['’]") for p in parts]
    body = "|".join(alternatives) or r"(?!x)x"
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w])", re.IGNORECASE), by_text


def _lists_key(lists: WordLists) -> tuple[Term, ...]:
    return tuple(lists.terms)


def terms(doc: Text) -> Iterator[Raw]:
    """Report every jargon.toml term (abbreviations of the dinas once, unless spelled out)."""
    pattern, by_text = _term_pattern(_lists_key(doc.lists))
    reported: set[str] = set()
    for match in pattern.finditer(doc.masked):
        term = by_text[_normal(match.group())]
        start, end = match.span()
        if _dotted(doc.masked, start, end):
            continue
        doc.take(start, end)
        if _skip_term(doc, term, start, end, reported):
            continue
        reported.add(term.term)
        text, kind, certainty, lesson = _TABLE_TEXT[term.table]
        yield Raw(kind, start, end, text.format(x=match.group(), r=term.replacement), certainty, lesson)


def _skip_term(doc: Text, term: Term, start: int, end: int, reported: set[str]) -> bool:
    if term.table in {"asing", "dinas"}:
        # Part of a name (Tim Percepatan Penurunan Stunting), or given beside its alternative.
        return (doc.masked[start].isupper() and not doc.sentence_start(start)) or _paired(doc, term, start, end)
    if term.table == "singkatan_dinas":
        # Only the first use counts: spelled out there, every later use is fine.
        first = term.term not in reported
        reported.add(term.term)
        return not first or _spelled_out(doc.masked, start, end)
    return False


def _dotted(text: str, start: int, end: int) -> bool:
    """Tell whether the span is part of an abbreviation with inner dots (S.E., M.Pd., S.Sos.)."""
    return bool(re.match(r"\.\w", text[end:end + 2])) or (start > 1 and text[start - 1] == "."
                                                          and text[start - 2].isalpha())


def _paired(doc: Text, term: Term, start: int, end: int) -> bool:
    """Tell whether the term stands in parentheses after its alternative, or the alternative after it."""
    before = doc.masked[max(0, start - len(term.replacement) - 6):start].lower()
    after = doc.masked[end:end + len(term.replacement) + 6].lower()
    alternative = term.replacement.lower()
    return (before.rstrip(" *_").endswith("(") and alternative in before) or (
        after.lstrip(" ").startswith("(") and alternative in after)


def _spelled_out(text: str, start: int, end: int) -> bool:
    """Tell whether an abbreviation stands in parentheses after its long form, or is followed by it."""
    enclosed = text[start - 1:start] == "(" and text[end:end + 1] == ")"
    followed = re.match(r"\s*\((?:[^\W\d_]+\s+){1,}[^\W\d_]+", text[end:end + 120]) is not None
    return enclosed or followed


def shouting_lines(doc: Text) -> tuple[list[Raw], list[tuple[int, int]]]:
    """Report lines written wholly in capitals, and return their spans (no word check within them)."""
    findings, spans = [], []
    for match in re.finditer(r"[^\n]+", doc.masked):
        words = [w for w in re.findall(r"[^\W\d_]{2,}", match.group())]
        if len(words) >= 4 and sum(w.isupper() for w in words) >= 0.8 * len(words):
            spans.append(match.span())
            findings.append(Raw("ejaan", *match.span(), "seluruh baris ditulis dengan huruf kapital; di media sosial "
                                "terbaca seperti berteriak dan lebih sulit dibaca", CHECK, KAPITAL))
    return findings, spans


def abbreviations(doc: Text, loud: list[tuple[int, int]]) -> Iterator[Raw]:
    """Report each capitalised abbreviation whose first use is not spelled out."""
    seen: set[str] = set()
    for match in _ABBREVIATION.finditer(doc.masked):
        token, (start, end) = match.group(), match.span()
        base = token.split("-")[0]
        if (token in seen or _ROMAN.match(token) or sum(c.isupper() for c in token) < 2
                or token in doc.lists.abbreviations or base in doc.lists.abbreviations
                or doc.is_taken(start, end) or _inside(start, loud) or _dotted(doc.masked, start, end)):
            seen.add(token)
            continue
        seen.add(token)
        doc.take(start, end)
        if not _spelled_out(doc.masked, start, end):
            yield Raw("singkatan", start, end, f"singkatan \"{token}\" belum dijelaskan pada penyebutan pertama; "
                      "tulis kepanjangannya, lalu singkatannya dalam kurung", CHECK, JARGON)


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= offset < b for a, b in spans)


def spelling(doc: Text, loud: list[tuple[int, int]]) -> Iterator[Raw]:
    """Report words the dictionary and kamus.toml do not know, glued prepositions, small day and month names."""
    accepted = frozenset(doc.lists.words)
    reported: set[str] = set()
    suggested = 0
    words = doc.words
    for index, match in enumerate(words):
        token, (start, end) = match.group(), match.span()
        lower = token.lower()
        if _not_a_word(doc, token, start, end, loud) or lower in reported:
            continue
        found = _listed_problem(doc, words, index)
        if found is not None:
            reported.add(lower)
            yield found
            continue
        if lower in accepted or speller.known(token, accepted):
            continue
        if _is_name(doc, words, index):
            office = _office_typo(lower)
            if office:
                reported.add(lower)
                yield Raw("ejaan", start, end, f"\"{token}\" tidak ada di kamus; mungkin \"{office.capitalize()}\"",
                          CHECK, EJAAN)
            continue
        reported.add(lower)
        hint = ""
        if suggested < MAX_SUGGESTIONS and len(token) <= MAX_SUGGESTED_LENGTH:
            suggested += 1
            guess = speller.suggestion(lower)
            hint = f"; mungkin \"{guess.capitalize() if token[0].isupper() else guess}\"" if guess else ""
        name = " (bila ini nama, abaikan)" if token[0].isupper() else ""
        yield Raw("ejaan", start, end, f"\"{token}\" tidak ada di kamus; periksa ejaannya{hint}{name}", CHECK, EJAAN)


@lru_cache(maxsize=8192)
def _office_typo(lower: str) -> str | None:
    """Return the office word one edit away from a capitalised word, or None (then it is a name)."""
    if len(lower) < 5:
        return None
    return next((word for word in sorted(OFFICE_WORDS) if abs(len(word) - len(lower)) <= 1
                 and _one_edit(word, lower)), None)


def _one_edit(a: str, b: str) -> bool:
    """Tell whether b is a with one letter changed, added, dropped, or two neighbours swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[i:] == long[i + 1:]


def _not_a_word(doc: Text, token: str, start: int, end: int, loud: list[tuple[int, int]]) -> bool:
    """Tell whether a token is outside the spelling check: short, capitals, inner capitals, dotted, claimed."""
    first = token.split("-")[0]
    return (len(token) < 2 or first.isupper() or any(c.isupper() for c in token[1:])
            or _dotted(doc.masked, start, end) or doc.is_taken(start, end) or _inside(start, loud))


def _listed_problem(doc: Text, words: list[re.Match[str]], index: int) -> Raw | None:
    """Return the certain problems of a word: a lower-case day or month, a glued or split "di"."""
    match = words[index]
    token, (start, end) = match.group(), match.span()
    lower = token.lower()
    if token in DAYS or token in MONTHS:
        return Raw("ejaan", start, end, f"\"{token}\": nama hari dan bulan diawali huruf kapital: "
                   f"\"{token.capitalize()}\"", WRONG, KAPITAL)
    for preposition in ("di", "ke"):
        rest = lower[2:]
        if lower.startswith(preposition) and rest in PLACES and not speller.in_dictionary(lower):
            return Raw("ejaan", start, end, f"\"{token}\": kata depan \"{preposition}\" ditulis terpisah: "
                       f"\"{token[:2]} {token[2:]}\"", WRONG, KATA_DEPAN)
    if lower == "di" and index + 1 < len(words):
        following = words[index + 1]
        verb = following.group()
        if (doc.masked[end:following.start()] == " " and verb.islower() and verb not in PLACES
                and len(verb) > 3 and speller.in_dictionary("di" + verb)):
            return Raw("ejaan", start, following.end(), f"\"{token} {verb}\": bila ini kata kerja pasif, awalan "
                       f"\"di-\" ditulis serangkai: \"{token}{verb}\"", CHECK, KATA_DEPAN)
    return None


def _is_name(doc: Text, words: list[re.Match[str]], index: int) -> bool:
    """Tell whether a capitalised word is a name: mid-sentence, or opening a run of capitalised words."""
    match = words[index]
    if not match.group()[0].isupper():
        return False
    if not doc.sentence_start(match.start()):
        return True
    following = words[index + 1] if index + 1 < len(words) else None
    return bool(following and following.group()[0].isupper()
                and doc.masked[match.end():following.start()].strip(" ,") == "")


def clear_caches() -> None:
    """Forget the capitalised words already judged."""
    _office_typo.cache_clear()
