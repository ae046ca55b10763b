"""The authentication backend: Django's model backend, loading the request's user with
what the apps annotated onto it (`archive_site.registry.user_annotations`), such as the
count of unread notifications the header shows — in the query that loads the user anyway."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from archive_site import registry


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        annotations = {name: expression() for name, expression in registry.user_annotations.items()}
        try:
            user = get_user_model()._default_manager.annotate(**annotations).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
