"""Evidence: which recommendation each finding marked "(Recommendation)" supports.

SIF reports (2013-18) end some findings paragraphs with "(Recommendation)": the paragraph
is evidence for one of the report's recommendations, but the report does not say which.
link_evidence links each to the recommendation it shares the most distinctive words with,
and says so where none shares enough.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import pairwise

from .report import ParsedFinding, ParsedRecommendation

# Words that carry no topic: grammar, and the words every recommendation and finding
# uses ("ensure", "children", "services") or uses loosely ("provide", "timely",
# "support"). Rarer generic words are left to the report's own word counts (below).
_STOPWORDS = frozenset(
    """a about across after against all also an and any are as at be been being both but
    by can could do does for from had has have how however if in into is it its may more
    most much must not of on or other over so some such than that the their them there
    these they this those through to under up was were what when where whether which while
    who whom why will with within without would

    child children young people person family families local authority lscb board
    partner partners service services ensure ensuring improve improving improvement
    improvements practice make made making use used well effective effectively consistent
    consistently good quality need needs including include includes further develop
    developed development strengthen review appropriate appropriately

    provide provided provides detail detailed previous previously response responses
    respond high higher access regular regularly result results resulted time timely
    support supported supports help helped helps stage stages work working number numbers
    level levels area areas way ways aspect aspects able sufficient sufficiently clear
    clearly full fully new recent recently""".split()
)

# The same thing named in different words across a report and its recommendations
# ("independent reviewing officers (IROs)", "the designated officer" for the LADO,
# "management oversight" and "managers"): each spelling is read as one term.
_SYNONYMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), f" {term} ")
    for pattern, term in [
        (r"independent reviewing (?:officers?|service)|\biros?\b", "iro"),
        (r"(?:local authority )?designated officers?|\blados?\b", "lado"),
        (r"(?:child )?sexual exploitation|\bcse\b", "cse"),
        (
            r"(?:not in )?education,? employment,? (?:and|or) training|\bn?eet\b",
            "eet",
        ),
        (r"personal advis[eo]rs?|\bpas\b", "pa"),
        (r"\bmanag(?:ers?|ement|erial|ed|ing)\b", "manage"),
        (r"\bdisab(?:led|ility|ilities)\b", "disab"),
        (r"\bsupervis(?:ion|ed|ing|e)\b", "supervis"),
        (r"\bmass?h\b", "mash"),
    ]
]

# Each pair of neighbouring words counts this much on top of its words, so a shared
# phrase ("private fostering", "life story", "health assessments") outweighs the same
# words found apart.
_PHRASE_WEIGHT = 0.5
# A paragraph and a recommendation are linked only when the words they share weigh at
# least this much (about one distinctive shared word and one more).
_MIN_LINK_SCORE = 4.0


def _tokens(text: str) -> list[str | None]:
    """The words in order, lightly stemmed so "assessments" meets "assessment", with None
    in place of each stopword (so phrases are only read from words printed together)."""
    text = text.lower().replace("’", "'")
    for pattern, term in _SYNONYMS:
        text = pattern.sub(term, text)
    words = [w.removesuffix("'s") for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)]
    return [None if w in _STOPWORDS or len(w) < 2 else _stem(w) for w in words]


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ly", "es"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("s") and len(word) >= 4 and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _terms(text: str) -> Counter[str]:
    """A text's terms and how often it uses each: its content words and each pair of
    content words printed side by side ("life story")."""
    counts: Counter[str] = Counter()
    for sentence in re.split(r"(?<=[.;?!])\s+", text):
        tokens = _tokens(sentence)
        counts.update(t for t in tokens if t)
        counts.update(f"{a} {b}" for a, b in pairwise(tokens) if a and b)
    return counts


def link_evidence(
    recommendations: list[ParsedRecommendation], findings: list[ParsedFinding]
) -> list[str]:
    """Link each "(Recommendation)" finding to the recommendation it supports.

    Rule: a paragraph marked "(Recommendation)" supports the recommendation, of the same
    addressee (LSCB findings support LSCB recommendations), with which it shares the most
    weight of terms. Terms are content words (a few domain synonyms read as one: IROs,
    the designated officer and the LADO, management and managers) and neighbouring pairs
    of them. A shared term weighs its inverse document frequency over the whole report
    (each finding and each recommendation is a document), so the words a report uses
    everywhere ("plans", "assessments") count for little and the few paragraphs' words
    ("allegations", "life story") for much, times 1 + log of how often the paragraph
    uses it (a paragraph repeats its topic). The sum is divided by the square root of the
    recommendation's own weight, so a long recommendation does not win by its size. Ties
    go to the earlier recommendation.

    A marked paragraph whose best match shares under _MIN_LINK_SCORE of weight is left
    unlinked, with a warning: reports sometimes mark a paragraph whose recommendation was
    not printed (North Somerset 2017's private fostering paragraph), and a wrong link
    misleads more than none. The order of marked paragraphs is not used: recommendations
    are not listed in the order of the sections that prompted them.
    """
    warnings: list[str] = []
    marked = [f for f in findings if f.is_recommendation_evidence]
    if not marked:
        return warnings
    documents = [_terms(f.text) for f in findings] + [_terms(r.text) for r in recommendations]
    frequency: Counter[str] = Counter()
    for terms in documents:
        frequency.update(terms.keys())

    def weight(term: str) -> float:
        rarity = math.log(len(documents) / frequency[term]) if frequency[term] else 0.0
        return rarity * (_PHRASE_WEIGHT if " " in term else 1.0)

    rec_terms = documents[len(findings) :]
    rec_size = [math.sqrt(sum(weight(t) for t in sorted(terms))) or 1.0 for terms in rec_terms]
    for finding in marked:
        addressee = "lscb" if finding.area == "lscb" else "authority"
        pool = [i for i, r in enumerate(recommendations) if r.addressee == addressee]
        pool = pool or list(range(len(recommendations)))
        label = finding.paragraph or repr(finding.text[:40] + "…")
        if not pool:
            warnings.append(
                f"Paragraph {label} is marked (Recommendation) but the report "
                "has no recommendations to link it to."
            )
            continue
        mine = _terms(finding.text)
        shared = {
            # Sorted so that the sum, and so any tie, is the same on every run.
            i: sum(
                (1 + math.log(mine[t])) * weight(t)
                for t in sorted(mine.keys() & rec_terms[i].keys())
            )
            for i in pool
        }
        best = max(pool, key=lambda i: (round(shared[i] / rec_size[i], 9), -i))
        if shared[best] < _MIN_LINK_SCORE:
            warnings.append(
                f"Paragraph {label} is marked (Recommendation) but no recommendation "
                "shares enough of its words to link it with confidence, so it is not linked."
            )
            continue
        recommendations[best].evidence_paragraphs.append(finding.paragraph or "")
    return warnings
