"""Helpers shared by the letter formats and the 2009-13 report formats.

The formats in this family (unannounced CRA letters, monitoring and focused visit letters,
JTAI letters, the 2009-13 reports and standalone LSCB reviews) are read from plain lines:
one ReportText line per source line, blank lines kept. These helpers turn such lines into
clean paragraphs, headings, dates and names; each format module decides what they mean.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...vocabulary import DASH, MONTHS, grade_from_words
from ..report import ParsedFinding, ParsedRecommendation, ParsedReport, ReportText

# Bullet marks as converters leave them: "-", "•", "*", "·" and the Symbol-font bullet
# (U+F0B7) that PDF text layers carry; "o" and "" for second-level lists.
_BULLET = re.compile(r"^\s*(?:[-•*·▪●\uf0b7\uf0a7]|o(?=\s))\s+")
_NUMBER_AT_START = re.compile(r"^\s*(?:[-•*·▪●\uf0b7]\s+)?(\d{1,3})\.\s+(?=\S)")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<=\S)\*(?!\w)")
_SPACE = re.compile(r"[ \t\u00a0\u2002\u2003\u2009]+")


def clean(line: str) -> str:
    """A line's words without bullet marks, emphasis marks or runs of spaces and tabs."""
    line = _BULLET.sub("", line)
    line = _EMPHASIS.sub("", line)
    return _SPACE.sub(" ", line).strip()


def norm(line: str) -> str:
    """A line folded for comparing with known wording: lower case, straight quotes, no
    bullets, emphasis or trailing colon."""
    text = clean(line).lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(DASH, "-", text)
    return text.rstrip(" :.").strip()


def is_bulleted(line: str) -> bool:
    """Whether the line starts a list item."""
    return bool(_BULLET.match(line))


def opening(lines: Sequence[str], count: int = 30) -> list[str]:
    """The first `count` non-blank lines, folded with norm(): where titles are."""
    folded = []
    for line in lines:
        if line.strip():
            folded.append(norm(line))
            if len(folded) == count:
                break
    return folded


def find_line(
    lines: Sequence[str], pattern: re.Pattern[str], start: int = 0, end: int | None = None
) -> int | None:
    """The index of the first line in [start, end) whose folded text matches `pattern`."""
    stop = len(lines) if end is None else min(end, len(lines))
    for index in range(start, stop):
        if lines[index].strip() and pattern.search(norm(lines[index])):
            return index
    return None


def title_lines(
    lines: Sequence[str], at: int, pattern: re.Pattern[str], most: int = 3
) -> list[int]:
    """The indexes of the lines a title starting at line `at` spans.

    Titles wrap ("Inspection of looked after children" + "services"): a following line is
    part of the title while `pattern`, matched on the folded lines joined, reads into it.
    The name printed under the title is not, because the pattern stops before it.
    """
    taken = [at]
    for index in range(at + 1, min(len(lines), at + 1 + most)):
        if not lines[index].strip():
            continue
        before = " ".join(norm(lines[i]) for i in taken)
        match = pattern.match(f"{before} {norm(lines[index])}")
        if not match or match.end() <= len(before):
            break
        taken.append(index)
    return taken


def find_title(
    lines: Sequence[str], pattern: re.Pattern[str], within: int
) -> tuple[int, list[int]] | None:
    """Where a title matching `pattern` starts among the first `within` non-blank lines,
    with the lines it spans; a title wrapped over two lines ("Inspection of safeguarding
    and looked after" + "children services") is found too."""
    filled = [index for index, line in enumerate(lines) if line.strip()][:within]
    for position, index in enumerate(filled):
        joined = " ".join(norm(lines[i]) for i in filled[position : position + 2])
        if pattern.match(norm(lines[index])) or pattern.match(joined):
            return index, title_lines(lines, index, pattern)
    return None


# ---------------------------------------------------------------------------------------
# Dates

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_TOKEN = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+(?P<month>" + _MONTH_WORDS + r")\.?)?"
    r"(?:\s*(?P<year>(?:19|20)\d\d))?(?![\d%])(?!\s*(?:am|pm)\b)",
    re.IGNORECASE,
)
_STANDALONE_DATE = re.compile(
    r"^(?:date:?\s*)?\d{1,2}(?:st|nd|rd|th)?\s+(?:" + _MONTH_WORDS + r")\.?\s+(?:19|20)\d\d$",
    re.IGNORECASE,
)


