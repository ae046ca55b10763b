from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from archive_site.models import VisibleQuerySet


def upload_path(instance, filename):
    return f"imports/{instance.module}/{timezone.localdate():%Y/%m}/{filename}"


class ImportRunQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        """Everyone sees their own imports; holders of "view import run" see all."""
        if user.has_perm("imports.view_importrun"):
            return self
        return self.filter(user=user)


# Progress and the stored preview change many times during a run: only the
# outcome is worth a history entry.
@tracked(exclude=["stage", "processed_rows", "total_rows", "preview", "errors"])
class ImportRun(models.Model):
    """One uploaded file: its check (preview), and its import once confirmed.

    The log of every import: who, which file, when, and how many rows were
    created, updated, unchanged or in error. The file itself is kept.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队检查")
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("待确认")
        INVALID = "invalid", _("有错误")
        APPLYING = "applying", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.CHECKING, Status.APPLYING)

    module = models.CharField(_("模块"), max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # imports_run_user starts with it
    )
    file = models.FileField(_("文件"), upload_to=upload_path, max_length=300)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小"), help_text=_("字节"))
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.QUEUED)
    stage = models.CharField(_("进度说明"), max_length=100, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    message = models.TextField(_("说明"), blank=True, help_text=_("整个文件的问题，例如格式不对"))
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My imports", newest first (the import pages).
            models.Index(fields=["user", "-created_at"], name="imports_run_user"),
            # The administrators' log, newest first, filtered by module.
            models.Index(fields=["module", "-created_at"], name="imports_run_module"),
        ]

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("imports:run-detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def percent(self):
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
