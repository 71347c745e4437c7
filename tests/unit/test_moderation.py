"""The feed's rules: refused (victims' names, exact home addresses), held (race-only descriptions), queued."""

from __future__ import annotations

from app.core.moderation import HELD, QUEUED, REFUSED, block_of, exact_addresses, screen_post


def test_plain_post_is_queued() -> None:
    s = screen_post("A package was taken from a porch on the 1200 block of Union Av this morning.")
    assert s.verdict == QUEUED and s.ok and s.reasons == []


def test_exact_home_address_is_refused_with_the_block_suggested() -> None:
    s = screen_post("The guy lives at 1234 Elm Street, everyone go look.")
    assert s.verdict == REFUSED
    assert s.reasons == ["gives an exact home address (1234 Elm Street): use the block instead (1200 block of Elm "
                         "Street)"]
    assert screen_post("Suspicious van", address="17 Oak Ave").verdict == REFUSED
    assert screen_post("Suspicious van", address="17 Oak Ave", own_address=True).verdict == QUEUED


def test_block_addresses_are_not_exact() -> None:
    assert exact_addresses("1200 UNION AV") == []
    assert exact_addresses("near the 400 block of W 36th St") == []
    assert exact_addresses("at 4100 ST GEORGES AV") == []
    assert exact_addresses("at 4117 St Georges Av") == ["4117 St Georges Av"]
    assert block_of("4117 St Georges Av") == "4100 block of St Georges Av"


def test_victim_names_are_refused() -> None:
    s = screen_post("The victim, Maria Lopez, was taken to hospital after the robbery.")
    assert s.verdict == REFUSED and "names a victim (Maria Lopez)" in s.reasons[0]
    assert screen_post("John Carter, the victim of the break-in, says thanks").verdict == REFUSED
    assert screen_post("The victim was not hurt; the car was found later.").verdict == QUEUED


def test_race_only_description_is_held_with_a_prompt() -> None:
    s = screen_post("Suspicious black man walking around on our street tonight.")
    assert s.verdict == HELD and "what the person did and what they wore" in s.prompt
    assert "add:" in s.reasons[0]


def test_race_with_clothing_and_action_goes_to_the_queue() -> None:
    s = screen_post("A white man in his thirties wearing a red hoodie and jeans took a parcel from the porch and "
                    "drove off in a grey van.")
    assert s.verdict == QUEUED


def test_description_without_race_is_not_held() -> None:
    assert screen_post("A man was trying car door handles on Elm St around 2 am.").verdict == QUEUED
