"""CSV downloads (the statistics tables, the waiting list, a group's schedule, a register): one writer, with
spreadsheet formula injection neutralised in every cell (OWASP "CSV injection"): a cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel or LibreOffice shows it as text instead of
running it. The standard library's `csv` module does the quoting; this only adds the neutralising and the
download response."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text, with a leading `'` if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(headings: Sequence[Any], rows: Iterable[Sequence[Any]], notes: Sequence[str] = ()) -> str:
    """Headings, rows and (after a blank line) notes, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headings])
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    if notes:
        writer.writerow([])
        for note in notes:
            writer.writerow([safe_cell("Note"), safe_cell(note)])
    return out.getvalue()


def csv_response(text: str, filename: str) -> HttpResponse:
    """A download of `text` as `filename` (the middleware marks every signed-in answer no-store)."""
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response


def safe_filename(filename: str) -> str:
    """The download's name with only letters, digits, `.`, `_` and `-`: a name built from a record's text (a group
    reference) must never break the header (a carriage return answered 500) or carry a quote."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export.csv"
