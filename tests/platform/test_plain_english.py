"""Plain English where people look (issue 13): no source-document numbers such as "(003)", no "domain.md §4" and no
programmer notation in the words the services show (reasons, refusals, home cards, emails) or in the templates.

The sources are cited in comments and docstrings, where they belong; strings that become text on a page or in an
email do not carry them. API field documentation (serializers), model help texts and the catalogue's own
provenance notes (`default_catalogue.py`, whose purpose is to say where each figure comes from) are left out.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from tests.project_apps import PROJECT_APPS

ROOT = Path(__file__).resolve().parents[2]
APPS = PROJECT_APPS
NOT_SHOWN = {"default_catalogue.py", "models.py"}
CITATION = re.compile(r"\((?:0\d\d)(?:[,:][^)]*)?\)|domain\.md|§")
NOTATION = re.compile(r"\w <= \w|\w >= \w")


def _shown_strings(path: Path) -> list[tuple[int, str]]:
    """String literals that are not docstrings (a docstring is triple-quoted here, by the house style)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type != tokenize.STRING:
            continue
        body = token.string.lstrip("rbfuRBFU")
        if body.startswith(('"""', "'''")):
            continue
        found.append((token.start[0], token.string))
    return found


def test_no_source_numbers_or_notation_in_the_words_the_services_show():
    problems = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name in NOT_SHOWN or "serializers" in path.name:
                continue
            for line, text in _shown_strings(path):
                if CITATION.search(text) or NOTATION.search(text):
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    assert not problems, "\n".join(problems)


def test_no_source_numbers_or_notation_in_the_templates():
    problems = []
    for path in (ROOT / "templates").rglob("*.html"):
        # What shows: the template's text without its comments, tags and variables.
        text = re.sub(
            r"{#.*?#}|{% comment %}.*?{% endcomment %}|{%.*?%}|{{.*?}}", "", path.read_text(), flags=re.S
        )
        for match in (CITATION.search(text), NOTATION.search(text)):
            if match:
                problems.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not problems, "\n".join(problems)
