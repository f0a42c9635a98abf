from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("researchers/<int:pk>/", views.researcher_detail, name="detail"),
    path(
        "researchers/openalex/<str:openalex_id>/",
        views.researcher_by_openalex_id,
        name="by_openalex_id",
    ),
]
