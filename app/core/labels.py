"""Camera labels in public: a label says what a camera sees, never where its owner lives. Pure Python.

A camera's owner appears in public only as "Neighbor #n". A label such as "1234 Cedar Avenue — front door" next to
that pseudonym undoes it (the address names the household), so wherever the two are shown together — the registry
export, the map — a label that carries a street address, or the owner's own address, is withheld.
"""

from __future__ import annotations

import re

WITHHELD = "(label withheld: it names an address)"

_STREET_TYPES = (
    "street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|way|court|ct|boulevard|blvd|place|pl|terrace|ter|circle|cir|"
    "highway|hwy|parkway|pkwy|row|square|sq|alley|trail|trl|crescent|close|loop|pike|plaza|point|pt"
)
# A house number, then up to five words, then a street type: "1234 Cedar Avenue", "12b N. Main St", "500 Harbor Rd".
_ADDRESS = re.compile(rf"(?<![\w.])\d{{1,6}}[a-z]?\s+(?:[\w'.-]+\s+){{0,5}}(?:{_STREET_TYPES})\b", re.IGNORECASE)
_PO_BOX = re.compile(r"\b(?:p\.?\s*o\.?\s*box|postfach)\s*\d+", re.IGNORECASE)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def names_an_address(label: str, owner_address: str = "") -> bool:
    """Does the label carry a street address (any), or the first line of the owner's own address?"""
    if not label:
        return False
    if _ADDRESS.search(label) or _PO_BOX.search(label):
        return True
    first_line = _normal(owner_address.split(",")[0]) if owner_address else ""
    if len(first_line) >= 5 and any(ch.isdigit() for ch in first_line):
        return first_line in _normal(label)
    return False


def public_label(label: str | None, owner_address: str = "", *, may_see_labels: bool = True) -> str:
    """The label as it may appear beside the owner's pseudonym: '' for roles that see no free text, WITHHELD when it
    names an address, else the label itself."""
    if not may_see_labels or not label:
        return ""
    return WITHHELD if names_an_address(label, owner_address) else label
