"""Words that may stand among the words of a name without being any of them, and other spellings of a
name (storage/identifiers/names.py)."""

from __future__ import annotations

# Words of a name's own that may stand between its other words (`Maria del Carmen Ortiz`).
_IBERIAN = frozenset(["de", "del", "la", "las", "los", "da", "das", "do", "dos", "y", "e"])
PARTICLES = _IBERIAN | {"van", "von", "der", "den", "du", "di", "bin", "ibn", "al", "el", "le", "st"}
# A form's labels, which may stand between the first name and the last (`First: John\nLast: Doe`,
# `first name John, last name Doe`, `nombre: Maria, apellido: Ortiz`). `first`, `last`, `middle`,
# `given` and `family` are ordinary words too (`Maria first, Ortiz second`): labels only before a colon
# or an equals sign, or before another label.
# (`first_name` reads `firstname`: Slack draws an underscore as italics.)
LABELS_ALONE = frozenset(["name", "names", "surname", "nombre", "apellido", "apellidos"]) | {
    f"{part}name" for part in ("first", "last", "middle", "given", "family", "full")
}
FORM_LABELS = LABELS_ALONE | {"first", "last", "middle", "given", "family"}
MAX_LABELS = 4  # `First Name: Maria\nMiddle Name: Luisa\nLast Name: Ortiz`


def with_either_half(name: str) -> list[tuple[str, bool]]:
    """The name, and with each double-barrelled word as either half alone (`Aaliyah Washington-Brooks` is
    also `Aaliyah Washington` and `Aaliyah Brooks`): each half is a name the person goes by, though found
    only as written (strict: a half is often a place's name too)."""
    spellings = [(name, False)]
    for word in name.split():
        halves = [h for h in word.split("-") if h]
        if len(halves) == 2:
            spellings += [(s.replace(word, half), True) for s, _ in list(spellings) for half in halves]
    return spellings
