"""Resolve an authority's name as a report spells it to one authority.

Reports rarely use the official name: "Metropolitan Borough of Barnsley Council",
"Bristol City Council", "Somerset County Council" for today's Somerset Council,
"Windsor & Maidenhead". Both sides are reduced to a key of the distinctive words, then
matched exactly, or failing that by the longest authority key the name contains (so
"North Somerset" is never read as "Somerset"), or failing that as a short form: the name's
words run together within one authority's key ("Hull" for Kingston upon Hull, "Brighton"
for Brighton and Hove). A short form within several is ambiguous, and resolves to none:
callers name the candidates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable

# Words that say what kind of council it is, not which one.
_GENERIC_WORDS = {
    "the",
    "of",
    "council",
    "county",
    "city",
    "borough",
    "metropolitan",
    "district",
    "royal",
    "london",
    "corporation",
    "unitary",
    "authority",
    "local",
    "childrens",
    "services",
    "and",
}


# Words that join a name's parts ("Kingston upon Hull", "Southend-on-Sea"): a short form
# neither starts nor ends with one.
_CONNECTING_WORDS = {"upon", "on", "with", "under", "in", "le", "st", "sea"}


def name_key(name: str) -> str:
    """The distinctive words of an authority name, normalised for matching.

    >>> name_key("Metropolitan Borough of Barnsley Council")
    'barnsley'
    >>> name_key("Bristol, City of")
    'bristol'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"\bsaint\b", "st", text)
    words = re.findall(r"[a-z0-9]+", text)
    distinctive = [w for w in words if w not in _GENERIC_WORDS]
    # "City of London" is nothing but generic words: keep them all.
    return " ".join(distinctive or words)


class AuthorityNameIndex:
    """Maps names to authority keys (a slug, a primary key: whatever the caller uses)."""

    def __init__(self, names: Iterable[tuple[Hashable, str]]):
        self._by_key: dict[str, Hashable] = {}
        for authority, name in names:
            key = name_key(name)
            if key:
                # The first name given for a key wins, so callers list current
                # authorities before former ones.
                self._by_key.setdefault(key, authority)
        self._longest_first = sorted(self._by_key, key=len, reverse=True)

    def resolve(self, name: str) -> Hashable | None:
        """The authority a name refers to, or None if it names none of them or, being a
        short form of several, is ambiguous (candidates() lists them)."""
        found = self.candidates(name)
        return found[0] if len(found) == 1 else None

    def candidates(self, name: str) -> list[Hashable]:
        """The authorities a name may refer to, in the order they were given: one where it
        resolves, several where it is a short form of several names, else none."""
        key = name_key(name)
        if not key:
            return []
        if key in self._by_key:
            return [self._by_key[key]]
        padded = f" {key} "
        for candidate in self._longest_first:
            if f" {candidate} " in padded:
                return [self._by_key[candidate]]
        words = key.split()
        if (
            all(word in _GENERIC_WORDS for word in words)
            or words[0] in _CONNECTING_WORDS
            or words[-1] in _CONNECTING_WORDS
        ):
            return []  # no distinctive word of its own: a short form of nothing
        found: list[Hashable] = []
        for candidate, authority in self._by_key.items():
            if padded in f" {candidate} " and authority not in found:
                found.append(authority)
        return found
