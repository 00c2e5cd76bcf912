"""Publication dates: parsed once, at input, into instants, so that direction compares times, not strings.

Accepted (the README lists them): ISO 8601 / RFC 3339 dates and date-times (``2024``, ``2024-01``, ``2024-01-09``,
``2024-01-09T23:00:00Z``, ``2024-01-10T01:00:00+05:00``, fractional seconds, a space instead of ``T``,
one-digit months and days such as ``2024-1-5``), RFC 2822 as in e-mail, RSS and HTTP headers
(``Tue, 09 Jan 2024 23:00:00 GMT``), and ``datetime.datetime`` / ``datetime.date`` objects (pandas
timestamps are datetimes). A date or time without a zone is taken as UTC: an archive rarely says which
local time it meant, and UTC is the one reading that does not depend on the machine running the scan.
Anything else (``"yesterday"``, ``"2024-13-45"``, a number) is refused.
"""

from __future__ import annotations

import re
import reprlib
from datetime import date, datetime, timedelta, timezone

__all__ = ["canonical_date", "parse_date"]

# YYYY[-M[-D[ time[ zone]]]]: the reduced precisions and separators ISO 8601 and RFC 3339 allow.
_ISO = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<z>Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?)?)?"
)


def _zone(text: str | None) -> timezone:
    if text is None or text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("zone offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _iso(text: str) -> datetime | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    part = match.groupdict()
    fraction = (part["f"] or "0")[:6].ljust(6, "0")  # datetime keeps microseconds
    return datetime(int(part["y"]), int(part["m"] or 1), int(part["d"] or 1), int(part["H"] or 0), int(part["M"] or 0),
                    int(part["S"] or 0), int(fraction), tzinfo=_zone(part["z"]))


def _rfc2822(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime  # here: email's import costs every run ~10 ms

    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def parse_date(value: object) -> datetime:
    """``value`` as an aware UTC ``datetime``; ``ValueError`` saying what is accepted when it is none.

    >>> parse_date("2024-01-10T01:00:00+05:00") < parse_date("2024-01-09T23:00:00Z")
    True
    >>> parse_date("Tue, 09 Jan 2024 23:00:00 GMT").isoformat()
    '2024-01-09T23:00:00+00:00'
    """
    try:
        instant = _instant(value)
        return instant.astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:  # a month 13, a day 45, an hour 25, year 0 after the zone
        raise ValueError(f"{reprlib.repr(value)} is not a valid date ({exc})") from None


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if not isinstance(value, str):
        raise ValueError(f"a date must be a string or a datetime; got {type(value).__name__}")
    text = value.strip()
    instant = _iso(text) or _rfc2822(text)
    if instant is None:
        raise ValueError("expected ISO 8601 (2024-01-09T23:00:00Z) or RFC 2822 (Tue, 09 Jan 2024 23:00:00 GMT)")
    return instant


def canonical_date(value: object) -> str:
    """The instant as ISO 8601 in UTC (compare instants with :func:`parse_date`, not this text).

    >>> canonical_date("2024-1-5")
    '2024-01-05T00:00:00Z'
    """
    return parse_date(value).isoformat().replace("+00:00", "Z")
