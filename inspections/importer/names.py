"""People's names as reports print them: a person's name without titles, and the
readers of who led an inspection.

- person_name: whether words read as a person's name, and the name without titles.
- labelled_lead_inspector: the SIF and ILACS "Lead inspector: ..." line.
- front_matter_lead_inspector: the 2012-13 reports' front matter, where the dates and
  the name often share a line.
- letter_lead_inspector, named_inspectors, signatory: a letter's lead, the inspectors
  its body names, and who signs it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .dates import MONTH_WORDS
from .lines import SPACE, clean, find_line

_TITLES = re.compile(
    r"\b(?:HMI|Her Majesty['’]s Inspector(?:s)?|His Majesty['’]s Inspector(?:s)?|"
    r"(?:Deputy )?Lead inspectors?|Reporting inspector|Additional inspector|"
    r"Social Care Regulatory Inspector|Ofsted Inspector|Senior HMI|Mr|Mrs|Ms|Miss|Dr)\b\.?"
    # "(OI)", "(AI)": Ofsted's and additional inspectors; "on site:" qualifies a label.
    r"|\((?:OI|AI)\)|\bon[\s-]+site\b",
    re.IGNORECASE,
)
# What a title leaves behind: "Jane Smith (HMI)" -> "Jane Smith ()".
_EMPTY_BRACKETS = re.compile(r"\(\W*\)|\[\W*\]")
# A name's words: capitalised, letters with inner apostrophes or hyphens ("O’Brien",
# "Thomson-Jones"), or an initial ("J", "J."); particles in lower case between them.
_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*\.?$")
_PARTICLES = frozenset({"de", "van", "von", "le", "la", "da", "di", "du", "del", "der", "den"})
# Capitalised words of a report's front matter and sentences that are never in a name.
_NOT_NAME_WORDS = frozenset(
    """the a an and of for to by in on at with was were is are has have this that inspection
    inspections inspector inspectors team ofsted council children childrens services
    service date dates report published age group all authority local""".split()
)


def person_name(text: str) -> str | None:
    """A person's name without titles, labels or what they leave behind ("Simon Rushall
    HMI", "on site: Jane Smith (HMI)" -> "Simon Rushall", "Jane Smith"), or None when what
    is left does not look like a name: two to five capitalised words (an initial or a
    particle such as "de" between), none of them a word names never have."""
    name = _EMPTY_BRACKETS.sub(" ", _TITLES.sub(" ", text))
    name = SPACE.sub(" ", name).strip(" ,.;:–-")
    words = name.split(" ")
    if not 2 <= len(words) <= 5 or words[-1] in _PARTICLES:
        return None
    for position, word in enumerate(words):
        if position and word in _PARTICLES:
            continue
        if not (_NAME_WORD.match(word) and word[0].isupper()):
            return None
        if word.lower().replace("’", "'").removesuffix("'s") in _NOT_NAME_WORDS:
            return None
    if len(words[-1].rstrip(".")) < 2:
        return None  # ends with an initial: a surname is missing
    return name


_INSPECTORS_SENTENCE = re.compile(
    r"(?:the\s+)?(?:lead\s+)?inspectors?\s+(?:was|were)\s+(?P<names>[^.]+?)\.(?:\s|$)"
    r"|carried out by (?:Her|His) Majesty['’]s Inspectors?\s+(?P<names2>[^.]+?)\.(?:\s|$)"
    r"|(?:Her|His) Majesty['’]s Inspectors?\s+(?P<names3>[^.]+?)\s+carried out this visit",
    re.IGNORECASE,
)
_LEAD_STATED = re.compile(
    r"lead inspector(?: was| is|:)?\s+(?P<name>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)+)"
    r"|(?P<name2>[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)+)(?:\s+HMI)?,?\s*\(?lead inspector\)?",
)


def named_inspectors(body: str) -> list[str]:
    """The inspectors a letter's body names ("The inspectors were A HMI and B HMI")."""
    match = _INSPECTORS_SENTENCE.search(body)
    if not match:
        return []
    names = match["names"] or match["names2"] or match["names3"]
    parts = re.split(r",\s*|\s+and\s+", names)
    return [name for name in (person_name(part) for part in parts) if name]


