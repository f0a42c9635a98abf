from django.urls import path

from works.api import views

urlpatterns = [
    path("works/", views.WorkList.as_view(), name="api-work-list"),
    # str, not int: a malformed id must get the API's JSON 404, not Django's HTML one.
    path("works/<str:pk>/", views.WorkDetail.as_view(), name="api-work-detail"),
]
