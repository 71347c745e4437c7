"""Parsing one messy source value: numbers, points (WKT and friends), directions (OSM), kinds, consent.

Each parser returns the value (and sometimes a note about how it was read) or raises ValueError whose message is
the rejection reason a user reads, with the raw value in it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from app.core.records import CameraKind, Consent

_EMPTY = ("", None)


def is_empty(value: Any) -> bool:  # noqa: ANN401
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: Any, limit: int = 60) -> str:  # noqa: ANN401
    text = value if isinstance(value, str) else repr(value)
    text = text.strip()
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --- text ------------------------------------------------------------------------------------------------------
# ANSI escape sequences (a terminal would obey them) and C0/C1 control characters other than tab and newlines: NUL
# bytes and colour codes in a label are never meant, and would reach exports, letters and terminals.
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    return CONTROL.sub("", text)


# --- numbers -------------------------------------------------------------------------------------------------------
# Only the plain decimal syntax a spreadsheet writes. float() alone would also take Python's own syntax ('4_4.6' is
# 44.6), any Unicode digits (fullwidth '４４') and the words inf/nan/infinity, none of which a camera file means.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+", re.ASCII)
_NON_FINITE_WORDS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan"}


def _not_a_number(value: Any, what: str, text: str) -> ValueError:  # noqa: ANN401
    if text.lower() in _NON_FINITE_WORDS:
        return ValueError(f"{what} {show(value)} is not a finite number")
    if "_" in text:
        return ValueError(f"{what} {show(value)} is not a number (no underscores in numbers)")
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return ValueError(f"{what} {show(value)} is not a number (only the digits 0-9 are read)")
    return ValueError(f"{what} {show(value)} is not a number")


def parse_number(value: Any, what: str) -> float:  # noqa: ANN401
    """A finite float from a number or plain decimal text ('12.5', ' 12 ', '12,5' with a decimal comma); NaN for
    empty. ValueError (the reason) for anything else, infinities, NaN and numbers too large for a float included."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"{what} {show(value)} is not a number")
    if isinstance(value, (int, float)):
        try:
            out = float(value)
        except OverflowError:
            raise ValueError(f"{what} {show(value)} is too large") from None
        if not math.isfinite(out):
            raise ValueError(f"{what} {show(value)} is not a finite number")
        return out
    text = str(value).strip()
    if not text:
        return math.nan
    if _PLAIN_NUMBER.fullmatch(text):
        out = float(text)
    elif _DECIMAL_COMMA.fullmatch(text):
        out = float(text.replace(",", "."))
    else:
        raise _not_a_number(value, what, text)
    if not math.isfinite(out):
        raise ValueError(f"{what} {show(value)} is too large")
    return out


def number_text(value: Any) -> str:  # noqa: ANN401
    """A number as the file wrote it (raw text), for messages that must not round it ('90.0000001')."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return repr(value)
    return str(value)


# --- points --------------------------------------------------------------------------------------------------------
_NUM = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_WKT_POINT = re.compile(rf"^\s*(?:SRID=\d+\s*;\s*)?POINT\s*(?:ZM|Z|M)?\s*\(\s*({_NUM})\s+({_NUM})(?:\s+{_NUM}){{0,2}}"
                        r"\s*\)\s*$", re.IGNORECASE)
_WKT_EMPTY = re.compile(r"^\s*(?:SRID=\d+\s*;\s*)?POINT\s*(?:ZM|Z|M)?\s*EMPTY\s*$", re.IGNORECASE)
_WKT_OTHER = re.compile(r"^\s*(?:SRID=\d+\s*;\s*)?(MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|"
                        r"GEOMETRYCOLLECTION)\b", re.IGNORECASE)
_LAT_LON_PAIR = re.compile(rf"^\s*\(?\s*({_NUM})\s*[,;]\s*({_NUM})\s*\)?\s*$")


def parse_location(value: Any) -> tuple[float, float] | None:  # noqa: ANN401
    """(lon, lat) from a GeoJSON/KML point tuple, WKT 'POINT (lon lat)' or 'lat, lon' text; None when empty."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return value
    text = str(value)
    if not text.strip():
        return None
    m = _WKT_POINT.match(text)
    if m:
        return _finite_pair(float(m.group(1)), float(m.group(2)), text)
    if _WKT_EMPTY.match(text):
        return None
    other = _WKT_OTHER.match(text)
    if other:
        raise ValueError(f"not a point geometry ({other.group(1).upper()})")
    m = _LAT_LON_PAIR.match(text)
    if m:  # "lat, lon" is how spreadsheets and Socrata 'Location' columns write a point
        return _finite_pair(float(m.group(2)), float(m.group(1)), text)
    raise ValueError(f"unparseable location {show(text)} (expected WKT like POINT (-76.61 39.29))")


