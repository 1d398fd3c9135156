"""Reading a server's ``Retry-After`` header, and saying the wait in plain words.

A header may hold seconds or an HTTP date (RFC 9110), and a broken or hostile server may
send anything: a negative number, ``nan``, ``1e12``, a date in the year 9999, garbage. The
parsed wait is always a finite number of seconds between 0 and ``MAX_RETRY_AFTER`` (or
None when nothing usable was sent), so a caller can put it in a timer, a sentence or
arithmetic without an OverflowError; and the sentence never calls 31 years "a minute".
"""

from __future__ import annotations

import calendar
import email.utils
import math
import time

from vital_desktop.core.i18n import Plurals, translate

# Anything beyond a day is "more than a day" to a person at a desk; capping at two days
# keeps the number finite and small enough for any timer while staying above that line.
ONE_DAY = 86_400.0
MAX_RETRY_AFTER = 2 * ONE_DAY

# The wait's plural sentences (named as their translation context: see core.i18n).
RetryAfter = Plurals("RetryAfter")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or None when absent or unusable.

    A number is taken as seconds (negative means now); an HTTP date is read against ``now``
    (default: this computer's clock). The result lies in ``[0, MAX_RETRY_AFTER]``.
    """
    if not value:
        return None
    text = value.strip()
    if not text or not text.isascii():
        return None  # float() accepts non-ASCII digits; a header never legitimately has them
    try:
        seconds = float(text)
    except ValueError:
        seconds_or_none = _seconds_until_date(text, time.time() if now is None else now)
        if seconds_or_none is None:
            return None
        seconds = seconds_or_none
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _seconds_until_date(text: str, now: float) -> float | None:
    """Seconds from ``now`` to an HTTP date; infinite for a year beyond 9999 (which
    datetime, and so ``parsedate_to_datetime``, would refuse with a ValueError)."""
    try:
        parts = email.utils.parsedate_tz(text)
        if parts is None:
            return None
        year = parts[0]
        if year > 9999:  # beyond what calendar/datetime handle: far future all the same
            return math.inf
        if year < 1:
            return -math.inf
        offset = parts[9] or 0  # no zone, or "-0000": RFC 9110 dates are GMT
        moment = calendar.timegm((*parts[:6], 0, 1, 0)) - offset
        return float(moment) - now
    except OverflowError:
        return math.inf  # a date so far ahead its seconds overflow a float
    except (TypeError, ValueError, IndexError):
        return None


def _round(value: float) -> int:
    """Round half up (Python's round() sends 2.5 to 2)."""
    return math.floor(value + 0.5)


def wait_phrase(seconds: float | None) -> str:
    """``"about 1 second"``, ``"about 30 seconds"``, ``"about 2 minutes"``,
    ``"about 3 hours"``; ``"a minute"`` when the server said nothing usable; ``"more than
    a day"`` beyond a day."""
    if seconds is None or math.isnan(seconds):
        return translate("RetryAfter", "a minute")
    if seconds > ONE_DAY:
        return translate("RetryAfter", "more than a day")
    if seconds < 89.5:
        return RetryAfter.tr("about %n second(s)", None, max(1, _round(seconds)))
    if seconds < 89.5 * 60:
        return RetryAfter.tr("about %n minute(s)", None, _round(seconds / 60))
    return RetryAfter.tr("about %n hour(s)", None, _round(seconds / 3600))


def wait_sentence(seconds: float | None) -> str:
    """The sentence that tells the desk how long to wait before trying again."""
    if seconds is not None and not math.isnan(seconds) and seconds > ONE_DAY:
        return translate(
            "RetryAfter",
            "Vital asked the app to wait more than a day before trying again; try later, "
            "and if it keeps happening, send the details to support.",
        )
    return translate("RetryAfter", "Wait {wait} and try again.").format(wait=wait_phrase(seconds))
