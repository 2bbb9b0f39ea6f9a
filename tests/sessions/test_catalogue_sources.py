"""The catalogue page names its source documents in words (issue 13): the stored notes cite the design's source
numbers (000 to 004) and its sections, so that a reviewer can check each figure, but a person reading the page sees
the documents' titles, no seed numbers, no "domain.md" and no "§"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sessions.rules.default_catalogue import DEFAULT_CATALOGUE
from sessions.rules.sources import SOURCE_TITLES, plain_change_reason, plain_note, source_title
from tests.pages import page_text

SEED_NUMBER = re.compile(r"(?<![\w.:-])00[0-4](?!\w|:\d)")


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "8-10 men aged 21+ (000, 003). Module 3 is 3-4 sessions in 000; the default uses 3 (domain.md §2.1).",
            "8-10 men aged 21 and over (the i-SOTP programme description and Cheshire Probation's information for "
            "courts). Module 3 is 3-4 sessions in the i-SOTP programme description; the default uses 3.",
        ),
        (
            "002 gives 144-162 hours, 10:00-15:30.",
            "The N-SOGP programme description gives 144-162 hours, 10:00-15:30.",
        ),
        (
            "ILLUSTRATIVE: 004 gives no dosage. 004: dosage differs by risk.",
            "Illustrative: the 2013 Freedom of Information reply gives no dosage. The 2013 Freedom of Information "
            "reply: dosage differs by risk.",
        ),
        ("A note with no citation.", "A note with no citation."),
        ("", ""),
    ],
)
def test_a_note_cites_its_sources_by_name(note, expected):
    assert plain_note(note) == expected


def test_every_default_note_reads_without_numbers_or_design_references():
    for entry in DEFAULT_CATALOGUE:
        notes = [entry["source_note"], *(m.get("note", "") for m in entry["modules"])]
        for note in filter(None, notes):
            plain = plain_note(note)
            assert not SEED_NUMBER.search(plain), plain
            assert "domain.md" not in plain and "§" not in plain and "21+" not in plain, plain
        for code in entry["source"]:
            assert source_title(code) == SOURCE_TITLES[code]


def test_a_change_reason_in_words():
    assert (
        plain_change_reason("Seeded from the default catalogue.")
        == "The national catalogue the service starts with."
    )
    assert plain_change_reason("Module 3 to 4 sessions (003)") == (
        "Module 3 to 4 sessions (Cheshire Probation's information for courts)"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code",
    [
        e["code"]
        for e in DEFAULT_CATALOGUE
        if e["code"] in ("isotp_group", "isotp_one_to_one", "nsogp_core_group")
    ],
)
def test_the_catalogue_page_shows_titles_not_numbers(login, area_admin, code):
    text = page_text(login(area_admin).get(reverse("programme_sessions:programme_detail", args=[code])))
    words = re.sub(r"<[^>]+>", " ", text)
    main = words[words.index("Programme catalogue") :]
    assert not SEED_NUMBER.search(main), SEED_NUMBER.search(main)
    assert "domain.md" not in main and "§" not in main and "Seeded" not in main
    entry = next(e for e in DEFAULT_CATALOGUE if e["code"] == code)
    for source in entry["source"]:
        assert SOURCE_TITLES[source] in main
