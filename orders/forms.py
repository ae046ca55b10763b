"""Forms of orders and deliveries: an order chooses its customer with the customer picker and one
of that customer's demands; a delivery (one coil) is added on the order's page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveModelForm
from customers.forms import CustomerField
from customers.models import Customer, Demand
from orders.models import Delivery, Order

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TONS_INPUT = {"step": "any", "min": "0", "inputmode": "decimal"}


class OrderForm(ArchiveModelForm):
    customer = CustomerField(demands=True)

    class Meta:
        model = Order
        fields = [
            "number",
            "customer",
            "demand",
            "production_grade",
            "thickness",
            "width",
            "quantity",
            "order_date",
            "requested_date",
            "status",
            "remarks",
        ]
        widgets = {
            "order_date": DATE,
            "requested_date": DATE,
            "thickness": forms.NumberInput(attrs=TONS_INPUT),
            "width": forms.NumberInput(attrs=TONS_INPUT),
            "quantity": forms.NumberInput(attrs=TONS_INPUT),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)
        if self.instance.pk and self.instance.deliveries.exists():
            # Its coils were shipped to this customer.
            self.fields["customer"].disabled = True
        # The demands of the order's customer only: picking another customer refills the
        # choices (static/js/customer_picker.js); a demand of another customer posted
        # anyway is refused by Order.clean() with a message naming both.
        customer = self.fields["customer"].picked(self)
        demands = Demand.objects.visible_to(self.user)
        offered = demands.filter(customer=customer) if customer is not None else demands.none()
        demand = self.fields["demand"]
        demand.queryset = demands
        demand.choices = [("", "---------")] + [
            (d.pk, f"{d.name}（{d.spec} mm）") for d in offered.order_by("-updated_at", "-id")
        ]
        demand.widget.attrs["data-demand-select"] = ""
        demand.help_text = _("先用放大镜选择客户，再从该客户的需求中选择。")
        demand.error_messages["invalid_choice"] = _("所选需求不存在或您无权查看。")

    def clean_customer(self):
        customer = self.cleaned_data["customer"]
        self.instance.customer = customer  # before the model's own checks, which compare demands
        return customer

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class DeliveryForm(ArchiveModelForm):
    class Meta:
        model = Delivery
        fields = ["coil_number", "date", "tons"]
        widgets = {"date": DATE, "tons": forms.NumberInput(attrs=TONS_INPUT)}

    def clean_coil_number(self):
        return self.cleaned_data["coil_number"].strip().upper()

    def _get_validation_exclusions(self):
        # The order is the page's, not a field: its unique coil number is still checked
        # (orders_delivery_coil_unique), with the constraint's own message.
        return super()._get_validation_exclusions() - {"order"}
