"""Pages of the referrals app. People and referrals are addressed by their public UUID, never the integer id."""

from django.urls import path

from referrals.views import assessment, ogrs3, people, referral_journey, referrals, rm2000, waiting_list

app_name = "referrals"

urlpatterns = [
    # People and their record.
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<uuid:public_id>/", people.person_detail, name="person_detail"),
    path("people/<uuid:public_id>/details/", people.person_edit, name="person_edit"),
    path("people/<uuid:public_id>/offences/new/", people.conviction_add, name="conviction_add"),
    path(
        "people/<uuid:public_id>/offences/<uuid:conviction_id>/remove/",
        people.conviction_remove,
        name="conviction_remove",
    ),
    path("people/<uuid:public_id>/sentence/", people.sentence_record, name="sentence_record"),
    path("people/<uuid:public_id>/rm2000/", people.rm2000_record, name="rm2000_record"),
    path("people/<uuid:public_id>/ogrs3/", ogrs3.ogrs3_record, name="ogrs3_record"),
    path("people/<uuid:public_id>/ogrs3/calculator/", ogrs3.ogrs3_calculator, name="ogrs3_calculator"),
    path("people/<uuid:public_id>/risk-of-serious-harm/", people.rosh_record, name="rosh_record"),
    path("people/<uuid:public_id>/deviance/", people.deviance_record, name="deviance_record"),
    # The OM's referral journey: programme question, task list, question pages, check your answers.
    path("people/<uuid:public_id>/refer/", referral_journey.referral_start, name="referral_start"),
    path("referrals/<uuid:public_id>/tasks/", referral_journey.referral_tasks, name="referral_tasks"),
    path(
        "referrals/<uuid:public_id>/programme/",
        referral_journey.referral_programme,
        name="referral_programme",
    ),
    path(
        "referrals/<uuid:public_id>/offences/", referral_journey.referral_offences, name="referral_offences"
    ),
    path("referrals/<uuid:public_id>/risk/", referral_journey.referral_risk, name="referral_risk"),
    path(
        "referrals/<uuid:public_id>/other-information/",
        referral_journey.referral_other,
        name="referral_other",
    ),
    path("referrals/<uuid:public_id>/check/", referral_journey.referral_check, name="referral_check"),
    path(
        "referrals/<uuid:public_id>/submitted/",
        referral_journey.referral_submitted,
        name="referral_submitted",
    ),
    # Referrals: list, page, status changes, the TM's assessment.
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("referrals/<uuid:public_id>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<uuid:public_id>/status/", referrals.referral_status, name="referral_status"),
    path("referrals/<uuid:public_id>/assessment/", assessment.referral_assess, name="referral_assess"),
    # Treatment managers' tools.
    path("waiting-list/", waiting_list.waiting_list, name="waiting_list"),
    path("waiting-list/export.csv", waiting_list.waiting_list_csv, name="waiting_list_csv"),
    path("rm2000/calculator/", rm2000.rm2000_calculator, name="rm2000_calculator"),
]
