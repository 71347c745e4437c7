"""The community feed's rules, in code: what a post may say before it enters the moderation queue. Pure Python.

screen_post() looks at a post before it is stored and answers one of:
  REFUSED  the post names a victim or gives someone's exact home address: it is not stored at all, and the poster
           is told what to change ("use the block: 1200 block of Union Av");
  HELD     it describes a person by race or ethnicity and (almost) nothing else: it is stored, but held out of the
           queue until the poster adds what the person did and wore (Nextdoor's anti-profiling steps);
  QUEUED   it goes to the moderation queue, where a moderator approves or rejects it with a reason.
Nothing is published without a moderator's approval (app.services.program.feed), whatever this says.

These are careful heuristics, not understanding: they catch the common forms ("the victim, Jane Doe", "lives at
1234 Elm St", "a Black man walking") and say why, so a moderator still reads every post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUEUED = "queued"
HELD = "held"
REFUSED = "refused"

PARTNER_NOTICE = ("Before you post: the partner agency can read this feed, including your post, where and when it "
                  "happened, and your display name. Do not post anything you would not tell the police.")

_RACE = (r"black|white|hispanic|latino|latina|latinx|asian|african[- ]american|arab|middle[- ]eastern|indian|"
         r"native american|caucasian|mexican|somali|chinese|korean|vietnamese|filipino|pacific islander|"
         r"brown[- ]skinned|dark[- ]skinned|light[- ]skinned|biracial|mixed[- ]race|ethnic")
_PERSON = (r"man|men|male|males|woman|women|female|females|guy|guys|dude|dudes|kid|kids|teen|teens|teenager|"
           r"teenagers|boy|boys|girl|girls|person|people|individual|individuals|youth|youths|suspect|suspects|"
           r"gentleman|lady|ladies|couple|group")
_RACE_RE = re.compile(rf"\b({_RACE})\b", re.IGNORECASE)
_PERSON_RE = re.compile(rf"\b({_PERSON})\b", re.IGNORECASE)

# What counts as describing a person beyond race: clothing, build/height/age, hair, and what they did.
_DESCRIPTORS: dict[str, re.Pattern[str]] = {
    "clothing": re.compile(r"\b(wearing|wore|jacket|coat|hoodie|hooded|sweatshirt|shirt|t-shirt|jeans|pants|"
                           r"trousers|shorts|skirt|dress|hat|cap|beanie|shoes|sneakers|boots|backpack|bag|gloves|"
                           r"mask|vest|uniform|sweater|scarf|glasses|sunglasses)\b", re.IGNORECASE),
    "build": re.compile(r"\b(tall|short|thin|slim|heavy|heavyset|stocky|medium build|build|about \d+|"
                        r"\d+\s*(?:ft|feet|foot|'|cm)|\d{2}s|in (?:his|her|their) (?:teens|twenties|thirties|"
                        r"forties|fifties)|years? old|beard|bearded|moustache|mustache|tattoo|tattoos|"
                        r"hair|bald|ponytail|braids|dreadlocks|blond|blonde|redhead)\b", re.IGNORECASE),
    "action": re.compile(r"\b(took|taking|stole|stealing|grabbed|broke|breaking|tried|trying|opened|opening|"
                         r"carried|carrying|ran|running|drove|driving|climbed|climbing|smashed|kicked|"
                         r"entered|jumped|pried|picked up|walked off with|left with|threw|threatened|pushed|hit)\b",
                         re.IGNORECASE),
    "vehicle": re.compile(r"\b(car|van|truck|suv|sedan|bike|bicycle|scooter|motorcycle|plate|license)\b",
                          re.IGNORECASE),
}
# A description needs at least this many kinds of detail besides race before it can go to the queue.
MIN_DESCRIPTORS = 2

_VICTIM_RE = re.compile(
    r"\b(?:victims?|(?:the )?(?:woman|man|person|girl|boy|resident|neighbor|neighbour) (?:who was|that was) "
    r"(?:attacked|robbed|assaulted|shot|stabbed|killed|hurt|injured))\b[\s,:]*(?:was |is |named |called |- )?"
    r"(?:named |called )?([A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)+)")
_VICTIM_NAMED_RE = re.compile(r"\b([A-Z][a-z]+\s+[A-Z][a-z'-]+)\s*,?\s+(?:the|who was the)\s+victim\b")

_STREET_WORDS = (r"street|st|avenue|ave|av|road|rd|drive|dr|lane|ln|boulevard|blvd|court|ct|place|pl|way|terrace|"
                 r"ter|circle|cir|parkway|pkwy|highway|hwy")
_ADDRESS_RE = re.compile(rf"\b(\d{{1,6}})(?:\s*[-–]\s*\d+)?\s+(?:[NSEW]\.?\s+)?(?:[A-Za-z0-9'.]+\s+){{1,4}}?"
                         rf"(?:{_STREET_WORDS})\b\.?", re.IGNORECASE)
_BLOCK_CONTEXT = re.compile(r"\bblock\b", re.IGNORECASE)


@dataclass(frozen=True)
class Screening:
    verdict: str
    reasons: list[str] = field(default_factory=list)
    prompt: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == QUEUED


def exact_addresses(text: str) -> list[str]:
    """House-number addresses in text ("1234 Elm St"); block addresses ("1200 block of Elm St", "1200 ELM ST" with
    a round hundred) are not exact and are allowed."""
    out = []
    for m in _ADDRESS_RE.finditer(text):
        number = int(m.group(1))
        around = text[max(0, m.start() - 12): m.end() + 4]
        if number % 100 == 0 or _BLOCK_CONTEXT.search(around):
            continue
        out.append(m.group(0).strip())
    return out


def block_of(address: str) -> str:
    """'1234 Elm St' -> '1200 block of Elm St': what a post may say instead of someone's exact address."""
    m = re.match(r"\s*(\d+)(?:\s*[-–]\s*\d+)?\s+(.*)", address)
    if not m:
        return address
    return f"{int(m.group(1)) // 100 * 100} block of {m.group(2).strip()}"


