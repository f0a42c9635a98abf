from django.urls import path

from claims.api import added_works, corrections, merge_requests, record, views

urlpatterns = [
    path("me/claims/", views.MyClaims.as_view(), name="api-my-claims"),
    path("me/record/", record.MyRecord.as_view(), name="api-my-record"),
    path("me/record/works/", added_works.AddWork.as_view(), name="api-my-record-add-work"),
    path(
        "me/record/merge-requests/",
        merge_requests.MergeRequests.as_view(),
        name="api-my-record-merge-requests",
    ),
    path(
        "me/record/works/<int:work_id>/not-mine/",
        corrections.NotMine.as_view(),
        name="api-my-record-not-mine",
    ),
]
