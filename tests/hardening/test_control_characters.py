"""Control characters (C0, C1) and bidirectional overrides/isolates are refused in every text field: the rule, the
model, the form and the serializer. Tab and line breaks stay allowed in multi-line free text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from isotp import bounds
from referrals.models import Person

pytestmark = pytest.mark.django_db

REFUSED = {
    "BEL": "\x07",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "C1 CSI": "\x9b",
    "LRE": "\u202a",
    "RLO": "\u202e",
    "LRI": "\u2066",
    "PDI": "\u2069",
}
LINE_BREAKS = {"tab": "\t", "newline": "\n", "carriage return": "\r"}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_the_rule_refuses_control_and_bidi_characters(char):
    for multiline in (False, True):
        assert bounds.text_character_problem(f"Ada{char}ms", multiline=multiline)


@pytest.mark.parametrize("char", LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_line_breaks_are_refused_in_a_name_but_kept_in_free_text(char):
    assert bounds.text_character_problem(f"a{char}b", multiline=False)
    assert bounds.text_character_problem(f"a{char}b", multiline=True) is None


def test_ordinary_text_passes():
    assert bounds.text_character_problem("Zoë O'Brien-Łukasz 名前 — ok", multiline=False) is None


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_the_model_refuses_them_in_a_name(area, om, char):
    person = Person(
        crn="C111111",
        first_name=f"Ada{char}",
        last_name="Example",
        date_of_birth=dt.date(1980, 1, 1),
        sex="male",
        area=area,
        offender_manager=om,
    )
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()
    assert "first_name" in excinfo.value.message_dict


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_the_api_refuses_them_on_the_field(api, om, char):
    response = api(om).post(
        reverse("api-person-list"),
        {
            "crn": "C222222",
            "first_name": "Ada",
            "last_name": f"Ex{char}ample",
            "date_of_birth": "1980-01-01",
            "sex": "male",
        },
        format="json",
    )
    assert response.status_code == 400 and list(response.json()) == ["last_name"]
    assert not Person.objects.filter(crn="C222222").exists()


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_the_form_refuses_them_with_an_error_on_the_field(login, om, char):
    response = login(om).post(
        reverse("referrals:person_create"),
        {
            "crn": "C333333",
            "first_name": f"{char}Ada",
            "last_name": "Example",
            "date_of_birth_0": "1",
            "date_of_birth_1": "1",
            "date_of_birth_2": "1980",
            "sex": "male",
        },
    )
    assert response.status_code == 200 and b'href="#id_first_name"' in response.content
    assert not Person.objects.filter(crn="C333333").exists()


def test_a_transfer_reason_keeps_its_line_breaks_but_not_an_override(api, tm):
    from transfers.serializers import TransferInput

    ok = TransferInput(data={"crn": "C444444", "reason": "Moved.\nNew address.", "offender_manager": None})
    ok.is_valid()
    assert "reason" not in ok.errors
    bad = TransferInput(data={"crn": "C444444", "reason": "Moved \u202e.", "offender_manager": None})
    assert not bad.is_valid() and "reason" in bad.errors
