from django.urls import path

app_name = "programme_sessions"
urlpatterns: list = []
