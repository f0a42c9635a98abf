from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/name/", views.account_name, name="name"),
]
