"""Phone-typing slips: read "fridsy", "wednesdya", "waitnig" as the word meant.

Why generated, not listed: a rep's thumb makes the same few kinds of slip on any word
(two letters swapped, one dropped, one doubled, a neighbouring key or the wrong vowel), so
a hand list of misspellings never ends ("thrusday", "thursdat", "thirsday", ...). Each
table names the words worth correcting (weekdays and months in `process/dates.py`, a few
grammar words in `process/steering_vocab.py`); `slips` makes every one-slip variant of them,
minus variants that are real words (`NOT_SLIPS`), into a lookup table built at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["NOT_SLIPS", "fix", "slips"]

# Letters next to each other on a QWERTY keyboard (a thumb lands on a neighbour).
_NEIGHBOURS: Final[dict[str, str]] = {
    "q": "wa", "w": "qeas", "e": "wrsd", "r": "etdf", "t": "ryfg", "y": "tugh", "u": "yihj",
    "i": "uojk", "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz", "d": "serfcx",
    "f": "drtgvc", "g": "ftyhbv", "h": "gyujnb", "j": "huikmn", "k": "jiolm", "l": "kop",
    "z": "asx", "x": "zsdc", "c": "xdfv", "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
}  # fmt: skip
_VOWELS: Final = "aeiou"


def _words(text: str) -> list[str]:
    return text.split()


# One slip away from a target but a word in its own right (or a name): never "corrected".
NOT_SLIPS: Final = frozenset(
    _words("""
    frida fridays monday mondays sundae sunday sundays marc march marches marcy mach arch
    april aprils june july august augusts agust octobers decembers januarys
    shoulder would wold could wound woulds sign sings sing sine sigh signs sigs reports
    heir hopping sensing lease cold contact signee fiance meting resort redlined
    """)
)


def slips(word: str, min_length: int = 5) -> set[str]:
    """Every one-slip misspelling of `word` (lower case), for words of `min_length` or more.

    A slip: two neighbouring letters swapped, one letter dropped (not the first or the last:
    "ending", "frida"), one letter doubled, a neighbouring key or another vowel for one letter (words of
    six or more letters only, where a substitution rarely makes another real word).
    """
    out: set[str] = set()
    if len(word) < min_length:
        return out
    n = len(word)
    for k in range(n - 1):
        out.add(word[:k] + word[k + 1] + word[k] + word[k + 2 :])
        if k:  # dropping the first letter makes real words too often ("ending", "heir")
            out.add(word[:k] + word[k + 1 :])
    for k in range(n):
        out.add(word[: k + 1] + word[k] + word[k + 1 :])
    if n >= 6:
        for k in range(n):
            others = _NEIGHBOURS.get(word[k], "") + (_VOWELS if word[k] in _VOWELS else "")
            for letter in others:
                out.add(word[:k] + letter + word[k + 1 :])
    out.discard(word)
    return out - NOT_SLIPS


def table(targets: str | Iterable[str], spelled: dict[str, str] | None = None) -> dict[str, str]:
    """Misspelling -> word meant, for `targets` (a list, or words in one string; the first
    target wins a variant shared by two)."""
    targets = _words(targets) if isinstance(targets, str) else list(targets)
    out: dict[str, str] = {}
    for target in targets:
        for variant in slips(target):
            out.setdefault(variant, target)
    for target in targets:
        out.pop(target, None)  # a real target is never rewritten as another one
    out.update(spelled or {})
    return out


_WORD: Final = re.compile(r"[A-Za-z]+")


def fix(text: str, slipped: dict[str, str]) -> str:
    """`text` with every word found in `slipped` replaced by the word meant (lower case).

    Cheap when nothing is misspelled: one set intersection, no substitution.
    """
    if slipped.keys().isdisjoint(_WORD.findall(text.lower())):
        return text
    return _WORD.sub(lambda m: slipped.get(m.group().lower(), m.group()), text)