def _finite_pair(lon: float, lat: float, text: str) -> tuple[float, float]:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"location {show(text)} holds a number too large")
    return lon, lat


# --- directions (OSM 'direction' / 'camera:direction') ----------------------------------------------------------
_COMPASS = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
COMPASS_DEG: dict[str, float] = {p: i * 22.5 for i, p in enumerate(_COMPASS)}
_WORDS = {"north": "N", "northeast": "NE", "east": "E", "southeast": "SE", "south": "S", "southwest": "SW",
          "west": "W", "northwest": "NW", "north-east": "NE", "south-east": "SE", "south-west": "SW",
          "north-west": "NW", "north east": "NE", "south east": "SE", "south west": "SW", "north west": "NW"}
_RANGE = re.compile(rf"^\s*({_NUM}|[NESW]{{1,3}})\s*(?:-|–|to)\s*({_NUM}|[NESW]{{1,3}})\s*$", re.IGNORECASE)
_DEGREES = re.compile(rf"^\s*({_NUM})\s*(?:°|deg|degrees)?\s*$", re.IGNORECASE)


def _compass(text: str) -> float | None:
    key = text.strip().lower()
    key = _WORDS.get(key, key).upper()
    return COMPASS_DEG.get(key)


def _bearing(text: str) -> float | None:
    m = _DEGREES.match(text)
    if m:
        return float(m.group(1))
    return _compass(text)


WRAP_FROM, WRAP_TO = -360.0, 720.0  # headings this far out are taken as one turn off (OSM: -118 = 242)


def wrap_heading(deg: float, raw: Any) -> tuple[float, str | None]:  # noqa: ANN401
    """A heading in 0..360 and a note when it had to be wrapped; ValueError when no turn brings it in range."""
    if not math.isfinite(deg):
        raise ValueError(f"heading {show(raw)} is not a finite number")
    if 0 <= deg <= 360:
        return deg, None
    if WRAP_FROM < deg < WRAP_TO:
        wrapped = deg % 360
        return wrapped, f"heading {show(raw)} wrapped into 0-360 as {wrapped:g}°"
    raise ValueError(f"heading {show(raw)} out of range (0-360; -360 to 720 is wrapped)")


