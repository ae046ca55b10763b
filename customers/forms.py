from functools import partial

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveInlineFormSet, ArchiveModelForm, active_users
from customers.models import (
    VIEW_ALL_CUSTOMERS,
    Contact,
    Customer,
    CustomerDocument,
    Demand,
    DemandAttachment,
    DemandElement,
    DemandProperty,
)


class CustomerForm(ArchiveModelForm):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "short_name",
            "category",
            "status",
            "industry",
            "credit_code",
            "legal_representative",
            "region",
            "address",
            "phone",
            "website",
            "annual_demand",
            "relationship_start",
            "sales_owner",
            "shared_with",
            "main_business",
            "remarks",
        ]
        widgets = {
            "relationship_start": forms.DateInput(attrs={"type": "date"}),
            "main_business": forms.Textarea(attrs={"rows": 3}),
            "remarks": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"website": partial(forms.URLField, assume_scheme="https")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_owner"].queryset = active_users()
        self.fields["shared_with"].queryset = active_users()
        if not self.user.has_perm(VIEW_ALL_CUSTOMERS):
            # A scoped sales user keeps the customers they create: handing one to
            # someone else would hide it from them at once.
            self.fields["sales_owner"].disabled = True
            self.fields["sales_owner"].initial = self.instance.sales_owner_id or self.user.pk

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class ContactForm(ArchiveModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "mobile", "email"]


ContactFormSet = inlineformset_factory(
    Customer,
    Contact,
    form=ContactForm,
    formset=ArchiveInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class DocumentForm(ArchiveModelForm):
    class Meta:
        model = CustomerDocument
        fields = ["kind", "title", "date", "file"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"file": _("PDF、图片、Office 文件或图纸，最大 10 MB")}


# Demands ---------------------------------------------------------------------


class DemandForm(ArchiveModelForm):
    class Meta:
        model = Demand
        fields = [
            "customer",
            "name",
            "source",
            "delivery_grade",
            "production_grade",
            "standard",
            "thickness",
            "thickness_tol_minus",
            "thickness_tol_plus",
            "width",
            "width_tol_minus",
            "width_tol_plus",
            "length",
            "length_tol_minus",
            "length_tol_plus",
            "surface_quality",
            "surface_structure",
            "roughness",
            "ra_min",
            "ra_max",
            "oil_type",
            "oil_min",
            "oil_max",
            "packaging",
            "edge_condition",
            "end_use",
            "cold_forming",
            "forming_difficulty",
            "usage_location",
            "welding",
            "annual_volume",
            "special_requirements",
        ]
        widgets = {
            "customer": forms.HiddenInput(attrs={"data-customer-picker-value": ""}),
            "special_requirements": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"customer": {"required": _("请用放大镜选择客户。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)
        self.fields["customer"].error_messages["invalid_choice"] = _("所选客户不存在或您无权查看。")


class DemandElementForm(ArchiveModelForm):
    class Meta:
        model = DemandElement
        fields = ["element", "min_pct", "max_pct"]


class DemandPropertyForm(ArchiveModelForm):
    class Meta:
        model = DemandProperty
        fields = ["property", "min_value", "max_value", "unit"]


DemandElementFormSet = inlineformset_factory(
    Demand,
    DemandElement,
    form=DemandElementForm,
    formset=ArchiveInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=40,
    validate_max=True,
)
DemandPropertyFormSet = inlineformset_factory(
    Demand,
    DemandProperty,
    form=DemandPropertyForm,
    formset=ArchiveInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=40,
    validate_max=True,
)


class DemandAttachmentForm(ArchiveModelForm):
    class Meta:
        model = DemandAttachment
        fields = ["title", "file"]
        help_texts = {"file": _("PDF、图片、Office 文件或图纸，最大 10 MB")}
