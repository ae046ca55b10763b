"""The deadline rules' form: a severity, optionally a key account, and each step's days."""

from archive_site.forms import ArchiveModelForm
from customers.forms import CustomerField
from customers.models import Customer
from quality.models import DeadlineRule


class DeadlineRuleForm(ArchiveModelForm):
    customer = CustomerField(required=False, help_text=DeadlineRule._meta.get_field("customer").help_text)

    class Meta:
        model = DeadlineRule
        fields = ["severity", "customer", "response_days", "containment_days", "cause_days", "closure_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)
        if self.instance.customer_id:
            self.initial["customer"] = self.instance.customer.code