def parse_direction(value: Any) -> tuple[float, str | None]:  # noqa: ANN401
    """Degrees clockwise from north, and a note when the value had to be interpreted (range, compass word, wrap).

    Numeric degrees (outside 0..360 but within one turn: wrapped, with a note); compass points (N, NE, ENE, … and
    'north-east'); a range '90-180' gives its midpoint (the way round clockwise from the first to the second).
    Anything else — several directions '144;324' (see split_directions), words — is rejected with the raw value.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            deg = float(value)
        except OverflowError:
            raise ValueError(f"heading {show(value)} is too large") from None
        return wrap_heading(deg, value)
    text = str(value).strip()
    deg = _bearing(text)
    if deg is not None:
        if _DEGREES.match(text):
            return wrap_heading(deg, text)
        return deg, f"direction {show(text)} read as {deg:g}°"
    m = _RANGE.match(text)
    if m:
        a, b = _bearing(m.group(1)), _bearing(m.group(2))
        if a is not None and b is not None and 0 <= a <= 360 and 0 <= b <= 360:
            span = (b - a) % 360
            mid = (a + span / 2) % 360
            return mid, f"direction {show(text)} is a range: took its midpoint {mid:g}°"
    if ";" in text:
        raise ValueError(f"unparseable direction {show(text)} (several directions: list one camera per direction, "
                         "or import with one camera per direction)")
    raise ValueError(f"unparseable direction {show(text)} (expected degrees 0-360, a compass point or a range)")


def split_directions(value: Any) -> list[str] | None:  # noqa: ANN401
    """The parts of a several-directions value ('0;90;180'), or None when it holds one direction."""
    if not isinstance(value, str) or ";" not in value:
        return None
    parts = [p.strip() for p in value.split(";") if p.strip()]
    return parts if len(parts) > 1 else None


# --- kinds -----------------------------------------------------------------------------------------------------
KIND_WORDS: dict[str, str] = {k.value: k.value for k in CameraKind}
KIND_WORDS.update({
    "doorbell camera": "doorbell", "video doorbell": "doorbell", "ring": "doorbell",
    "floodlight camera": "floodlight", "flood light": "floodlight", "spotlight camera": "spotlight",
    "indoor camera": "indoor", "business": "business_cctv", "business cctv": "business_cctv",
    "private": "business_cctv", "commercial": "business_cctv", "city": "city_cctv", "city cctv": "city_cctv",
    "municipal": "city_cctv", "citiwatch": "city_cctv", "police": "city_cctv", "government": "city_cctv",
})
# Values that say "a camera" without saying which kind: the import's default kind applies.
GENERIC_CAMERA = {"camera", "cctv", "fixed", "dome", "panning", "ptz", "bullet", "webcam", "video", "yes",
                  "surveillance", "outdoor"}
# OSM surveillance:type / camera:type values that are not cameras at all.
NOT_A_CAMERA: dict[str, str] = {
    "alpr": "ALPR", "anpr": "ALPR", "lpr": "ALPR", "flock_alpr": "ALPR", "licence_plate_reader": "ALPR",
    "gunshot_detector": "gunshot detector", "shotspotter": "gunshot detector", "guard": "guard",
    "fake": "dummy camera", "dummy": "dummy camera", "microphone": "microphone", "sensor": "sensor",
}


def classify_kind(value: Any) -> tuple[str, str | None]:  # noqa: ANN401
    """('kind', value) | ('generic', None) | ('empty', None) | ('not_camera', label) | ('unknown', raw)."""
    if is_empty(value):
        return "empty", None
    text = str(value).strip()
    parts = [p.strip() for p in text.split(";") if p.strip()] or [text]
    kinds, generic = [], False
    for part in parts:
        key = re.sub(r"[_\s]+", " ", part.lower())
        raw_key = part.lower()
        if raw_key in NOT_A_CAMERA or key.replace(" ", "_") in NOT_A_CAMERA:
            return "not_camera", NOT_A_CAMERA.get(raw_key) or NOT_A_CAMERA[key.replace(" ", "_")]
        kind = KIND_WORDS.get(raw_key) or KIND_WORDS.get(key)
        if kind:
            kinds.append(kind)
        elif key in GENERIC_CAMERA:
            generic = True
        else:
            return "unknown", text
    if kinds:
        return "kind", kinds[0]
    return ("generic", None) if generic else ("empty", None)


def resolve_kind(values: tuple[Any, ...], default: str | None) -> str:
    """The kind for one row from every kind column's value; ValueError with the reason when it is refused."""
    found = None
    for value in values:
        verdict, detail = classify_kind(value)
        if verdict == "not_camera":
            raise ValueError(f"not a camera ({detail})")
        if verdict == "unknown":
            raise ValueError(f"unknown kind {show(detail)} (expected one of "
                             f"{', '.join(k.value for k in CameraKind)})")
        if verdict == "kind" and found is None:
            found = detail
    if found:
        return found
    if default:
        return default
    raise ValueError("no kind: the row says none and no default kind was chosen")


# --- consent -------------------------------------------------------------------------------------------------------
_CONSENT = {
    Consent.OPT_IN.value: {"opt_in", "opt-in", "optin", "opted in", "opted_in", "in", "yes", "y", "true", "1",
                           "consented", "agreed", "granted"},
    Consent.OPT_OUT.value: {"opt_out", "opt-out", "optout", "opted out", "opted_out", "out", "no", "n", "false", "0",
                            "declined", "refused", "withdrawn"},
}


def parse_consent(value: Any) -> str | None:  # noqa: ANN401
    """'opt_in' / 'opt_out', or None when empty."""
    if is_empty(value):
        return None
    key = str(value).strip().lower()
    for consent, words in _CONSENT.items():
        if key in words:
            return consent
    raise ValueError(f"unknown consent {show(value)} (expected opt-in or opt-out)")
