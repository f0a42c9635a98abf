from django.urls import path

from follows import views

app_name = "follows"

urlpatterns = [
    path("researchers/<int:pk>/follow/", views.follow, name="follow"),
    path("researchers/<int:pk>/unfollow/", views.unfollow, name="unfollow"),
    path("following/", views.following, name="following"),
    path("following/digest/", views.digest_settings, name="digest_settings"),
    path("feed/", views.feed, name="feed"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
