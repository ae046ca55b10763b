"""The print log (paper 3.8): every PDF the archive generates, who printed it and when; and
the batches printed in the background.

A technical sheet is printed for a part, a process card for a demand, an 8D
report for a quality objection, a batch for a customer; the log points at that
record generically (content type and id) and keeps its name and document
number as they were at printing time, so the log still reads right after the
record is renamed.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_site.history import tracked
from customers.models import CustomerScopedQuerySet

PRINT_PERMISSION = "printing.print_documents"


class PrintLogQuerySet(CustomerScopedQuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer).select_related("printed_by")


@tracked()
class PrintLog(models.Model):
    """One generated PDF: the document, the record it was printed from, who, when."""

    class Kind(models.TextChoices):
        TECHNICAL_SHEET = "technical_sheet", _("技术单")
        PROCESS_CARD = "process_card", _("工艺卡")
        TECHNICAL_SHEETS = "technical_sheets", _("技术单（批量）")
        EIGHT_D = "8d_report", _("8D报告")

    kind = models.CharField(_("文件"), max_length=20, choices=Kind)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="print_logs",
        db_index=False,  # printing_log_customer starts with it
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("打印对象类型"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # printing_log_object starts with it
    )
    object_id = models.PositiveBigIntegerField(_("打印对象编号"))
    printed_object = GenericForeignKey("content_type", "object_id")
    object_label = models.CharField(
        _("打印对象"), max_length=300, help_text=_("打印时零件、需求或客户的名称")
    )
    document_number = models.CharField(_("文件编号"), max_length=64)
    revision = models.PositiveIntegerField(_("版次"), help_text=_("打印时记录的版本号"))
    pages = models.PositiveIntegerField(_("页数"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("打印人"), on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("打印时间"), default=timezone.now)

    objects = PrintLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("打印记录")
        verbose_name_plural = _("打印记录")
        ordering = ["-printed_at", "-id"]
        permissions = [("print_documents", _("可以打印技术单和工艺卡"))]
        indexes = [
            # The customer archive page: prints of a customer, newest first.
            models.Index(fields=["customer", "-printed_at", "-id"], name="printing_log_customer"),
            # "Who printed this part's sheet": prints of one record.
            models.Index(fields=["content_type", "object_id"], name="printing_log_object"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_number}"

    @classmethod
    def record(cls, *, kind, customer, obj, document_number, revision, pages, user, label=None):
        return cls.objects.create(
            kind=kind,
            customer=customer,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_label=str(label or obj)[:300],
            document_number=document_number,
            revision=revision,
            pages=pages,
            printed_by=user,
        )


def batch_path(job, filename):
    return f"printing/batches/{timezone.localdate():%Y/%m}/{filename}"


# Progress changes many times while a batch is laid out: only the outcome is worth a history entry.
@tracked(exclude=["stage", "done"])
class PrintJob(models.Model):
    """A batch of technical sheets printed in the background: which parts, how far, and the PDF.

    Made from the customer page (all its parts) or from a selection on the
    part list; the worker lays the sheets out (printing.tasks.print_batch)
    and records the print in the log when the PDF is ready. The PDF carries
    the stamp of the user who asked for it, so only that user downloads it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("排版中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("打印人"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # printing_job_user starts with it
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="print_jobs",
        help_text=_("从客户页面批量打印时的客户；从零件列表选择时为空"),
    )
    label = models.CharField(_("打印内容"), max_length=300)
    part_ids = ArrayField(models.BigIntegerField(), verbose_name=_("零件"))
    language = models.CharField(_("语言"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.QUEUED)
    stage = models.CharField(_("进度说明"), max_length=100, blank=True)
    total = models.PositiveIntegerField(_("技术单数"), default=0)
    done = models.PositiveIntegerField(_("已完成数"), default=0)
    pages = models.PositiveIntegerField(_("页数"), default=0)
    file = models.FileField(_("文件"), upload_to=batch_path, max_length=300, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量打印")
        verbose_name_plural = _("批量打印")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My batches", newest first (the batch pages).
            models.Index(fields=["user", "-created_at"], name="printing_job_user"),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("printing:batch-detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def percent(self):
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))
