from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.expressions import DatabaseDefault
from django.forms import inlineformset_factory
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from archive_site.accounts.filters import roles_in_order
from archive_site.accounts.forms import RolesField
from archive_site.forms import (
    ArchiveInlineFormSet,
    ArchiveModelForm,
    CheckboxList,
    UnitFromDictionaryMixin,
    active_users,
)
from customers.duplicates import similar_customers
from customers.models import (
    Contact,
    Customer,
    CustomerDocument,
    Demand,
    DemandAttachment,
    DemandElement,
    DemandProperty,
    may_hand_over,
)


class CustomerPicker(forms.TextInput):
    """A customer's code or full name, typed (with suggestions) or found with the magnifier.

    `static/js/customer_picker.js` drives it; `demands=True` also fetches each found
    customer's demands, for a form that offers them (`<select data-demand-select>`).
    """

    template_name = "customers/widgets/customer_picker.html"

    def __init__(self, attrs=None, demands=False):
        super().__init__({"placeholder": _("客户代码或完整名称，或点放大镜查找"), **(attrs or {})})
        self.demands = demands

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(url=reverse_lazy("customers:customer-picker"), demands=self.demands)
        return context

    class Media:
        js = [forms.Script("js/customer_picker.js", defer=True)]


class CustomerField(forms.ModelChoiceField):
    """The one field for choosing a customer: by its code or its full name, among the customers
    the form's user may see (set `queryset` to `Customer.objects.visible_to(user)`).

    A value that is the code of one customer and the name of another is refused, not guessed.
    """

    default_error_messages = {
        "invalid_choice": _(
            "找不到客户“%(value)s”：所选客户不存在或您无权查看。请输入客户代码或完整名称，或点放大镜查找。"
        ),
        "required": _("请选择客户：输入客户代码或完整名称，或点放大镜查找。"),
        "ambiguous": _("“%(value)s”既是一个客户的代码，又是另一个客户的名称：请输入客户代码。"),
    }

    def __init__(self, *, demands=False, **kwargs):
        kwargs.setdefault("queryset", Customer.objects.none())
        kwargs.setdefault("label", _("客户"))
        kwargs.setdefault("widget", CustomerPicker(demands=demands))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Customer):
            return value
        if isinstance(value, int):  # the initial id of a disabled field, never typed
            return self.queryset.filter(pk=value).first()
        value = str(value).strip()
        found = list(self.queryset.filter(Q(code=value) | Q(name=value))[:2])
        if len(found) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": value})
        if not found:  # a merged customer's old code names the customer it was merged into
            found = list(self.queryset.filter(aliases__code=value)[:1])
        if not found:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found[0]

    def resolve(self, value):
        """The customer `value` names (a customer, its id, code or full name), or None."""
        try:
            return self.to_python(value)
        except ValidationError:
            return None

    def picked(self, form, name="customer"):
        """The customer `form`'s field `name` holds: posted, else initial, else the instance's."""
        if form.is_bound and not self.disabled:
            return self.resolve(form.data.get(form.add_prefix(name), ""))
        value = form.initial.get(name) or getattr(form.instance, f"{name}_id", None)
        return self.resolve(value)

    def prepare_value(self, value):
        """What the input shows: the customer's full name."""
        if isinstance(value, Customer):
            return value.name
        if isinstance(value, int):
            return self.queryset.filter(pk=value).values_list("name", flat=True).first() or ""
        return value

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != (data or "").strip()


DUPLICATE_FIELDS = ("name", "short_name", "credit_code")


class CustomerForm(ArchiveModelForm):
    """A customer's own fields. A new customer (or a changed name, short name or credit code)
    alike to one the user may see (`customers.duplicates`) is saved only once the user has
    looked at the candidates and confirmed it is another company."""

    not_a_duplicate = forms.BooleanField(
        label=_("我已核对，这不是重复的客户"),
        required=False,
        help_text=_("名称、简称或统一社会信用代码与下列客户相近时，请先核对，确认不是同一家公司再保存。"),
    )

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
            "shared_with_groups",
            "main_business",
            "remarks",
        ]
        widgets = {
            "relationship_start": forms.DateInput(attrs={"type": "date"}),
            "main_business": forms.Textarea(attrs={"rows": 3}),
            "remarks": forms.Textarea(attrs={"rows": 3}),
            "shared_with": CheckboxList,
        }
        field_classes = {
            "website": partial(forms.URLField, assume_scheme="https"),
            "shared_with_groups": partial(RolesField, widget=CheckboxList),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_owner"].queryset = Customer.sales_owners(keep=self.instance.sales_owner_id)
        self.fields["shared_with"].queryset = active_users()
        self.fields["shared_with_groups"].queryset = roles_in_order()
        if self.instance.pk:
            self.fields["code"].required = True  # numbered once, when the customer is made
            self.fields["code"].help_text = ""
        else:
            self.fields["code"].widget.attrs["placeholder"] = _("留空自动编号")
        if not may_hand_over(self.user):
            self.fields["sales_owner"].disabled = True
            self.fields["sales_owner"].initial = self.instance.sales_owner_id or self.user.pk
        self.duplicates = []
        if not self.is_bound or "not_a_duplicate" not in self.data:
            self.fields[
                "not_a_duplicate"
            ].widget = forms.HiddenInput()  # asked only when there are candidates

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or any(f in self.changed_data for f in DUPLICATE_FIELDS):
            self.duplicates = similar_customers(
                Customer.objects.visible_to(self.user),
                **{f: cleaned.get(f) or "" for f in DUPLICATE_FIELDS},
                exclude=self.instance.pk,
            )
        if self.duplicates and not cleaned.get("not_a_duplicate"):
            self.fields["not_a_duplicate"].widget = forms.CheckboxInput()
            raise forms.ValidationError(
                _("可能与已有客户重复：%(customers)s。请核对；确认不是同一家公司后勾选下方的确认框再保存。"),
                code="possible_duplicate",
                params={
                    "customers": "、".join(f"{c.customer.name}（{c.customer.code}）" for c in self.duplicates)
                },
            )
        return cleaned

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code:
            # Left blank: the database draws the next number when the customer is written.
            return Customer._meta.get_field("code").get_default()
        return code

    def _get_validation_exclusions(self):
        # A code still to be drawn is unique by the drawing (archive_site.numbering).
        exclude = super()._get_validation_exclusions()
        if isinstance(self.instance.code, DatabaseDefault):
            exclude.add("code")
        return exclude

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class BulkOwnerForm(forms.Form):
    """The sales owner to give the ticked customers to (the customer form's choice)."""

    sales_owner = forms.ModelChoiceField(label=_("新的负责销售"), queryset=active_users())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sales_owner"].queryset = Customer.sales_owners()


class BulkShareForm(forms.Form):
    """The users to share the ticked customers with as well (the customer form's choice)."""

    users = forms.ModelMultipleChoiceField(label=_("共享给"), queryset=active_users(), widget=CheckboxList)


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
    customer = CustomerField()

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
        widgets = {"special_requirements": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)


class DemandElementForm(ArchiveModelForm):
    class Meta:
        model = DemandElement
        fields = ["element", "min_pct", "max_pct"]


class DemandPropertyForm(UnitFromDictionaryMixin, ArchiveModelForm):
    unit_entry = "property"

    class Meta:
        model = DemandProperty
        fields = ["property", "min_value", "max_value"]


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
