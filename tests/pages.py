"""Reading rendered pages in view tests."""

from __future__ import annotations

import html
import re
from typing import Any


def page_text(response: Any) -> str:
    """The page's HTML with entities decoded and white space folded, so names such as O'Brien match as written."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def error_summary(response: Any) -> str:
    """The GOV.UK error summary's HTML with white space folded (empty when the page has none)."""
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", match.group(0)) if match else ""


def choice_hints(response: Any) -> dict[str, str]:
    """Each radio or checkbox label on the page with the text of its item hint ("" when it has none)."""
    found = {}
    for match in re.finditer(
        r'<label class="govuk-label govuk-(?:radios|checkboxes)__label"[^>]*>(.*?)</label>\s*'
        r'(?:<div id="[^"]*-item-hint"[^>]*>(.*?)</div>)?',
        response.content.decode(),
        re.S,
    ):
        label, hint = (
            re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", g or ""))).strip()
            for g in match.groups()
        )
        found[label] = hint
    return found
