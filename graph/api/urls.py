from django.urls import path

from graph.api import views

urlpatterns = [
    path(
        "researchers/<int:pk>/collaborators/",
        views.CollaboratorList.as_view(),
        name="graph-collaborators",
    ),
    path("researchers/<int:pk>/graph/", views.researcher_graph, name="graph-network"),
]
