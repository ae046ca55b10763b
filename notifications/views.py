from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.forms import PreferenceForm
from notifications.models import Notification, unread_count
from notifications.notify import preference_of

PAGE_SIZE = 30


def notification_list(request):
    """The user's own notifications, unread first, newest first."""
    notes = Notification.objects.of(request.user).unread_first()
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = unread_count(request.user)  # loaded with the user (the header shows it too)
    return render(request, "notifications/notification_list.html", {"page_obj": page, "unread": unread})


def _own_notification(request, pk):
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@require_POST
def notification_read(request, pk):
    """Mark one notification read; `open` goes on to what it tells of, else back to the list."""
    note = _own_notification(request, pk)
    Notification.objects.filter(pk=note.pk).mark_read()
    if request.POST.get("open"):
        return redirect(note.get_absolute_url())
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("notifications:notification-list")


@require_POST
def notification_read_all(request):
    n = Notification.objects.of(request.user).mark_read(timezone.now())
    messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": n})
    return redirect("notifications:notification-list")


def preferences(request):
    form = PreferenceForm(request.POST or None, instance=preference_of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
