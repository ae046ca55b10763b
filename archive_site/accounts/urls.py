from django.contrib.auth import views as auth_views
from django.urls import path

from archive_site.accounts import tokens, views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
    path("accounts/", views.user_list, name="user-list"),
    path("accounts/new/", views.user_create, name="user-create"),
    path("accounts/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("accounts/<int:pk>/password/", views.user_password_reset, name="user-password-reset"),
    path("accounts/<int:pk>/deactivate/", views.user_set_active, {"active": False}, name="user-deactivate"),
    path("accounts/<int:pk>/reactivate/", views.user_set_active, {"active": True}, name="user-reactivate"),
    path("accounts/roles/", views.role_list, name="role-list"),
    path("accounts/roles/new/", views.role_create, name="role-create"),
    path("accounts/roles/<int:pk>/", views.role_edit, name="role-edit"),
    path("accounts/roles/<int:pk>/delete/", views.role_delete, name="role-delete"),
    path("accounts/tokens/", tokens.token_list, name="token-list"),
    path("accounts/tokens/new/", tokens.token_create, name="token-create"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
]
