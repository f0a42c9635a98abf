from django.urls import path

from claims.api import corrections, record, views

urlpatterns = [
    path("me/claims/", views.MyClaims.as_view(), name="api-my-claims"),
    path("me/record/", record.MyRecord.as_view(), name="api-my-record"),
    path(
        "me/record/works/<int:work_id>/not-mine/",
        corrections.NotMine.as_view(),
        name="api-my-record-not-mine",
    ),
]
