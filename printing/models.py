"""The print log (paper 3.8): every PDF the archive generates, who printed it and when.

A technical sheet is printed for a part, a process card for a demand, a batch
for a customer; the log points at that record generically (content type and
id) and keeps its name and document number as they were at printing time, so
the log still reads right after the record is renamed.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
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

    kind = models.CharField(_("文件"), max_length=20, choices=Kind)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="print_logs"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("打印对象类型"), on_delete=models.PROTECT, related_name="+"
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
