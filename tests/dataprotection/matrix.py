from tests.matrix import Route


def _person(area, personas):
    from tests.referrals.factories import eligible_person

    return {"public_id": eligible_person(area, personas["offender_manager"]).public_id}


ROUTES = [
    Route("dataprotection:subject_access", roles=frozenset({"area_admin"}), kwargs=_person, scoped=True),
]


def _candidate(area, personas):
    from dataprotection.models import RetentionCandidate
    from dataprotection.services.retention import refresh_candidates
    from tests.referrals.factories import eligible_person

    person = eligible_person(area, personas["offender_manager"])
    person.sentences.update(start_date="2012-01-01", supervision_end_date="2015-01-01")
    refresh_candidates()
    return {"public_id": RetentionCandidate.objects.get(person=person).public_id}


ROUTES += [
    Route("dataprotection:retention_list", roles=frozenset({"area_admin"})),
    Route("dataprotection:retention_erase", roles=frozenset({"area_admin"}), kwargs=_candidate, scoped=True),
    Route(
        "dataprotection:retention_erase",
        roles=frozenset({"area_admin"}),
        kwargs=_candidate,
        scoped=True,
        method="post",
    ),
]
