from django.urls import path

from claims import owner_requests, record_works, views

app_name = "claims"

urlpatterns = [
    path("researchers/<int:pk>/claim/", views.claim_start, name="start"),
    path("researchers/<int:pk>/invite/", views.invitation_send, name="invite"),
    path("claims/", views.my_claims, name="my_claims"),
    path("claims/<int:pk>/", views.claim_detail, name="detail"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="withdraw"),
    path("claims/<int:pk>/resend-email/", views.claim_resend_email, name="resend_email"),
    path("claims/confirm-email/<str:token>/", views.verify_email, name="verify_email"),
    path("staff/claims/", views.review_queue, name="review_queue"),
    path("staff/claims/<int:pk>/approve/", views.claim_approve, name="approve"),
    path("staff/claims/<int:pk>/reject/", views.claim_reject, name="reject"),
    path("staff/researchers/<int:pk>/verify/", views.record_verify, name="verify_record"),
    path("my-record/", views.record_edit, name="record_edit"),
    path("my-record/release/", views.record_release, name="record_release"),
    path("my-record/works/add/", owner_requests.add_work, name="add_work"),
    path("my-record/merge-requests/", owner_requests.merge_request, name="merge_request"),
    path("staff/merge-requests/", owner_requests.review_merge_requests, name="merge_requests"),
    path(
        "staff/merge-requests/<int:pk>/approve/",
        owner_requests.approve_merge_request,
        name="merge_request_approve",
    ),
    path(
        "staff/merge-requests/<int:pk>/refuse/",
        owner_requests.refuse_merge_request,
        name="merge_request_refuse",
    ),
    path("my-record/works/<int:work_pk>/not-mine/", record_works.not_mine, name="not_mine"),
    path("my-record/works/<int:work_pk>/mine/", record_works.mine_again, name="mine_again"),
    path("invitations/", views.inbox, name="inbox"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path("invitations/<int:pk>/answer/", views.invitation_answer, name="invitation_answer"),
    path("invitations/<int:pk>/block/", views.invitation_block_sender, name="block_sender"),
    path("invitations/blocks/<int:pk>/delete/", views.unblock, name="unblock"),
]
