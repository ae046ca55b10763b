"""Login throttling (django-axes): the username it counts failed logins under."""

from axes.models import AccessAttempt
from django.conf import settings

STORED_LENGTH = AccessAttempt._meta.get_field("username").max_length


def login_username(request, credentials=None):
    """The username typed on the login page, cut to what the throttling store holds.

    No account's username is that long (the user table allows 150 characters), so
    every longer name is equally unknown: counting its failures under its first 255
    characters still locks out whoever keeps trying it.
    """
    source = credentials or getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return None if username is None else str(username)[:STORED_LENGTH]
