from django.urls import path

from accounts import area_views, views

app_name = "accounts"

urlpatterns = [
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/two-factor/", views.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/sign-out/", views.SignOutView.as_view(), name="logout"),
    path("account/", views.your_account, name="your_account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/<uuid:public_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<uuid:public_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<uuid:public_id>/supervisor/", views.staff_supervisor, name="staff_supervisor"),
    path(
        "staff/<uuid:public_id>/supervision/end/", views.staff_supervision_end, name="staff_supervision_end"
    ),
    path(
        "staff/<uuid:public_id>/reset-second-factor/",
        views.staff_reset_second_factor,
        name="staff_reset_second_factor",
    ),
    path("staff/invite/", area_views.staff_invite, name="staff_invite"),
    path("staff/deactivated/", area_views.staff_deactivated, name="staff_deactivated"),
    path("staff/<uuid:public_id>/role/", area_views.staff_role, name="staff_role"),
    path("staff/<uuid:public_id>/deactivate/", area_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:public_id>/reactivate/", area_views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/<uuid:public_id>/training/<int:pk>/remove/",
        area_views.training_remove,
        name="training_remove",
    ),
    path("accounts/invitation/<uidb64>/<token>/", area_views.invitation, name="invitation"),
    path("venues/", views.venue_list, name="venue_list"),
    path("venues/add/", area_views.venue_add, name="venue_add"),
    path("venues/<int:pk>/edit/", area_views.venue_edit, name="venue_edit"),
    path("venues/<int:pk>/retire/", area_views.venue_retire, name="venue_retire"),
    path("venues/<int:pk>/reinstate/", area_views.venue_reinstate, name="venue_reinstate"),
    path("closures/", views.closure_list, name="closure_list"),
    path("closures/<int:pk>/remove/", views.closure_remove, name="closure_remove"),
]
