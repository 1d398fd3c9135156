"""Hostile text for every field and flag: the strategies and the settings all tests share.

``hostile_text`` mixes fragments a desk (or an attacker's clipboard) can bring: C0 and C1
controls, DEL, terminal escape sequences, bidi marks and overrides, zero-width characters,
emoji and other astral characters, lone surrogates, SQL, HTML and script, lookalike and
dangerous URLs, whitespace only, very long slugs and NUL, next to valid values (a UUID, a
provider slug, a clinic redirect) so that some results are nearly valid. ``PASTES`` are
100 kB pastes, sampled rather than generated so that they stay cheap.
"""

from __future__ import annotations

import unicodedata
import uuid

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Reproducible in CI (derandomize), no example database on disk, no deadline (the stand-in
# and the window answer in their own time); modest example counts keep the suite fast.
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(HOSTILE, max_examples=12)

VALID_UID = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]
ESCAPES = ["\x1b[2J", "\x1b[31m", "\x1b]0;pwned\x07", "\x9b6n", "\x1b[1A\r", "\x08\x08\x08"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]  # fmt: skip
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
ASTRAL = ["😀", "👩\u200d⚕️", "🏳️\u200d🌈", "\U0001d54f", "\U0010ffff", "\U000e0041", "𝟘"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\udc80", "\udcff"]
SQL = ["'; DROP TABLE handoffs; --", "' OR '1'='1", '"; DELETE FROM handoffs; --',
       "%", "_", "\\", "%_\\%", "' UNION SELECT name FROM sqlite_master --",
       "1; ATTACH DATABASE '/tmp/x' AS x; --"]  # fmt: skip
HTML = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<b>bold</b>",
        "&lt;&amp;", '<a href="javascript:alert(1)">x</a>', "</td></tr><tr><td>"]  # fmt: skip
URLS = [
    "https://link.tryvital.io@evil.example/",
    "https://lіnk.tryvital.io/",  # Cyrillic і
    "https://аpi.tryvital.io/",  # Cyrillic а
    "https://xn--pi-7mc.tryvital.io/",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "https://clinic.example/done",
    "https://clinic.example/done?x=<script>",
    "https://clinic.example/\u202egnp.exe",
    "http://127.0.0.1:1/",
    "https://[::1]/",
    "https://clinic.example:99999/",
    "https:///nohost",
    "myapp://done",
    "//evil.example",
]
WHITESPACE = [" ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u2029", "\x0b\x0c"]
SLUGS = ["oura", "fitbit", "apple_health_kit", "a" * 64, "a" * 65, "o" * 5000, "oura\n",
         "Oura", "oura ", "ōura", "oura_" + "x" * 59, "strava"]  # fmt: skip
VALID = [VALID_UID, VALID_UID.upper(), f"  “{VALID_UID}”\n", "oura", "MRN-0042",
         "https://clinic.example/done", "sk_us_0123456789abcdef"]  # fmt: skip

FRAGMENTS: list[str] = [
    *C0, "\x7f", *C1, *ESCAPES, *BIDI, *ZERO_WIDTH, *ASTRAL, *SURROGATES,
    *SQL, *HTML, *URLS, *WHITESPACE, *SLUGS, *VALID,
]  # fmt: skip

PASTES = [
    "a" * 100_000,
    VALID_UID * 2_800,
    "https://clinic.example/" + "a" * 100_000,
    ("'; DROP TABLE handoffs; --\u202e😀\x00" * 3_500)[:100_000],
    "\u200b" * 100_000,
    " " * 50_000 + VALID_UID + " " * 50_000,
]

any_characters = st.text(
    st.characters(codec=None, categories=None, exclude_categories=()), max_size=24
)
fragments = st.sampled_from(FRAGMENTS)
hostile_text = st.one_of(
    fragments,
    st.lists(st.one_of(fragments, any_characters), min_size=1, max_size=5).map("".join),
    st.builds(lambda a, b: a + b, st.sampled_from(VALID), fragments),
    st.builds(lambda a, b: a + b, fragments, st.sampled_from(VALID)),
    any_characters,
)
hostile_or_paste = st.one_of(hostile_text, st.sampled_from(PASTES))


def is_sentence(message: str) -> bool:
    """One sentence of reason: words, ending with a full stop (or ?), no line break."""
    text = message.strip()
    return bool(text) and text[-1] in ".?)" and "\n" not in text and len(text) < 1_000


def refused_properly(error: BaseException, fields: tuple[str, ...]) -> None:
    """A refusal names one of ``fields`` and says why in a sentence."""
    from vital_desktop.core.errors import ErrorKind, VitalError

    assert isinstance(error, VitalError), repr(error)
    assert error.kind is ErrorKind.INVALID_INPUT, error.kind
    assert error.field in fields, error.field
    assert error.message and error.message.rstrip()[-1] in ".?)", error.message


HIDDEN = frozenset({"Cc", "Cs", "Cf"})


def hidden_characters(text: str) -> list[str]:
    """The control, surrogate and invisible format characters in ``text``."""
    return [ch for ch in text if unicodedata.category(ch) in HIDDEN]


def encodable(value: object) -> bool:
    """True when ``value`` (JSON-like) can be encoded as UTF-8 to go on the wire."""
    import json

    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fresh_uuid() -> str:
    return str(uuid.uuid4())