def dates_in(clause: str) -> list[datetime.date]:
    """Every date a short clause writes out, in order, filling a day's missing month and
    year from the next ones written: "2 and 3 May 2017", "12-16 March and 26-30 March 2012",
    "27 November 2017 to 5 January 2018".

    Only for a clause known to be about dates: any bare number would count as a day.
    """
    tokens = [
        (int(m["day"]), m["month"], m["year"])
        for m in _DATE_TOKEN.finditer(re.sub(DASH, " - ", clause))
    ]
    dates: list[datetime.date] = []
    month = year = None
    filled = []
    for day, token_month, token_year in reversed(tokens):
        month = token_month or month
        year = token_year or year
        if month and year:
            filled.append((day, month, year))
    for day, month_word, year_word in reversed(filled):
        try:
            dates.append(datetime.date(int(year_word), MONTHS[month_word.lower()], day))
        except ValueError:
            continue
    # "30 December to 3 January 2019": the start is in the year before the one written.
    for index in range(len(dates) - 1):
        if dates[index] > dates[index + 1] and dates[index].month > dates[index + 1].month:
            dates[index] = dates[index].replace(year=dates[index].year - 1)
    return dates


def date_window(clause: str) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last dates a dates clause writes out; (None, None) when it has none."""
    found = dates_in(clause)
    if not found:
        return None, None
    return found[0], found[-1]


def standalone_date(line: str) -> datetime.date | None:
    """The date a line consists of ("13 June 2017"), as a letter's date is printed."""
    text = clean(line)
    if not _STANDALONE_DATE.match(text):
        return None
    found = dates_in(text)
    return found[0] if found else None


# ---------------------------------------------------------------------------------------
# Names

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
    name = _SPACE.sub(" ", name).strip(" ,.;:–-")
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


# ---------------------------------------------------------------------------------------
# Paragraphs and headings


@dataclass
class Paragraph:
    """A paragraph as printed: its words joined across line and page breaks."""

    text: str
    number: str | None = None
    bulleted: bool = False


def _starts_lower(text: str) -> bool:
    first = next((ch for ch in text if ch.isalnum() or ch in "("), "")
    return first.islower() or first == "("


def paragraphs(lines: Iterable[str], *, numbered: bool = False) -> list[Paragraph]:
    """Group lines into paragraphs.

    A new paragraph starts at a bulleted line, a line after a blank line (unless it starts
    in lower case: the rest of a sentence cut by a page break), or, with `numbered`, at a
    printed paragraph number. Numbers are taken where they start a line ("12. The ...") or,
    as PDF conversions of the 2012-13 reports leave them, mid-line where the next number
    in sequence is expected ("children's social 18. care services"). With `numbered`, an
    unnumbered, unbulleted line continues the paragraph before it (a page break).
    """
    result: list[Paragraph] = []
    after_blank = True
    for raw in lines:
        if not raw.strip():
            after_blank = True
            continue
        bulleted = is_bulleted(raw)
        number, text = _split_number(raw, result) if numbered else (None, clean(raw))
        if not text:
            continue
        starts_new = (
            not result
            or number is not None
            or bulleted
            or (after_blank and not numbered and not _starts_lower(text))
        )
        if starts_new:
            result.append(Paragraph(text=text, number=number, bulleted=bulleted))
        else:
            result[-1].text = _join(result[-1].text, text)
        after_blank = False
    return result


def _join(before: str, after: str) -> str:
    if before.endswith("-") and not before.endswith(" -"):
        return before + after
    return f"{before} {after}"


def _split_number(raw: str, so_far: list[Paragraph]) -> tuple[str | None, str]:
    start = _NUMBER_AT_START.match(raw)
    if start:
        return start.group(1), clean(raw[start.end() :])
    text = clean(raw)
    last = next((p.number for p in reversed(so_far) if p.number), None)
    if last is not None and is_bulleted(raw):
        expected = str(int(last) + 1)
        mid = re.search(rf"(?<=\s){expected}\.\s+(?=[a-z(])", text)
        if mid:
            return expected, _SPACE.sub(" ", text[: mid.start()] + text[mid.end() :]).strip()
    return None, text


def is_heading_like(line: str) -> bool:
    """Whether a line reads as a heading: short, capitalised, not a sentence."""
    text = clean(line)
    if not text or len(text) > 110 or is_bulleted(line) or _NUMBER_AT_START.match(line):
        return False
    words = text.split()
    return (
        len(words) <= 14
        and text[0].isupper()
        and not text.endswith((".", ",", ";"))
        # "Ofsted has identified the following areas for priority action:" introduces a
        # list; "Immediately:" is a heading.
        and not (text.endswith(":") and len(words) > 4)
        and "\t" not in line
    )


