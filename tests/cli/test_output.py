"""``safe_text`` and friends: what reaches the terminal from a server is inert."""

from __future__ import annotations

import io

import pytest

from vital_desktop.cli.output import can_encode, safe_text, wants_colour, write_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb", "a\\x1b[2Jb"),  # ESC: the start of every terminal sequence
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),  # OSC retitle, ended by BEL
        ("x\ry", "x\\x0dy"),  # carriage return would overwrite what came before
        ("x\ny\tz\x00", "x\\x0ay\\x09z\\x00"),
        ("del\x7f", "del\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI, a one-character escape sequence
        ("\u202etxt.exe", "\\u202etxt.exe"),  # right-to-left override
        ("\u2066a\u2069\u200e\u200f\u061c", "\\u2066a\\u2069\\u200e\\u200f\\u061c"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("\ud800", "\\ud800"),  # a lone surrogate no encoder accepts
    ],
)
def test_unsafe_characters_become_visible_escapes(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_ordinary_text_is_untouched() -> None:
    text = "https://link.tryvital.io/?token=a.b-c_d%3D&env=sandbox Zoë 東京 👍 — ok"
    assert safe_text(text) == text


def test_newlines_can_be_kept_for_multi_line_detail() -> None:
    assert safe_text("Kind: x\nServer said: \x1b[31mred", keep_newlines=True) == (
        "Kind: x\nServer said: \\x1b[31mred"
    )


def test_write_line_falls_back_to_escapes_the_encoding_can_carry() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    write_line(stream, "https://x.example/Zoë")
    assert raw.getvalue() == b"https://x.example/Zo\\xeb\n"
    assert not can_encode(stream, "\u2580") and can_encode(io.StringIO(), "\u2580")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "choice", "environ", "expected"),
    [
        (_Terminal(), "auto", {}, True),
        (_Terminal(), "auto", {"NO_COLOR": "1"}, False),
        (_Terminal(), "auto", {"NO_COLOR": ""}, True),  # only a non-empty value counts
        (_Terminal(), "auto", {"TERM": "dumb"}, False),
        (io.StringIO(), "auto", {}, False),
        (io.StringIO(), "always", {"NO_COLOR": "1"}, True),
        (_Terminal(), "never", {}, False),
    ],
)
def test_colour_choice(stream, choice, environ, expected) -> None:
    assert wants_colour(stream, choice, environ) is expected
