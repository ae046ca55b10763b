from django.contrib.auth import views as auth_views
from django.urls import path

from archive_site import audit, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
    # Accounts and roles (administrators only).
    path("accounts/", views.user_list, name="user-list"),
    path("accounts/new/", views.user_create, name="user-create"),
    path("accounts/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("accounts/<int:pk>/password/", views.user_password_reset, name="user-password-reset"),
    path("accounts/<int:pk>/deactivate/", views.user_set_active, {"active": False}, name="user-deactivate"),
    path("accounts/<int:pk>/reactivate/", views.user_set_active, {"active": True}, name="user-reactivate"),
    path("access-log/", audit.access_log_list, name="access-log"),
    # Base dictionaries.
    path("dictionaries/", views.dictionary_list, name="dictionary-list"),
    path("dictionaries/<str:kind>/", views.dictionary_list, name="dictionary-list"),
    path("dictionaries/<str:kind>/new/", views.dictionary_create, name="dictionary-create"),
    path("dictionaries/entries/<int:pk>/edit/", views.dictionary_edit, name="dictionary-edit"),
    path(
        "dictionaries/entries/<int:pk>/up/", views.dictionary_move, {"direction": "up"}, name="dictionary-up"
    ),
    path(
        "dictionaries/entries/<int:pk>/down/",
        views.dictionary_move,
        {"direction": "down"},
        name="dictionary-down",
    ),
    path(
        "dictionaries/entries/<int:pk>/deactivate/",
        views.dictionary_set_active,
        {"active": False},
        name="dictionary-deactivate",
    ),
    path(
        "dictionaries/entries/<int:pk>/reactivate/",
        views.dictionary_set_active,
        {"active": True},
        name="dictionary-reactivate",
    ),
    path("dictionaries/entries/<int:pk>/delete/", views.dictionary_delete, name="dictionary-delete"),
]