def _could_be_heading(line: str, grade_beside: bool) -> bool:
    # Known headings can be long ("The effectiveness of the help and protection provided to
    # children, young people, families and carers"), so only the shape is checked here. A
    # tab is allowed only before a grade printed beside the heading.
    text = clean(line)
    if not text or is_bulleted(line) or _NUMBER_AT_START.match(line):
        return False
    cells = [cell for cell in line.strip().split("\t") if cell.strip()]
    if len(cells) > 1 and not (grade_beside and len(cells) == 2 and grade_words(cells[1])):
        return False
    return not text.endswith((".", ",", ";"))


def sections(
    lines: Sequence[str],
    headings: Iterable[re.Pattern[str]],
    start: int = 0,
    end: int | None = None,
    *,
    grade_beside: bool = False,
) -> list[tuple[str, int, int]]:
    """Split lines [start, end) at lines that match one of `headings` (tested on the folded
    line). Returns (heading as printed, first body line, end line) in order.

    `grade_beside`: headings may carry their grade after a tab ("Overall effectiveness
    <tab> Grade 3 (adequate)"); otherwise such lines are table rows, not headings."""
    stop = len(lines) if end is None else end
    patterns = list(headings)
    marks = [
        index
        for index in range(start, stop)
        if lines[index].strip()
        and _could_be_heading(lines[index], grade_beside)
        and any(p.search(norm(lines[index])) for p in patterns)
    ]
    return [
        (clean(lines[index]), index + 1, marks[n + 1] if n + 1 < len(marks) else stop)
        for n, index in enumerate(marks)
    ]


# ---------------------------------------------------------------------------------------
# Grades


def grade_words(text: str) -> tuple[str, str] | None:
    """(grade code, the words as printed) for a cell or heading that states a grade only:
    "Inadequate", "Requires improvement to be good", "Grade 3 (adequate)"."""
    words = clean(text).strip(" .:")
    folded = words.lower()
    if not re.fullmatch(
        r"(grade\s*\d\s*:?\s*)?\(?(outstanding|good|adequate|inadequate|requires? improvement"
        r"(?: to be good)?)\)?(\s*\(?(grade\s*)?\d\)?)?",
        folded,
    ):
        return None
    code = grade_from_words(words)
    return (code, words) if code else None


# ---------------------------------------------------------------------------------------
# Letters


@dataclass
class Letter:
    """Where a letter sits among the lines: a letter may be wrapped in other papers (a
    council's cabinet agenda), and only the letter is the report.

    `start` is its date line (or its salutation), `title_at` its subject line, `end` the
    line after its signature block; `body` runs from after the title to the sign-off.
    """

    start: int
    title_at: int
    sign_off: int | None
    end: int
    date: datetime.date | None
    signatory: str | None

    @property
    def body_end(self) -> int:
        """The index of "Yours sincerely", or the letter's end."""
        return self.sign_off if self.sign_off is not None else self.end


_SALUTATION = re.compile(r"^dear\b")
_SIGN_OFF = re.compile(r"^yours (sincerely|faithfully)")


def find_letter(lines: Sequence[str], title: re.Pattern[str]) -> Letter | None:
    """The letter whose subject line matches `title` (tested on folded lines)."""
    title_at = find_line(lines, title)
    if title_at is None:
        return None
    start = title_at
    date = None
    # Its date and salutation come just before the subject line, after the address.
    for index in range(title_at - 1, max(-1, title_at - 25), -1):
        if not lines[index].strip():
            continue
        found = standalone_date(lines[index])
        if found:
            start, date = index, found
            break
        if _SALUTATION.match(norm(lines[index])):
            start = index
    sign_off = find_line(lines, _SIGN_OFF, title_at)
    end = len(lines)
    if sign_off is not None:
        end = _signature_end(lines, sign_off)
    return Letter(
        start=start,
        title_at=title_at,
        sign_off=sign_off,
        end=end,
        date=date,
        signatory=signatory(lines, title_at) if sign_off is not None else None,
    )


def _signature_end(lines: Sequence[str], sign_off: int) -> int:
    """The line after the signature block: the name, and the title under it."""
    seen = 0
    for index in range(sign_off + 1, min(len(lines), sign_off + 12)):
        if not lines[index].strip():
            continue
        seen += 1
        if re.search(r"(?i)inspector|director|hmi\b", lines[index]) or seen >= 3:
            return index + 1
    return min(len(lines), sign_off + 12)


_VISIT_DATES = re.compile(
    r"\b(?:on|between|from|dates?:?)\s+(?P<clause>\d{1,2}(?:st|nd|rd|th)?\b[^.]{0,80}?"
    r"(?:19|20)\d\d)",
    re.IGNORECASE,
)


