from django.urls import path

from profiles.api import institutions, topics, views

urlpatterns = [
    path("researchers/", views.ResearcherList.as_view(), name="api-researcher-list"),
    # str, not int: a malformed id must get the API's JSON 404, not Django's HTML one.
    path("researchers/<str:pk>/", views.ResearcherDetail.as_view(), name="api-researcher-detail"),
    path(
        "researchers/<str:pk>/works/",
        views.ResearcherWorks.as_view(),
        name="api-researcher-works",
    ),
    path("institutions/", institutions.InstitutionList.as_view(), name="api-institution-list"),
    path(
        "institutions/<str:pk>/",
        institutions.InstitutionDetail.as_view(),
        name="api-institution-detail",
    ),
    path("topics/", topics.TopicList.as_view(), name="api-topic-list"),
    path("topics/<str:pk>/", topics.TopicDetail.as_view(), name="api-topic-detail"),
]
