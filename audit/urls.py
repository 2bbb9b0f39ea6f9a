from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [path("audit/", views.event_list, name="event_list")]
