"""Forms of the quality objections (paper 3.5) and the judgement check."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveModelForm, OneTimeSubmitMixin
from archive_site.models import DictEntry, DictKind
from customers.forms import CustomerField
from customers.models import Customer, Demand
from products.models import Part
from quality.models import Objection, ObjectionAttachment, ObjectionComment, PlanRevision, Question, Severity
from quality.models.objections import REOPEN_NEEDS_REASON

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


COIL_SEPARATORS = re.compile(r"[\s,，;；、]+")


class CoilNumbersField(forms.CharField):
    """Coil numbers, one per line or separated by commas; stored as a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        coils = []
        for coil in COIL_SEPARATORS.split(text.strip().upper()):
            if coil and coil not in coils:
                coils.append(coil)
        too_long = [c for c in coils if len(c) > 32]
        if too_long:
            raise ValidationError(
                _("卷号太长（最多 32 个字符）：%(coils)s"), params={"coils": "、".join(too_long)}
            )
        if len(coils) > 500:
            raise ValidationError(_("一条异议最多登记 500 个卷号。"))
        return coils


class ObjectionForm(ArchiveModelForm):
    customer = CustomerField()
    coil_numbers = CoilNumbersField(
        label=_("卷号"), required=False, help_text=_("涉及的钢卷号，用空格、逗号或换行分隔")
    )

    class Meta:
        model = Objection
        fields = [
            "kind",
            "customer",
            "received_date",
            "handler",
            "coil_numbers",
            "production_grade",
            "thickness",
            "width",
            "tonnage",
            "demand",
            "part",
            "plan_revision",
            "defect_type",
            "severity",
            "description",
            "containment",
            "blocked_location",
            "blocked_coil_count",
            "blocked_tonnage",
            "cause",
            "cause_evidence",
            "responsible_line",
            "solution",
            "verification",
            "preventive",
            "disposition",
            "claim_amount",
            "settled_amount",
            "settlement_note",
        ]
        widgets = {
            "received_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "containment": forms.Textarea(attrs={"rows": 2}),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "cause_evidence": forms.Textarea(attrs={"rows": 2}),
            "solution": forms.Textarea(attrs={"rows": 3}),
            "verification": forms.Textarea(attrs={"rows": 2}),
            "preventive": forms.Textarea(attrs={"rows": 3}),
        }

    # Sections of the form page, in the order of the 8D report.
    SECTIONS = [
        (_("异议"), ["kind", "customer", "received_date", "handler"]),
        (_("产品"), ["coil_numbers", "production_grade", "thickness", "width", "tonnage"]),
        (_("需求、零件与工艺"), ["demand", "part", "plan_revision"]),
        (_("缺陷"), ["defect_type", "severity", "description"]),
        (_("遏制措施 (D3)"), ["containment", "blocked_location", "blocked_coil_count", "blocked_tonnage"]),
        (_("原因分析 (D4)"), ["cause", "cause_evidence", "responsible_line"]),
        (_("纠正与预防 (D5–D7)"), ["solution", "verification", "preventive"]),
        (_("处置与结算"), ["disposition", "claim_amount", "settled_amount", "settlement_note"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)
        self.fields["handler"].queryset = Objection.handlers()
        if self.instance.pk:
            # The customer of a registered objection is part of its number's story: fixed.
            self.fields["customer"].disabled = True
            # Reassigned with a note on the objection's page (`AssignForm`), not here.
            del self.fields["handler"]
            self.initial["customer"] = self.instance.customer
        self._limit_links(self._customer())

    def _customer(self):
        """The customer the form is about: the record's, the one submitted, or the prefilled one."""
        if self.instance.customer_id:
            return self.instance.customer
        code = (self.data.get("customer") if self.is_bound else self.initial.get("customer")) or ""
        try:
            return self.fields["customer"].to_python(code)
        except ValidationError:
            return None

    def _limit_links(self, customer):
        """Demand, part and plan revision are chosen among the customer's own (none for an unknown one)."""
        if customer is None:
            for name in ("demand", "part", "plan_revision"):
                self.fields[name].queryset = self.fields[name].queryset.none()
                self.fields[name].help_text = _("先选择客户并保存，再关联该客户的需求、零件和方案版本")
            return
        self.fields["demand"].queryset = Demand.objects.filter(customer=customer).order_by("-id")
        self.fields["part"].queryset = Part.objects.filter(customer=customer).order_by("number")
        self.fields["plan_revision"].queryset = (
            PlanRevision.objects.filter(plan__customer=customer)
            .select_related("plan")
            .order_by("plan__code", "-number")
        )

    def sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.SECTIONS
        ]


class AttachmentForm(ArchiveModelForm):
    """A file of an objection that is not a photo: the customer's letter, its 8D form, a test report."""

    class Meta:
        model = ObjectionAttachment
        fields = ["kind", "title", "file"]
        help_texts = {"file": _("PDF、Word 或 Excel 文件（pdf、docx、xlsx、doc、xls），按文件内容检查")}


class CommentForm(OneTimeSubmitMixin, forms.ModelForm):
    """A remark added to an objection's discussion (its author and time are the request's)."""

    class Meta:
        model = ObjectionComment
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class TransitionForm(forms.Form):
    """Move an objection to the next status. The version refuses a change based on a stale page."""

    to_status = forms.ChoiceField(label=_("改为"), choices=Objection.Status.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    closed_date = forms.DateField(label=_("关闭日期"), required=False, widget=DATE, help_text=_("默认今天"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, **kwargs)
        self.objection = objection
        # Offer the next steps; accept any status, so that a page gone stale is
        # told so by the model (StaleStatus) rather than by "not a valid choice".
        self.fields["to_status"].widget.choices = [
            (s.value, s.label) for s in objection.allowed_transitions()
        ]
        self.fields["version"].initial = objection.version
        if objection.is_closed:  # reopening: the reason is logged with the transition
            note = self.fields["note"]
            note.required, note.label, note.help_text = True, _("重新打开的原因"), _("将记入状态变更记录")
            note.error_messages["required"] = REOPEN_NEEDS_REASON
            del self.fields["closed_date"]

    def clean_closed_date(self):
        closed = self.cleaned_data["closed_date"]
        if closed:
            self.objection.check_closed_date(closed)
        return closed


class AssignForm(forms.Form):
    """Give an objection to a handler (only staff whose role handles objections); taking it
    from someone needs a note saying why. The version refuses a change based on a stale page."""

    handler = forms.ModelChoiceField(label=_("处理人"), queryset=Objection.objects.none())
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, **kwargs)
        self.objection = objection
        self.fields["handler"].queryset = Objection.handlers()
        self.fields["version"].initial = objection.version
        if objection.handler_id:
            self.fields["note"].required = True
            self.fields["note"].help_text = _("改派的原因")

    def clean_handler(self):
        handler = self.cleaned_data["handler"]
        if handler.pk == self.objection.handler_id:
            raise ValidationError(_("这条异议已由此人处理。"), code="same_handler")
        return handler


class BulkAssignForm(forms.Form):
    """Give the ticked objections to one handler; taking any of them from someone needs a note."""

    handler = forms.ModelChoiceField(label=_("处理人"), queryset=Objection.objects.none())
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args, objections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = Objection.handlers()
        if any(o.handler_id for o in objections):
            self.fields["note"].required = True
            self.fields["note"].help_text = _("改派的原因")


class JudgementForm(forms.Form):
    """The judgement check's question: customer, defect type, severity, and what is known of the
    coil (all by codes, for a stable URL and the API).

    The product is optional: production grade, surface quality, end use, thickness × width,
    and the customer's demand (its code) or part (its number), which fill in the rest.
    """

    customer = CustomerField()
    defect = forms.ModelChoiceField(
        queryset=DictEntry.objects.none(),
        to_field_name="code",
        label=_("缺陷类型"),
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("没有这个缺陷类型代码。")},
    )
    severity = forms.TypedChoiceField(
        label=_("严重程度"),
        choices=Severity.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("严重程度应为 1（轻微）到 4（重大）。")},
    )
    # What is known of the coil.
    part = forms.ModelChoiceField(
        queryset=Part.objects.none(),
        to_field_name="number",
        label=_("零件"),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("该客户没有这个零件编号。")},
    )
    demand = forms.ModelChoiceField(
        queryset=Demand.objects.none(),
        to_field_name="code",
        label=_("客户需求"),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("该客户没有这个需求编号。")},
    )
    grade = forms.ModelChoiceField(
        queryset=DictEntry.objects.none(),
        to_field_name="code",
        label=_("生产牌号"),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("没有这个生产牌号代码。")},
    )
    surface_quality = forms.ModelChoiceField(
        queryset=DictEntry.objects.none(),
        to_field_name="code",
        label=_("表面质量"),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("没有这个表面质量代码。")},
    )
    end_use = forms.ModelChoiceField(
        queryset=DictEntry.objects.none(),
        to_field_name="code",
        label=_("最终用途"),
        required=False,
        empty_label=_("不指定"),
        error_messages={"invalid_choice": _("没有这个最终用途代码。")},
    )
    thickness = forms.DecimalField(
        label=_("厚度 (mm)"), required=False, min_value=Decimal("0.001"), max_digits=6, decimal_places=3
    )
    width = forms.DecimalField(
        label=_("宽度 (mm)"), required=False, min_value=Decimal("0.1"), max_digits=7, decimal_places=1
    )

    PRODUCT_FIELDS = ("part", "demand", "grade", "surface_quality", "end_use", "thickness", "width")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        for name, kind in (
            ("defect", DictKind.DEFECT_TYPE),
            ("grade", DictKind.PRODUCTION_GRADE),
            ("surface_quality", DictKind.SURFACE_QUALITY),
            ("end_use", DictKind.END_USE),
        ):
            self.fields[name].queryset = DictEntry.objects.of(kind)
        # The customer's own demands and parts, once the question names the customer (a
        # subquery: no query until they are shown or chosen).
        named = (self.data.get("customer") or "").strip() if self.is_bound else ""
        if named:
            customer = self.fields["customer"].queryset.filter(Q(code=named) | Q(name=named)).values("pk")
            demands = Demand.objects.filter(customer__in=customer).select_related(*DEMAND_FACTS)
            self.fields["demand"].queryset = demands.order_by("-updated_at", "-id")
            self.fields["demand"].label_from_instance = lambda d: f"{d.code} {d.name}（{d.spec} mm）"
            parts = Part.objects.filter(customer__in=customer).select_related(
                *(f"demand__{name}" for name in DEMAND_FACTS)
            )
            self.fields["part"].queryset = parts.order_by("number")
            self.fields["part"].label_from_instance = lambda p: f"{p.number} {p.name}"

    def clean(self):
        cleaned = super().clean()
        part, demand = cleaned.get("part"), cleaned.get("demand")
        if part is not None and demand is not None and part.demand_id and part.demand_id != demand.pk:
            self.add_error(
                "demand",
                ValidationError(
                    _("零件“%(part)s”用的是需求 %(code)s，与所选需求不同。"),
                    code="part_demand",
                    params={"part": part.name, "code": part.demand.code},
                ),
            )
        return cleaned

    def product_fields(self):
        return [self[name] for name in self.PRODUCT_FIELDS]

    def question(self):
        """The cleaned question, completed from the part's demand or the demand."""
        c = self.cleaned_data
        return Question(
            customer=c["customer"],
            defect_type=c["defect"],
            severity=c["severity"],
            production_grade=c.get("grade"),
            thickness=c.get("thickness"),
            width=c.get("width"),
            surface_quality=c.get("surface_quality"),
            end_use=c.get("end_use"),
            demand=c.get("demand"),
            part=c.get("part"),
        ).complete()


DEMAND_FACTS = ("production_grade", "surface_quality", "end_use")


class StatsForm(forms.Form):
    """The range and, optionally, the one customer the statistics are about."""

    customer = CustomerField(required=False, help_text=_("留空则统计所有客户"))
    date_from = forms.DateField(label=_("受理日期从"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE)
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部"))] + Objection.Kind.choices
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("起始日期不能晚于结束日期。"))
        return cleaned