def letter_lead_inspector(body: str, signatory: str | None) -> str | None:
    """A letter's lead inspector: the one it calls lead; else the only inspector it names;
    else, when it names none, the inspector who signs it. A letter naming several
    inspectors without a lead states no lead, and signing is not leading, so None."""
    stated = _LEAD_STATED.search(body)
    if stated:
        return person_name(stated["name"] or stated["name2"])
    named = named_inspectors(body)
    if len(named) == 1:
        return named[0]
    if named:
        return None
    return signatory


def signatory(lines: Sequence[str], start: int = 0, end: int | None = None) -> str | None:
    """The name under "Yours sincerely"/"Yours faithfully" in lines [start, end)."""
    found = find_line(lines, re.compile(r"^yours (sincerely|faithfully)"), start, end)
    if found is None:
        return None
    for line in lines[found + 1 : found + 6]:
        if line.strip():
            return person_name(clean(line))
    return None


# Titles printed around a name in a labelled line ("Jane Smith, HMI").
_TITLES_AROUND_NAME = re.compile(
    r",?\s*(?:(?:senior\s+|regional\s+)?(?:her|his)\s+majesty['’]s\s+inspector(?:\s*\(HMI\))?"
    r"|(?:senior\s+)?HMI\b|ofsted\s+inspector|social\s+care\s+regulatory\s+inspector)\.?",
    re.IGNORECASE,
)


_LEAD_LABEL = re.compile(r"^lead\s+inspectors?\b(?P<rest>.*)$", re.IGNORECASE)


def labelled_lead_inspector(lines: list[str]) -> str | None:
    """The (first) lead inspector's name, without titles such as "HMI", from the line
    labelled "Lead inspector" (or the line under a label that stands alone). None where
    no line is labelled, or what follows the label does not read as a person's name
    (person_name): a fragment is never kept."""
    for index, line in enumerate(lines):
        match = _LEAD_LABEL.match(line)
        if not match:
            continue
        rest = match["rest"]
        below = lines[index + 1] if index + 1 < len(lines) else ""
        if not re.sub(r"(?i)\W|\bon\s+site\b", "", rest) and ":" not in below:
            # "Lead inspector:" (or "... on site:") alone, the name under it; a labelled
            # line under it ("Deputy lead inspector: ...") names someone else.
            rest = below
        # "Rebecca Quested, HMI, and Matthew Reed, HMI": the first named.
        first = re.split(r",?\s+and\s+|;|/", rest)[0]
        first = _TITLES_AROUND_NAME.sub("", first).split(",")[0]
        return person_name(first)
    return None


_DATE_WORDS = re.compile(
    r"\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:" + MONTH_WORDS + r")\.?)?(?:\s*(?:19|20)\d\d)?",
    re.IGNORECASE,
)


def front_matter_lead_inspector(front: list[str]) -> str | None:
    """The lead inspector from the front matter, where the dates and the name often share a
    line ("Inspection dates: Lead inspector 24 June – 3 July 2013 Simon Rushall HMI")."""
    for index, line in enumerate(front):
        if "lead inspector" not in line.lower() and "reporting inspector" not in line.lower():
            continue
        for candidate in (line, *front[index + 1 : index + 2]):
            # "Lead inspectorRichard Nash": the label can run into the name.
            words = re.sub(r"(?i)inspection dates?:?|(lead|reporting) inspector:?", " ", candidate)
            words = _DATE_WORDS.sub(" ", words).replace("–", " ").replace(" - ", " ")
            name = person_name(words.replace(":", " "))
            if name:
                return name
    return None
