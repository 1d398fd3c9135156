"""Printing for ``vital-link``: text from a server is made inert before it reaches a terminal.

A link, a server's error message or an exception string can carry escape sequences that
recolour or retitle the terminal, rewrite what is already on screen (carriage return,
cursor moves), or bidi overrides that make one address look like another. ``safe_text``
turns every such character into a visible escape; everything the CLI prints from outside
goes through it.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from collections.abc import Mapping
from typing import TextIO

# Unicode categories that are never printed as they are: Cc = C0 controls, DEL and C1
# controls (ESC starts every terminal sequence, U+009B is a one-byte CSI); Cf = format
# characters, among them the bidi embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069), marks (U+200E, U+200F, U+061C) and zero-width characters; Zl/Zp = line and
# paragraph separators, which some terminals treat as newlines; Cs = lone surrogates, which
# no encoder accepts.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control, format and bidi characters written as visible escapes.

    Escaping (rather than deleting) keeps a tampered value visibly different from a clean
    one: ``ESC[2J`` prints as ``\\x1b[2J`` instead of clearing the screen, and a link with
    a hidden right-to-left override no longer looks like an innocent one. With
    ``keep_newlines`` a plain ``\\n`` stays a line break (for multi-line detail).
    """
    pieces = []
    for char in text:
        if keep_newlines and char == "\n":
            pieces.append(char)
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            pieces.append(_escape(char))
        else:
            pieces.append(char)
    return "".join(pieces)


def write_line(stream: TextIO, text: str) -> None:
    """Print one line and flush, falling back to escapes the stream's encoding can carry.

    Flushing at once means a line already printed (a link) survives whatever goes wrong
    after it; the fallback means a link with letters outside an ASCII or Latin-1 console's
    encoding is printed (escaped) instead of ending in a traceback.
    """
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")
    stream.flush()


def can_encode(stream: TextIO, characters: str) -> bool:
    """True when ``stream``'s encoding can carry every one of ``characters``.

    A stream with no encoding (an in-memory text buffer) takes any text.
    """
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        codecs.lookup(encoding)
        characters.encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def wants_colour(stream: TextIO, choice: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to write ANSI colour to ``stream``: ``always``, ``never`` or ``auto``.

    ``auto`` colours only a terminal, and honours ``NO_COLOR`` (https://no-color.org: any
    non-empty value) and ``TERM=dumb``, which cannot show colour.
    """
    if choice != "auto":
        return choice == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False
