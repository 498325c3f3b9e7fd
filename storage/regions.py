"""LIAISON_HOLIDAYS, read: whose public holidays close the office, as a region of the `holidays` package (a
country `US`, or a subdivision `US-IL`), and that region in words for the people who read it back.

Liaison serves US public defenders, so a bare two-letter code that is also a US state's abbreviation is
refused rather than read as the country the package knows by it: `IL` is Israel to the package but
Illinois to the person who wrote it, and a silently foreign calendar would move every deadline off the
wrong days. The state is `US-IL`; the country, written so nobody could mean a state, is its three-letter
code (`ISR`). A US territory's own code (`PR`, `GU`) is the territory either way, so it is taken.
"""

from __future__ import annotations

import re
from functools import cache

import holidays
from holidays.registry import COUNTRIES
from rapidfuzz import fuzz, process

from storage.errors import InvalidInput

# Codes that are both a US territory's abbreviation and the package's country for that same territory.
US_TERRITORIES = frozenset({"AS", "GU", "MP", "PR", "UM", "VI"})
SUGGESTED = 3


@cache
def known_regions() -> tuple[str, ...]:
    """Every region the holidays package knows: its countries (`US`) and their subdivisions (`US-IL`)."""
    regions = []
    for country, subdivisions in holidays.list_supported_countries(include_aliases=False).items():
        regions.append(country)
        regions += [f"{country}-{sub}" for sub in subdivisions]
    return tuple(regions)


@cache
def _countries() -> dict[str, tuple[str, str]]:
    """The package's countries by their two-letter code: (name in words, three-letter code)."""
    return {
        country: (re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name), alpha3)
        for class_name, country, alpha3, *_ in COUNTRIES.values()
    }


@cache
def _subdivision_names() -> dict[str, str]:
    """A subdivision's name in words, by region (`US-IL`: Illinois); the package's first name for it."""
    names: dict[str, str] = {}
    for country in _countries():
        for name, sub in _aliases(country).items():
            names.setdefault(f"{country}-{sub}", name)
    return names


def _aliases(country: str) -> dict[str, str]:
    """The country's subdivisions by name (`Illinois`: `IL`), in the package's order (English first)."""
    return dict(getattr(getattr(holidays, country, None), "subdivisions_aliases", None) or {})


@cache
def _ambiguous() -> frozenset[str]:
    """Bare country codes a US public defender would read as a state (`IL`, `IN`, `PA`, `GA`, `CA`)."""
    states = {region.removeprefix("US-") for region in known_regions() if region.startswith("US-")}
    return frozenset(states & set(_countries()) - US_TERRITORIES)


def _written(region: str) -> str:
    """How LIAISON_HOLIDAYS should name `region` so that it is taken: a country that shares its code with
    a US state by its three-letter code, everything else as the package spells it."""
    return _countries()[region][1] if region in _ambiguous() else region


@cache
def _region_names() -> dict[str, str]:
    """What someone may have meant by a region, by the region: its code, the country's three-letter code
    and other names the package gives it (`UK`), and the country's or state's name (people write
    `Illinois`, `US-Illinois`, `United Kingdom`)."""
    names = {region: region for region in known_regions()}
    for class_name, country, alpha3, *aliases in COUNTRIES.values():
        spoken = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name).upper()
        for name in (spoken, alpha3, *(a for a in aliases if not a.startswith("Holidays"))):
            names[name.upper()] = country
    for country in _countries():
        for name, sub in _aliases(country).items():
            if f"{country}-{sub}" in names:
                names[name.upper()] = names[f"{country}-{name}".upper()] = f"{country}-{sub}"
    return names


def region(raw: str) -> str:
    """The region `raw` names, as the package spells it (`us-il` is `US-IL`, `ISR` is `IL`); InvalidInput
    for a bare code that is also a US state's (saying how to write either), or naming the closest known
    regions for one the package does not know."""
    typed = raw.strip().upper()
    if typed in _ambiguous():
        country, alpha3 = _countries()[typed]
        raise InvalidInput(
            f"{typed} is {country}'s country code in the holidays package, and also the abbreviation of "
            f"{_subdivision_names().get('US-' + typed, 'a US state')}, so Liaison does not guess: for the "
            f"state write US-{typed}; for {country} write its three-letter code, {alpha3}",
            "region",
        )
    country, dash, sub = typed.partition("-")
    for code, (_, alpha3) in _countries().items():
        if country == alpha3:  # the country written so that no state could be meant
            typed = code + dash + sub
            break
    if typed in known_regions():
        return typed
    closest: list[str] = []
    for label, _score, _ in process.extract(typed, list(_region_names()), scorer=fuzz.ratio, limit=12):
        if _region_names()[label] not in closest:
            closest.append(_region_names()[label])
    named = "; ".join(f"{_written(found)} ({name_of(found, code=False)})" for found in closest[:SUGGESTED])
    raise InvalidInput(
        f"the holidays package does not know {raw!r} as a country or state; the closest it knows: {named}. "
        "Write a country like US, or a state like US-IL",
        "region",
    )


def name_of(region: str, *, code: bool = True) -> str:
    """`US-IL` in words, for people: `Illinois, United States (US-IL)` (without the code: `code=False`)."""
    country, _, sub = region.partition("-")
    words = _countries().get(country, (country, ""))[0]
    if sub:
        words = f"{_subdivision_names().get(region, sub)}, {words}"
    return f"{words} ({region})" if code else words