def visit_window(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """The dates of a visit as a letter's opening states them ("which was conducted on 27
    and 28 July 2010", "on 12 to 14 March 2019"): (first day, last day)."""
    match = _VISIT_DATES.search(text)
    if not match:
        return None, None
    return date_window(match["clause"])


def letter_sections(lines: Sequence[str], start: int, end: int) -> list[tuple[str, int, int]]:
    """Split a letter's body [start, end) at its headings: short capitalised lines that
    stand alone between paragraphs. The text before the first heading is the section ""."""
    marks = []
    previous = ""
    for index in range(start, end):
        line = lines[index]
        if not line.strip():
            continue
        text = clean(line)
        ends_sentence = (
            not previous
            or previous.endswith((".", ":", "?", ")", "!"))
            or (previous in [h for h, _ in marks])
        )
        if is_heading_like(line) and ends_sentence and not text.lower().startswith("yours"):
            marks.append((text, index))
        previous = text
    result = []
    bounds = [(h, i + 1) for h, i in marks]
    first_heading = marks[0][1] if marks else end
    if first_heading > start:
        result.append(("", start, first_heading))
    for n, (heading, first) in enumerate(bounds):
        stop = marks[n + 1][1] if n + 1 < len(marks) else end
        result.append((heading, first, stop))
    return result


# ---------------------------------------------------------------------------------------
# Visit letters (monitoring visits, focused visits)

_NOT_FINDINGS = re.compile(r"^(areas covered by the visit|scope of the (visit|inspection))$")
_BOILERPLATE = re.compile(
    r"(?i)^(I am copying this letter|This letter will be published|Yours sincerely)"
)
_PRIORITY = re.compile(r"^(areas? for priority action)$")
_IMPROVE = re.compile(r"^(areas? for improvement|what needs to improve\b.*)$")


def read_visit_letter(
    text: ReportText,
    framework: str,
    title: re.Pattern[str],
    *,
    signatory_may_lead: bool = True,
    skip_sections: re.Pattern[str] = _NOT_FINDINGS,
) -> ParsedReport:
    """Read a visit letter (monitoring, focused or JTAI): front matter from its opening,
    findings from its headed sections; "areas for priority action" and "areas for
    improvement" (or "what needs to improve") become recommendations.

    `signatory_may_lead`: whether a letter naming no inspectors was led by its signatory
    (true of one-inspector letters; JTAI letters are signed by the inspectorates' directors).
    """
    lines = text.lines
    letter = find_letter(lines, title)
    assert letter is not None, "only called on a recognised letter"
    subject = clean(lines[letter.title_at])
    name = title.match(norm(subject))
    folded_name = name.groupdict().get("name") if name else None
    authority = _as_printed(subject, folded_name) if folded_name else ""
    report = ParsedReport(
        framework=framework,
        authority_name=authority,
        title=subject,
        published_date=letter.date,
    )
    if letter.date is None:
        report.warnings.append("The letter's date could not be found.")
    body = letter_sections(lines, letter.title_at + 1, letter.body_end)
    intro = " ".join(
        clean(line) for h, a, b in body if h == "" for line in lines[a:b] if line.strip()
    )
    body_text = " ".join(clean(line) for line in lines[letter.title_at : letter.body_end])
    report.start_date, report.end_date = visit_window(intro or body_text)
    if report.start_date is None:
        report.warnings.append("The letter does not say when the visit took place.")
    report.lead_inspector = letter_lead_inspector(
        intro or body_text, letter.signatory if signatory_may_lead else None
    )
    for heading, first, end in body:
        if not skip_sections.match(norm(heading)):
            _read_section(lines[first:end], heading, report)
    return report


def _as_printed(subject: str, folded_name: str) -> str:
    """The authority's name with the subject line's own capitals."""
    start = subject.lower().replace("\u2019", "'").find(folded_name)
    return subject[start : start + len(folded_name)] if start >= 0 else folded_name


def _read_section(lines: list[str], heading: str, report: ParsedReport) -> None:
    folded = norm(heading)
    if not heading:
        return
    kind = "area_for_priority_action" if _PRIORITY.match(folded) else None
    is_recommendation = bool(kind) or bool(_IMPROVE.match(folded))
    for paragraph in paragraphs(lines):
        if _BOILERPLATE.match(paragraph.text):
            continue
        if is_recommendation and paragraph.text.endswith(":") and not paragraph.bulleted:
            # "Ofsted has identified the following areas for priority action:" introduces
            # the list; it is not an item of it.
            continue
        report.findings.append(
            ParsedFinding(
                section=heading, text=paragraph.text, position=len(report.findings), kind=kind
            )
        )
        if is_recommendation:
            report.recommendations.append(
                ParsedRecommendation(text=paragraph.text, position=len(report.recommendations))
            )
