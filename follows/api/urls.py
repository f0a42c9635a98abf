from django.urls import path

from follows.api import views

urlpatterns = [
    path("me/follows/", views.MyFollows.as_view(), name="api-my-follows"),
    # str, not int: a malformed id gets the API's JSON 404.
    path("me/follows/<str:researcher>/", views.MyFollow.as_view(), name="api-my-follow"),
]
