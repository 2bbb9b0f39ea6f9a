from django.urls import path

from referrals import api

urlpatterns = [
    path("rm2000/score/", api.Rm2000ScoreApi.as_view(), name="api-rm2000-score"),
    path("ogrs3/score/", api.Ogrs3ScoreApi.as_view(), name="api-ogrs3-score"),
    path("eligibility/check/", api.EligibilityCheckApi.as_view(), name="api-eligibility-check"),
    path("offences/", api.OffenceListApi.as_view(), name="api-offence-list"),
    path("offences/<slug:code>/", api.OffenceDetailApi.as_view(), name="api-offence-detail"),
    path("people/", api.PersonListApi.as_view(), name="api-person-list"),
    path("people/<uuid:public_id>/", api.PersonDetailApi.as_view(), name="api-person-detail"),
    path(
        "people/<uuid:public_id>/convictions/",
        api.PersonConvictionApi.as_view(),
        name="api-person-convictions",
    ),
    path(
        "people/<uuid:public_id>/convictions/<uuid:conviction_id>/",
        api.PersonConvictionDetailApi.as_view(),
        name="api-person-conviction-detail",
    ),
    path("people/<uuid:public_id>/sentences/", api.PersonSentenceApi.as_view(), name="api-person-sentences"),
    path("people/<uuid:public_id>/rm2000/", api.PersonRm2000Api.as_view(), name="api-person-rm2000"),
    path(
        "people/<uuid:public_id>/rm2000/calculate/",
        api.PersonRm2000CalculateApi.as_view(),
        name="api-person-rm2000-calculate",
    ),
    path("people/<uuid:public_id>/rosh/", api.PersonRoshApi.as_view(), name="api-person-rosh"),
    path("people/<uuid:public_id>/ogrs3/", api.PersonOgrs3Api.as_view(), name="api-person-ogrs3"),
    path("people/<uuid:public_id>/deviance/", api.PersonDevianceApi.as_view(), name="api-person-deviance"),
    path("referrals/", api.ReferralListApi.as_view(), name="api-referral-list"),
    path("referrals/<uuid:public_id>/", api.ReferralDetailApi.as_view(), name="api-referral-detail"),
    path(
        "referrals/<uuid:public_id>/transitions/",
        api.ReferralTransitionApi.as_view(),
        name="api-referral-transitions",
    ),
    path(
        "referrals/<uuid:public_id>/assessment/",
        api.ReferralAssessmentApi.as_view(),
        name="api-referral-assessment",
    ),
    path(
        "referrals/<uuid:public_id>/history/", api.ReferralHistoryApi.as_view(), name="api-referral-history"
    ),
    path("waiting-list/", api.WaitingListApi.as_view(), name="api-waiting-list"),
]
