"""A sentence's start, a conviction and an offence are events: today or in the past, never before the person's
date of birth (a start in 2099 and one before birth were stored). The end of supervision may be in the future."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from referrals.models import Conviction, Sentence
from tests.referrals.factories import PersonFactory

pytestmark = pytest.mark.django_db

BORN = dt.date(1980, 6, 1)


@pytest.fixture
def person(area, om):
    return PersonFactory(area=area, offender_manager=om, date_of_birth=BORN)


def _sentence(api, om, person, start, end="2099-01-01"):
    return api(om).post(
        reverse("api-person-sentences", kwargs={"public_id": person.public_id}),
        {
            "legal_basis": "community_order",
            "programme_requirement": True,
            "start_date": start,
            "supervision_end_date": end,
        },
        format="json",
    )


@pytest.mark.parametrize("start", ["2099-01-01", "1979-01-01", "1980-05-31"], ids=["future", "before", "eve"])
def test_a_sentence_start_in_the_future_or_before_birth_is_a_400_on_start_date(api, om, person, start):
    response = _sentence(api, om, person, start)
    assert response.status_code == 400 and list(response.json()) == ["start_date"]
    assert not Sentence.objects.filter(person=person).exists()


def test_a_sentence_that_started_in_the_past_may_end_in_the_future(api, om, person):
    assert _sentence(api, om, person, "2020-01-01").status_code == 201


@pytest.mark.parametrize("field", ["conviction_date", "offence_date"])
def test_a_conviction_or_offence_before_birth_is_refused_on_its_field(om, person, field):
    from django.core.exceptions import ValidationError

    from referrals.services.people import add_conviction

    dates = {"conviction_date": dt.date(2010, 1, 1), "offence_date": dt.date(2009, 1, 1)}
    dates[field] = dt.date(1970, 1, 1)
    if field == "conviction_date":
        dates["offence_date"] = None
    with pytest.raises(ValidationError) as excinfo:
        add_conviction(actor=om, person=person, offence_code="pca1978_s1_1a", **dates)
    assert list(excinfo.value.message_dict) == [field]
    assert not Conviction.objects.filter(person=person).exists()
