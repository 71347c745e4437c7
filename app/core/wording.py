"""Counts in words that read right: "1 opted-out owner", "2 rules", "no cameras". Pure Python."""

from __future__ import annotations

# Plurals that the ending rule gets wrong; the last word of a phrase is the one that changes.
_IRREGULAR = {"person": "people", "child": "children", "was": "were", "is": "are", "has": "have", "this": "these"}
_SAME = {"footage", "sheep", "data", "series"}


def plural_of(word: str) -> str:
    """English plural of a noun or noun phrase ("opted-out owner" → "opted-out owners", "entry" → "entries")."""
    head, sep, last = word.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        out = _IRREGULAR[lower]
    elif lower in _SAME:
        out = last
    elif lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        out = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        out = last + "es"
    else:
        out = last + "s"
    if last[:1].isupper() and out[:1].islower():
        out = out[:1].upper() + out[1:]
    return f"{head}{sep}{out}"


def noun(count: int, singular: str, plural: str | None = None) -> str:
    """The word alone, as the count wants it: noun(1, "rule") → "rule", noun(3, "rule") → "rules"."""
    return singular if count == 1 else (plural or plural_of(singular))


def count(n: int, singular: str, plural: str | None = None, *, zero: str | None = None) -> str:
    """count(1, "opted-out owner") → "1 opted-out owner"; count(2, "rule") → "2 rules"; thousands grouped.

    zero, when given, is said for none ("no cameras" reads better than "0 cameras" in a sentence)."""
    if n == 0 and zero is not None:
        return zero
    return f"{n:,} {noun(n, singular, plural)}"


def join(items: list[str], last: str = "and") -> str:
    """["a", "b", "c"] → "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
