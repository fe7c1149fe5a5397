"""Rotating check-in tokens and typed codes: table tests with fixed clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.attendance import tokens

KEY = b"kunci-aplikasi"
SECRET = "rahasia-sesi-1"
SESSION = 7
# 2026-08-17 01:00:00 UTC is a multiple of 20 s: the first second of a step.
T0 = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)
STEP = tokens.step_at(T0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_step_changes_every_20_seconds() -> None:
    assert tokens.PERIOD_SECONDS == 20
    assert int(T0.timestamp()) % 20 == 0
    assert tokens.step_at(at(0)) == tokens.step_at(at(19.9)) == STEP
    assert tokens.step_at(at(20)) == STEP + 1
    assert tokens.step_at(at(-1)) == STEP - 1


def test_token_is_step_and_tag_and_stable() -> None:
    token = tokens.make_token(KEY, SECRET, SESSION, STEP)
    step, _, tag = token.partition(".")
    assert step == str(STEP) and len(tag) == 16
    assert token == tokens.make_token(KEY, SECRET, SESSION, STEP)
    assert token != tokens.make_token(KEY, SECRET, SESSION, STEP + 1)
    assert token != tokens.make_token(KEY, "rahasia-lain", SESSION, STEP)
    assert token != tokens.make_token(b"kunci-lain", SECRET, SESSION, STEP)


@pytest.mark.parametrize("made_at_step, seconds, accepted", [
    (STEP, 0, True),          # its own step, first second
    (STEP, 19, True),         # its own step, last second
    (STEP, 20, True),         # one margin step later
    (STEP, 39, True),         # end of the margin step
    (STEP, 40, False),        # two steps later: a shared photo of the screen
    (STEP, 3600, False),      # an hour later
    (STEP + 1, 19, False),    # a step in the future
    (STEP + 5, 0, False),
    (STEP - 1, 0, True),      # the previous step, shown a moment ago
    (STEP - 2, 0, False),
])
def test_token_accepted_for_its_step_and_one_margin_step(made_at_step: int, seconds: int, accepted: bool) -> None:
    token = tokens.make_token(KEY, SECRET, SESSION, made_at_step)
    assert tokens.verify_token(KEY, SECRET, SESSION, token, at(seconds)) is accepted


def forged_tag(token: str) -> str:
    step, _, tag = token.partition(".")
    flipped = ("A" if tag[0] != "A" else "B") + tag[1:]
    return f"{step}.{flipped}"


@pytest.mark.parametrize("token", [
    pytest.param(forged_tag(tokens.make_token(KEY, SECRET, SESSION, STEP)), id="forged tag"),
    pytest.param(tokens.make_token(KEY, SECRET, SESSION + 1, STEP), id="other session id"),
    pytest.param(tokens.make_token(KEY, "rahasia-lain", SESSION, STEP), id="other session secret"),
    pytest.param(tokens.make_token(b"kunci-lain", SECRET, SESSION, STEP), id="other app key"),
    pytest.param(f"{STEP}." + "x" * 16, id="made-up tag"),
    pytest.param("", id="empty"),
    pytest.param(str(STEP), id="step without tag"),
    pytest.param(f"{STEP}.", id="empty tag"),
    pytest.param(".abc", id="no step"),
    pytest.param("-1.abc", id="negative step"),
    pytest.param("abc.def", id="letters for step"),
    pytest.param(f" {STEP}.abc", id="space in step"),
    pytest.param(tokens.make_token(KEY, SECRET, SESSION, STEP) + "x", id="tag too long"),
    pytest.param(tokens.make_token(KEY, SECRET, SESSION, STEP)[:-1], id="tag cut short"),
    pytest.param(f"{STEP}.é" + "a" * 15, id="non-ascii tag"),
    pytest.param("²." + "a" * 16, id="superscript digit step"),
    pytest.param("".join(chr(0x660 + int(d)) for d in str(STEP)) + ".abc", id="arabic-indic digit step"),
])
def test_bad_tokens_refused(token: str) -> None:
    assert tokens.verify_token(KEY, SECRET, SESSION, token, at(5)) is False


def test_short_code_is_six_digits_and_differs_from_step_to_step() -> None:
    codes = [tokens.short_code(KEY, SECRET, SESSION, STEP + n) for n in range(50)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 40
    assert tokens.short_code(KEY, SECRET, SESSION, STEP) == tokens.short_code(KEY, SECRET, SESSION, STEP)
    assert tokens.short_code(KEY, SECRET, SESSION, STEP) != tokens.short_code(KEY, SECRET, SESSION + 1, STEP)


@pytest.mark.parametrize("made_at_step, seconds, accepted", [
    (STEP, 0, True),
    (STEP, 79, True),     # typing takes longer: three margin steps
    (STEP, 80, False),
    (STEP + 1, 0, False),  # future
])
def test_code_window(made_at_step: int, seconds: int, accepted: bool) -> None:
    code = tokens.short_code(KEY, SECRET, SESSION, made_at_step)
    assert tokens.verify_code(KEY, SECRET, SESSION, code, at(seconds)) is accepted


def test_code_typed_with_spaces_or_dashes_accepted() -> None:
    code = tokens.short_code(KEY, SECRET, SESSION, STEP)
    for typed in (f"{code[:3]} {code[3:]}", f" {code[:3]}-{code[3:]} ", code):
        assert tokens.verify_code(KEY, SECRET, SESSION, typed, at(1)), typed


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "٠١٢٣٤٥", "¹²³⁴⁵⁶"])
def test_malformed_codes_refused(typed: str) -> None:
    assert tokens.verify_code(KEY, SECRET, SESSION, typed, at(1)) is False


def test_code_of_other_session_refused() -> None:
    code = tokens.short_code(KEY, SECRET, SESSION + 1, STEP)
    own = {tokens.short_code(KEY, SECRET, SESSION, STEP - n) for n in range(4)}
    if code not in own:  # a one-in-a-million clash is not a refusal failure
        assert tokens.verify_code(KEY, SECRET, SESSION, code, at(1)) is False
