"""Writing notifications and e-mailing them.

`notify(kind, recipients, objection=...)` writes one notification per recipient (the
one who caused it left out) in the caller's transaction, and once that transaction
commits, e-mails each to its recipient in their language unless they turned e-mail off
for the kind (`Preference`). `send_emails(ids)` claims each notification's e-mail
(`emailed_at`) before sending it, so two workers never send the same one twice.
"""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification, Preference


def objection_args(objection, **more):
    """The arguments every objection notification shows: its number and customer."""
    return {"number": objection.number, "customer": objection.customer.name, **more}


def notify(kind, recipients, *, objection=None, customer=None, args=None, actor=None):
    """One notification of `kind` for each recipient (not `actor`, not twice, only active users)."""
    notes = notifications_for(
        kind, recipients, objection=objection, customer=customer, args=args, actor=actor
    )
    return save_notifications(notes)


def notifications_for(kind, recipients, *, objection=None, customer=None, args=None, actor=None):
    """The notifications `notify` writes, not saved yet (to save many at once)."""
    seen, notes = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen or (actor and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        notes.append(
            Notification(
                recipient=user,
                kind=kind,
                objection=objection,
                customer=customer or (objection.customer if objection else None),
                args=args or {},
            )
        )
    return notes


def save_notifications(notes):
    """Write `notes` in one statement; e-mail them once the caller's transaction commits."""
    made = Notification.objects.bulk_create(notes)
    ids = [n.pk for n in made]
    if ids:
        # robust: a mail server that fails is logged; it does not fail what was already committed
        transaction.on_commit(lambda: send_emails(ids), robust=True)
    return made


def send_emails(ids):
    """E-mail the notifications `ids` not e-mailed yet, each once, as their recipients chose."""
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
            .select_related("recipient", "recipient__notification_preference", "objection")
            .select_for_update(skip_locked=True, of=("self",))
        )
        messages, sent = [], []
        for note in claimed:
            message = email_for(note)
            if message is not None:
                messages.append(message)
                sent.append(note.pk)
        if not messages:
            return 0
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def preference_of(user):
    try:
        return user.notification_preference
    except Preference.DoesNotExist:
        return Preference(user=user)


def email_for(note):
    """The e-mail of one notification, in its recipient's language; None when not wanted."""
    user = note.recipient
    preference = preference_of(user)
    if not user.email or not preference.wants_email(note.kind):
        return None
    with translation.override(preference.mail_language):
        context = {
            "note": note,
            "user": user,
            "text": note.text,
            "link": settings.SITE_URL + note.get_absolute_url(),
            "preferences": settings.SITE_URL + reverse("notifications:preferences"),
            "mill": str(settings.MILL_NAME),
        }
        subject = render_to_string("notifications/mail/subject.txt", context).strip()
        body = render_to_string("notifications/mail/body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
