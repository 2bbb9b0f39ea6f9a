from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("transfers/", views.transfer_list, name="list"),
    path("transfers/request/", views.transfer_request, name="request"),
    path("transfers/<uuid:public_id>/", views.transfer_decide, name="decide"),
]
