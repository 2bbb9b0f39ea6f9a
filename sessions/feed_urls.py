"""The private calendar feed lives at the site root (`/calendar/<token>.ics`): calendar apps fetch it without
signing in, so it is outside the pages' sign-in and second-factor checks (see accounts.middleware)."""

from django.urls import path

from sessions.feeds import ical_feed

app_name = "programme_sessions_feed"
urlpatterns = [
    path("calendar/<str:token>.ics", ical_feed, name="ical"),
]
