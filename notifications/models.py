"""In-app notifications of the quality work on objections, and each user's e-mail preferences.

A notification is written in the same transaction as what it tells of (an assignment, a
closing, a new objection; `notifications.signals`) or by the daily reminder
(`notifications.reminders`), and e-mailed once that transaction commits
(`notifications.mail`). Its text is kept as a kind and arguments, so each reader sees it
in their own language.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quality.models import Step


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("异议指派给我")
    DUE_SOON = "due_soon", _("异议步骤即将到期")
    OVERDUE = "overdue", _("异议步骤已逾期")
    CLOSED = "closed", _("我的客户的异议已关闭")
    NEW_OBJECTION = "new_objection", _("我关注的客户有新异议")


# What each kind says, with the notification's arguments (`Notification.args`).
TEXTS = {
    Kind.ASSIGNED: _("%(by)s 把质量异议 %(number)s（%(customer)s）指派给您处理。"),
    Kind.DUE_SOON: _("质量异议 %(number)s（%(customer)s）的“%(step)s”将于 %(due)s 到期。"),
    Kind.OVERDUE: _("质量异议 %(number)s（%(customer)s）的“%(step)s”已于 %(due)s 到期，尚未完成。"),
    Kind.CLOSED: _("您负责的客户 %(customer)s 的质量异议 %(number)s 已由 %(by)s 关闭。"),
    Kind.NEW_OBJECTION: _("您关注的客户 %(customer)s 有一条新的质量异议 %(number)s：%(defect)s。"),
}


def read_last():
    """0 for an unread notification, 1 for a read one: the list's first key, and its index's."""
    return Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())


class NotificationQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def unread_first(self):
        """Unread before read, newest first within each (the order `notifications_list` keeps)."""
        return self.order_by(read_last(), "-created_at", "-pk")

    def mark_read(self, now=None):
        return self.unread().update(read_at=now or timezone.now())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notifications_list starts with it
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind)
    objection = models.ForeignKey(
        "quality.Objection",
        verbose_name=_("质量异议"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    step = models.CharField(_("步骤"), max_length=16, choices=Step, blank=True)
    day = models.DateField(_("提醒日期"), null=True, blank=True, help_text=_("每日提醒的日期"))
    args = models.JSONField(_("内容参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            # The daily reminder tells of one step of one objection once a day, however often it runs.
            models.UniqueConstraint(
                fields=["recipient", "objection", "step", "day"],
                condition=Q(day__isnull=False),
                name="notifications_reminder_once_a_day",
                violation_error_message=_("今天已提醒过这一步骤。"),
            ),
        ]
        indexes = [
            # The list: one user's notifications, unread first, newest first (`unread_first`), a
            # page read along it rather than all his notifications sorted.
            models.Index(
                F("recipient"),
                read_last(),
                F("created_at").desc(),
                F("id").desc(),
                name="notifications_list",
            ),
            # The header's unread count, on every page.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notifications_unread"
            ),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        if self.objection_id:
            return reverse("quality:objection-detail", args=[self.objection_id])
        if self.customer_id:
            return reverse("customers:customer-detail", args=[self.customer_id])
        return reverse("notifications:notification-list")

    @property
    def text(self):
        """What it says, in the active language."""
        args = dict(self.args)
        if self.step:
            args["step"] = Step(self.step).label
        try:
            return str(TEXTS[self.kind]) % args
        except (KeyError, TypeError, ValueError):
            return str(self.get_kind_display())

    @property
    def is_read(self):
        return self.read_at is not None


def unread_count_expression():
    """The user's unread notifications, as a subquery on the user's row."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def unread_count(user):
    """The header's count: annotated on the request's user when it was loaded, else counted."""
    count = getattr(user, "unread_notifications", None)
    if count is None:
        count = Notification.objects.of(user).unread().count()
    return count


class Preference(models.Model):
    """A user's choices: which kinds not to e-mail, and the language of the e-mails."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_off = ArrayField(
        models.CharField(max_length=20, choices=Kind),
        verbose_name=_("不发邮件的通知"),
        default=list,
        blank=True,
    )
    language = models.CharField(
        _("邮件语言"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("不选则用中文"),
    )

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)

    def wants_email(self, kind):
        return kind not in self.email_off

    @property
    def mail_language(self):
        return self.language or settings.LANGUAGE_CODE
