from django.urls import path

from works import run_views, views

app_name = "works"

urlpatterns = [
    path("works/", views.work_list, name="list"),
    path("works/<int:pk>/", views.work_detail, name="detail"),
    # Staff only: the live progress partial of an import run (polled by the admin page).
    path("imports/runs/<int:pk>/progress/", run_views.run_progress, name="run_progress"),
]
