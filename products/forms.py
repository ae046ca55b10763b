from django import forms
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveModelForm
from customers.forms import CustomerField
from customers.models import Customer, Demand
from products.models import Part, PartPhoto

SIZE_INPUT = {"step": "any", "min": "0", "inputmode": "decimal"}


class PartForm(ArchiveModelForm):
    """A part of one customer: the demands offered are that customer's.

    The customer is the view's (a part of the customer whose page it came from, a copy, an
    edit), or, for a new part without one, chosen in the form with the customer picker.
    """

    class Meta:
        model = Part
        fields = [
            "name",
            "number",
            "car_model",
            "usage_location",
            "demand",
            "blank_thickness",
            "blank_width",
            "blank_length",
            "gross_weight",
            "material_quota",
            "net_weight",
            "remarks",
        ]
        widgets = {
            "blank_thickness": forms.NumberInput(attrs=SIZE_INPUT),
            "blank_width": forms.NumberInput(attrs=SIZE_INPUT),
            "blank_length": forms.NumberInput(attrs=SIZE_INPUT),
            "gross_weight": forms.NumberInput(attrs=SIZE_INPUT),
            "material_quota": forms.NumberInput(attrs=SIZE_INPUT),
            "net_weight": forms.NumberInput(attrs=SIZE_INPUT),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customer_id = self.instance.customer_id
        if customer_id is None:
            picker = CustomerField(demands=True, queryset=Customer.objects.visible_to(self.user))
            self.fields = {"customer": picker, **self.fields}
            customer = picker.picked(self)
            customer_id = customer.pk if customer else None
            self.fields["demand"].widget.attrs["data-demand-select"] = ""  # refilled on picking
        demands = Demand.objects.visible_to(self.user).select_related("delivery_grade", "production_grade")
        # Only this customer's demands are offered; a demand of another customer
        # posted anyway is refused by Part.clean() with a message naming both.
        offered = demands.filter(customer_id=customer_id)
        self.fields["demand"].queryset = demands
        self.fields["demand"].choices = [("", "---------")] + [(d.pk, demand_label(d)) for d in offered]
        self.fields["demand"].error_messages["invalid_choice"] = _("所选需求不存在或您无权查看。")

    def clean_customer(self):
        customer = self.cleaned_data["customer"]
        self.instance.customer = customer  # before the model's own checks, which compare demands
        return customer

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_name(self):
        return self.cleaned_data["name"].strip()


def demand_label(demand):
    grades = " / ".join(str(g) for g in (demand.delivery_grade, demand.production_grade) if g)
    return f"{demand.name}（{grades} {demand.spec}）" if grades else f"{demand.name}（{demand.spec}）"


class PhotoCaptionForm(ArchiveModelForm):
    class Meta:
        model = PartPhoto
        fields = ["caption"]


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("客户名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("输入客户名称的一部分，如 福田")}),
    )
