from tests.matrix import Route


def _person(area, personas):
    from tests.referrals.factories import eligible_person

    return {"public_id": eligible_person(area, personas["offender_manager"]).public_id}


ROUTES = [
    Route("dataprotection:subject_access", roles=frozenset({"area_admin"}), kwargs=_person, scoped=True),
]
