from django.urls import path

from works import views

app_name = "works"

urlpatterns = [
    path("works/", views.work_list, name="list"),
    path("works/<int:pk>/", views.work_detail, name="detail"),
]
