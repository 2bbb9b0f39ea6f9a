from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("staff/", api.StaffListApi.as_view(), name="api-staff-list"),
    path(
        "staff/<uuid:public_id>/supervision/end/",
        api.StaffSupervisionEndApi.as_view(),
        name="api-staff-supervision-end",
    ),
    path("venues/", api.VenueListApi.as_view(), name="api-venue-list"),
    path("closures/", api.ClosureListApi.as_view(), name="api-closure-list"),
    path("tokens/", api.ApiTokenListCreateApi.as_view(), name="api-token-list"),
    path("tokens/<uuid:public_id>/revoke/", api.ApiTokenRevokeApi.as_view(), name="api-token-revoke"),
]
