from django.urls import path

from profiles import citation, exports, history, institutions, topics, views

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
    path("researchers/<int:pk>/history/", history.researcher_history, name="history"),
    path(
        "researchers/<int:pk>/history/<int:entry_pk>/revert/",
        history.revert_history_entry,
        name="revert_history_entry",
    ),
    path("institutions/<int:pk>/", institutions.institution_detail, name="institution"),
    path("topics/<int:pk>/", topics.topic_detail, name="topic"),
    # Exports, feed and badge (profiles/exports.py).
    path("researchers/<int:pk>/works.bib", exports.works_bibtex, name="works_bibtex"),
    path("researchers/<int:pk>/works.ris", exports.works_ris, name="works_ris"),
    path("researchers/<int:pk>/works.json", exports.works_csl_json, name="works_csl_json"),
    path("researchers/<int:pk>/feed.atom", exports.works_feed, name="feed"),
    path("researchers/<int:pk>/badge.svg", exports.badge, name="badge"),
    # One work cited in a style (profiles/citation.py): under /works/ with the work's pages, here
    # because it formats the work as the exports above do.
    path("works/<int:pk>/cite/", citation.cite, name="cite"),
]
