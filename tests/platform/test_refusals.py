"""`isotp.forms.add_refusal`, the one helper that puts a service's refusal on a form (issue 13): a refusal about a
field goes on that field (the error summary links to it and the field is marked), anything else at the top."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from isotp.errors import DomainConflict
from isotp.forms import GovukDateField, GovukFormMixin, add_refusal


class _Form(GovukFormMixin, forms.Form):
    new_date = GovukDateField(label="New date", required=False)
    offence = forms.CharField(required=False)
    note = forms.CharField(required=False)


def _shown(exc, fields=None):
    form = _Form({})
    assert form.is_valid()
    add_refusal(form, exc, fields)
    return form.summary_errors()


@pytest.mark.parametrize(
    ("exc", "fields", "expected"),
    [
        # A rule's refusal named by its code: the bank holiday goes on the date (the summary links to its day box).
        (
            DomainConflict("25 December is not a working day", code="NON_WORKING_DAY"),
            {"NON_WORKING_DAY": "new_date"},
            [("id_new_date_0", "25 December is not a working day")],
        ),
        # "*": any other refusal of the call.
        (
            DomainConflict("Room A is already booked", code="VENUE_CLASH"),
            {"*": "new_date"},
            [("id_new_date_0", "Room A is already booked")],
        ),
        # A refusal carrying the field it is about.
        (DomainConflict("Not that one", code="X", field="note"), None, [("id_note", "Not that one")]),
        # Not mapped: about the record as a whole, at the top.
        (
            DomainConflict("The group is cancelled", code="OWNER_CANCELLED"),
            None,
            [("", "The group is cancelled")],
        ),
        # A ValidationError's keys: the same name, or mapped from the service's argument name.
        (ValidationError({"note": ["Too long"]}), None, [("id_note", "Too long")]),
        (
            ValidationError({"offence_code": ["Unknown offence"]}),
            {"offence_code": "offence"},
            [("id_offence", "Unknown offence")],
        ),
        # A whole-document check mapped to the one field that holds the document.
        (
            ValidationError({"__all__": ["Not valid JSON"]}),
            {"__all__": "note"},
            [("id_note", "Not valid JSON")],
        ),
        (ValidationError({"__all__": ["Nothing changed"]}), None, [("", "Nothing changed")]),
        (ValidationError({"unknown": ["Something else"]}), None, [("", "Something else")]),
        (ValidationError("Plain message"), None, [("", "Plain message")]),
    ],
)
def test_a_refusal_goes_on_its_field_or_at_the_top(exc, fields, expected):
    assert [(anchor, str(message)) for anchor, message in _shown(exc, fields)] == expected