def victim_names(text: str) -> list[str]:
    names = [m.group(1) for m in _VICTIM_RE.finditer(text)]
    names += [m.group(1) for m in _VICTIM_NAMED_RE.finditer(text)]
    return names


def profiling_gaps(text: str) -> list[str] | None:
    """None when the text does not describe a person by race/ethnicity; else the kinds of detail it lacks."""
    if not (_RACE_RE.search(text) and _PERSON_RE.search(text)):
        return None
    have = [k for k, rx in _DESCRIPTORS.items() if rx.search(text)]
    if len(have) >= MIN_DESCRIPTORS:
        return []
    return [k for k in _DESCRIPTORS if k not in have]


HOLD_PROMPT = ("Your post describes someone by race or ethnicity. Before it can go to the moderators, add what the "
               "person did and what they wore (clothing, build, hair, a vehicle) — or leave the description out. "
               "Race alone does not help neighbors recognise anyone and leads to people being profiled.")


def screen_post(text: str, address: str = "", own_address: bool = False) -> Screening:
    """The verdict on a post's text and block address. own_address: the poster says the address is their own."""
    reasons: list[str] = []
    for name in victim_names(text):
        reasons.append(f"names a victim ({name}): leave victims' names out, describe what happened instead")
    candidates = exact_addresses(text) + ([] if own_address else exact_addresses(address))
    for addr in candidates:
        reasons.append(f"gives an exact home address ({addr}): use the block instead ({block_of(addr)})")
    if reasons:
        return Screening(REFUSED, reasons)
    gaps = profiling_gaps(text)
    if gaps:
        return Screening(HELD, [f"describes a person by race or ethnicity without enough else (add: "
                                f"{', '.join(gaps)})"], HOLD_PROMPT)
    return Screening(QUEUED)
