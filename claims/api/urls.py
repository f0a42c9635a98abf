from django.urls import path

from claims.api import views

urlpatterns = [
    path("me/claims/", views.MyClaims.as_view(), name="api-my-claims"),
]
