from django.urls import path

from transfers import api

urlpatterns = [
    path("transfers/", api.TransferListApi.as_view(), name="api-transfer-list"),
    path(
        "transfers/<uuid:public_id>/approve/", api.TransferApproveApi.as_view(), name="api-transfer-approve"
    ),
    path("transfers/<uuid:public_id>/refuse/", api.TransferRefuseApi.as_view(), name="api-transfer-refuse"),
]
