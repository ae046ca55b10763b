from django.urls import path

from archive_site.dictionaries import views

urlpatterns = [
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
