from django.urls import path

from accounts import views

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
        "staff/<uuid:public_id>/reset-second-factor/",
        views.staff_reset_second_factor,
        name="staff_reset_second_factor",
    ),
    path("venues/", views.venue_list, name="venue_list"),
    path("closures/", views.closure_list, name="closure_list"),
    path("closures/<int:pk>/remove/", views.closure_remove, name="closure_remove"),
]
