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
