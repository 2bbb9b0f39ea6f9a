"""The catalogue's source documents in words (issue 13: no seed file numbers on screen). No Django.

The default catalogue (`default_catalogue.py`) cites its sources by their numbers in the design's list of primary
sources (domain.md, the table at its head: 000 to 004), and keeps doing so in the stored data, where a reviewer can
check each figure against its document. A person reading the catalogue page sees the documents' titles instead:
`source_title` for the list of sources, `plain_note` for a note that cites them (and any design reference, which is
for the people who build the service, is left out).
"""

from __future__ import annotations

import re

# Source: domain.md, "The primary sources are the five documents in ../seeds/", and each document's own heading.
SOURCE_TITLES: dict[str, str] = {
    "000": "Internet Sex Offender Treatment Programme: programme description (HMPPS, 2017)",
    "001": "How the Internet Sex Offender Treatment Programme was developed (journal article)",
    "002": "Northumbria Sex Offender Groupwork Programme: programme description",
    "003": "Cheshire Probation: information for courts on the i-SOTP",
    "004": "Ministry of Justice: Freedom of Information reply 86525 (November 2013)",
}

# The same documents named inside a sentence.
SOURCE_NAMES: dict[str, str] = {
    "000": "the i-SOTP programme description",
    "001": "the article on how i-SOTP was developed",
    "002": "the N-SOGP programme description",
    "003": "Cheshire Probation's information for courts",
    "004": "the 2013 Freedom of Information reply",
}

_NUMBER = re.compile(r"(?<![\w.:-])(00[0-4])(?!\w|:\d)")
_NUMBERS_IN_BRACKETS = re.compile(r"\((00[0-4](?:,\s*00[0-4])*)\)")
_DESIGN_REFERENCE = re.compile(
    r"\s*\((?:see\s+)?(?:domain\.md\s*)?\u00a7\s*[\d.]+(?:\s*(?:,|and)\s*\u00a7?\s*[\d.]+)*\)"
)
_LEFTOVER_DESIGN = re.compile(r"(?:domain\.md\s*)?\u00a7\s*[\d.]+")  # \u00a7: the section sign
_AND_OVER = re.compile(r"\b(\d+)\+")
_SENTENCE_START = re.compile(r"(^|\.\s+)([a-z])")


def source_title(code: str) -> str:
    """A source's title; an unknown code is shown as it is."""
    return SOURCE_TITLES.get(str(code), str(code))


def _names(codes: str) -> str:
    names = [SOURCE_NAMES[c.strip()] for c in codes.split(",")]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def plain_note(text: str) -> str:
    """A catalogue note in plain English: sources by name, no design references, "21 and over" for "21+",
    no capitals shouted ("ILLUSTRATIVE:" reads "Illustrative:")."""
    if not text:
        return text
    out = _DESIGN_REFERENCE.sub("", text)
    out = _LEFTOVER_DESIGN.sub("", out)
    out = _NUMBERS_IN_BRACKETS.sub(lambda m: f"({_names(m.group(1))})", out)
    out = _NUMBER.sub(lambda m: SOURCE_NAMES[m.group(1)], out)
    out = _AND_OVER.sub(r"\1 and over", out)
    out = re.sub(r"^ILLUSTRATIVE\b", "Illustrative", out)
    out = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), out)
    return re.sub(r"\s{2,}", " ", out).strip()


def plain_change_reason(text: str) -> str:
    """A version's change reason; the seeded versions' own note says where they came from in words."""
    if text.strip() == "Seeded from the default catalogue.":
        return "The national catalogue the service starts with."
    return plain_note(text)
