"""Forms of the decisions (判定记录) and of the lessons spread to similar customers (预警)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveModelForm
from customers.forms import CustomerField
from customers.models import Customer
from quality.forms.objections import DATE, CoilNumbersField
from quality.models import Alert, Decision, Disposition


class DecisionForm(ArchiveModelForm):
    """The inspector's decision on an answer: the coils, how they are judged, the measure taken.

    The instance comes from `Decision.from_answer` (the question and the answer as shown);
    the model's rules (`Decision.clean`, its constraints) refuse what does not hold.
    """

    coil_numbers = CoilNumbersField(label=_("卷号"), help_text=_("本次判定的钢卷号，用空格、逗号或换行分隔"))

    class Meta:
        model = Decision
        fields = ["coil_numbers", "tonnage", "disposition", "measure", "adjustment", "note"]
        widgets = {
            "disposition": forms.RadioSelect,
            "measure": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coil_numbers"].widget.attrs.update(rows=2, autocapitalize="characters")
        self.fields["tonnage"].widget.attrs.update(inputmode="decimal", step="any")
        self.fields["disposition"].choices = Disposition.choices  # a radio for each, no blank one
        # The answer suggests the disposition: a blocked coil is downgraded, else judged 合格.
        if not self.is_bound and self.instance.verdict:
            blocked = self.instance.verdict == "not_acceptable"
            if not self.initial.get("disposition"):
                self.initial["disposition"] = "agreement" if blocked else "qualified"


class DecisionStatsForm(forms.Form):
    """The range and, optionally, the one customer the decision statistics are about."""

    customer = CustomerField(required=False, help_text=_("留空则统计所有客户"))
    date_from = forms.DateField(label=_("判定日期从"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("起始日期不能晚于结束日期。"))
        return cleaned


class AlertForm(forms.Form):
    """Attach an objection's lesson to some of the similar customers' archives."""

    customers = forms.ModelMultipleChoiceField(
        queryset=Customer.objects.none(),
        label=_("同类客户"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个同类客户。")},
    )
    message = forms.CharField(
        label=_("预警内容"),
        max_length=Alert._meta.get_field("message").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, objection, similar, **kwargs):
        super().__init__(*args, **kwargs)
        self.objection = objection
        self.similar = {s.customer.pk: s for s in similar}
        # Only the customers listed as similar (in the user's scope: `similar_customers` was)
        # and not yet alerted from this objection.
        fresh = [s.customer.pk for s in similar if s.alert is None]
        self.fields["customers"].queryset = Customer.objects.filter(pk__in=fresh).order_by("code")
        self.fields["customers"].label_from_instance = lambda c: f"{c.code} {c.name}"
        self.initial.setdefault("message", Alert.default_message(objection))

    def clean(self):
        cleaned = super().clean()
        self.new_alerts = []
        for customer in cleaned.get("customers") or []:
            alert = Alert(
                customer=customer,
                objection=self.objection,
                defect_type_id=self.objection.defect_type_id,
                message=cleaned.get("message", ""),
                reason=self.similar[customer.pk].reason[: Alert._meta.get_field("reason").max_length],
            )
            try:
                alert.full_clean()  # `Alert.clean`: not the objection's own customer, not twice
            except ValidationError as e:
                for messages in e.message_dict.values():
                    for message in messages:
                        self.add_error(None, f"{customer.name}：{message}")
            self.new_alerts.append(alert)
        return cleaned
