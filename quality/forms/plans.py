"""Forms of process-control plans: header, revision, parameter rows, actual runs, reuse search."""

from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from archive_site.forms import ArchiveInlineFormSet, ArchiveModelForm, BoundedRows, UnitFromDictionaryMixin
from archive_site.models import DictEntry, DictKind
from archive_site.uploads import validate_size
from customers.forms import CustomerField
from customers.models import Customer, Demand
from quality.models import Disposition, PlanParameter, PlanRevision, PlanRun, ProcessPlan


class PlanForm(ArchiveModelForm):
    """The plan's identity and whom it serves."""

    customer = CustomerField(demands=True)

    class Meta:
        model = ProcessPlan
        fields = ["code", "name", "customer", "demand"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(self.user)
        if self.instance.pk:
            # Its revisions and runs were made for this customer.
            self.fields["customer"].disabled = True
        # The demands of the plan's customer only: picking another customer refills the
        # choices (static/js/customer_picker.js).
        customer = self.fields["customer"].picked(self)
        demands = Demand.objects.none()
        if customer is not None:
            demands = Demand.objects.visible_to(self.user).filter(customer=customer)
        demand = self.fields["demand"]
        demand.queryset = demands.order_by("-updated_at", "-id")
        demand.label_from_instance = lambda d: f"{d.code} {d.name}（{d.spec} mm）"
        demand.widget.attrs["data-demand-select"] = ""
        demand.help_text = _("先用放大镜选择客户，再从该客户的需求中选择。")
        demand.error_messages["invalid_choice"] = _("所选需求不属于本方案的客户，或您无权查看。")

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class RevisionForm(ArchiveModelForm):
    """What a revision applies to and serves. Only drafts are edited."""

    class Meta:
        model = PlanRevision
        fields = [
            "production_grade",
            "thickness_min",
            "thickness_max",
            "width_min",
            "width_max",
            "surface_quality",
            "end_use",
            "requirements",
            "change_note",
        ]
        widgets = {
            "requirements": forms.Textarea(attrs={"rows": 3}),
            "change_note": forms.Textarea(attrs={"rows": 2}),
        }


class ParameterSelect(forms.Select):
    """Each parameter's option names the lines it is set on (`data-lines`, ids; none: every
    line), so that static/js/plan.js offers in a row only the parameters of the row's line."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        entry = getattr(value, "instance", None)
        if entry is not None:
            option["attrs"]["data-lines"] = " ".join(str(line.pk) for line in entry.lines.all())
        return option


class ParameterForm(UnitFromDictionaryMixin, ArchiveModelForm):
    """A parameter of one line: only the line's parameters are offered (`PlanParameter.clean`
    refuses the others), in their dictionary unit."""

    unit_entry = "parameter"

    class Meta:
        model = PlanParameter
        fields = ["line", "parameter", "target", "lower", "upper"]
        widgets = {"parameter": ParameterSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].widget.attrs["data-parameter-line"] = ""
        parameter = self.fields["parameter"]
        parameter.queryset = parameter.queryset.prefetch_related("lines")


class ParameterRowFormSet(ArchiveInlineFormSet):
    def clean(self):
        # Before the generic unique check, to say which line and parameter are repeated.
        if not any(self.errors):
            self._check_duplicates()
        super().clean()

    def _check_duplicates(self):
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        seen = set()
        for form in kept:
            key = (form.cleaned_data.get("line"), form.cleaned_data.get("parameter"))
            if key in seen:
                raise forms.ValidationError(
                    _("“%(line)s · %(p)s”重复出现，每条产线的每个参数只能设定一次。")
                    % {"line": key[0], "p": key[1]},
                    code="duplicate",
                )
            seen.add(key)


ParameterFormSet = inlineformset_factory(
    PlanRevision,
    PlanParameter,
    form=ParameterForm,
    formset=ParameterRowFormSet,
    extra=1,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


class RunForm(ArchiveModelForm):
    """A coil on one line, with one field per parameter the revision plans on that line.

    The value fields are named `p<parameter id>`; values for another line's
    parameters are refused, as are values for parameters the revision lacks.
    """

    class Meta:
        model = PlanRun
        fields = ["coil_number", "produced_on", "line", "remarks"]
        widgets = {"produced_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, parameters, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameters = list(parameters)
        line_ids = {p.line_id for p in self.parameters}
        self.fields["line"].queryset = DictEntry.objects.filter(pk__in=line_ids)
        for p in self.parameters:
            label = f"{p.line} · {p.parameter}"
            if p.unit:
                label += f" ({p.unit})"
            self.fields[f"p{p.pk}"] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=12,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"step": "any", "data-line": p.line_id}),
            )

    def value_fields(self):
        """(line, [bound fields]) per line, in parameter order."""
        groups = {}
        for p in self.parameters:
            groups.setdefault(p.line, []).append(self[f"p{p.pk}"])
        return list(groups.items())

    def clean_coil_number(self):
        return self.cleaned_data["coil_number"].strip()

    def clean(self):
        cleaned = super().clean()
        line = cleaned.get("line")
        if line is None:
            return cleaned
        values = {p: cleaned.get(f"p{p.pk}") for p in self.parameters}
        planned = {(p.line_id, p.parameter_id): p for p in self.parameters}
        try:
            PlanRun.check_values(self.instance.revision, line, values, planned)
        except ValidationError as e:
            for key, errors in e.error_dict.items():
                field = key if key in ("line", NON_FIELD_ERRORS) else f"p{key.pk}"
                self.add_error(None if field == NON_FIELD_ERRORS else field, errors)
        return cleaned

    def _get_validation_exclusions(self):
        # The revision is the view's, not a field of the form: validated with it, a coil
        # recorded twice on a line is refused by the model's constraint.
        exclude = super()._get_validation_exclusions()
        exclude.discard("revision")
        return exclude

    def values(self):
        """{PlanParameter: value} of the cleaned form."""
        return {
            p: self.cleaned_data[f"p{p.pk}"]
            for p in self.parameters
            if self.cleaned_data.get(f"p{p.pk}") is not None
        }


def validate_xlsx(upload):
    validate_size(upload)
    if not upload.name.lower().endswith(".xlsx"):
        raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"), code="file_type")
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise forms.ValidationError(_("文件不是有效的 .xlsx 文件，可能已损坏或被改名。"), code="file_content")


class RunUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"), validators=[validate_xlsx], help_text=_("按模板填写的 .xlsx")
    )
    check_only = forms.BooleanField(label=_("只检查，不保存"), required=False)


class ReuseSearchForm(forms.Form):
    """Search approved plans by grade, a spec their ranges cover, and the requirements served."""

    production_grade = forms.ModelChoiceField(
        DictEntry.objects.of(DictKind.PRODUCTION_GRADE), label=_("生产牌号"), required=False
    )
    thickness = forms.DecimalField(label=_("厚度 (mm)"), required=False, min_value=Decimal("0.001"))
    width = forms.DecimalField(label=_("宽度 (mm)"), required=False, min_value=Decimal("0.1"))
    surface_quality = forms.ModelChoiceField(
        DictEntry.objects.of(DictKind.SURFACE_QUALITY), label=_("表面质量"), required=False
    )
    end_use = forms.ModelChoiceField(
        DictEntry.objects.of(DictKind.END_USE), label=_("最终用途"), required=False
    )
    demand = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ApplyForm(forms.Form):
    """The new plan's code and name when a revision is applied to a demand."""

    code = forms.CharField(label=_("新方案编号"), max_length=32)
    name = forms.CharField(label=_("新方案名称"), max_length=200)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if ProcessPlan.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("方案编号“%(code)s”已被使用，请换一个。") % {"code": code}, code="duplicate"
            )
        return code


class RunGridForm(forms.Form):
    """One coil of the run grid: its number, date and remarks, the actual value of every parameter
    the revision plans (all lines), and what came out: the measured properties the plan's demand
    requires, the surface grade and the judgement result.

    Fields: `p<parameter id>` per planned parameter, `m<property id>` per required property. The
    rules are the runs import's (`RunResource`, `PlanRun.check_values`): the grid is checked and
    saved through it, so the grid, the Excel upload and the API say the same.
    """

    coil_number = forms.CharField(label=_("卷号"), max_length=32, required=False)
    produced_on = forms.DateField(
        label=_("生产日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    surface_grade = forms.ModelChoiceField(
        DictEntry.objects.of(DictKind.SURFACE_QUALITY).active(), label=_("表面等级"), required=False
    )
    result = forms.ChoiceField(label=_("判定结果"), choices=[("", "—"), *Disposition.choices], required=False)
    remarks = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, parameters, limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameters, self.limits = parameters, limits or {}
        for field in self.fields.values():  # the grid's cells have no <label>: the column names them
            field.widget.attrs["aria-label"] = str(field.label)
        self.fields["coil_number"].widget.attrs["autocapitalize"] = "characters"
        for p in parameters:
            attrs = {
                "step": "any",
                "inputmode": "decimal",
                "data-limits": "",
                "aria-label": f"{p.line} · {p.parameter}",
            }
            if p.lower is not None:
                attrs["data-lower"] = f"{p.lower.normalize():f}"
            if p.upper is not None:
                attrs["data-upper"] = f"{p.upper.normalize():f}"
            self.fields[f"p{p.pk}"] = forms.DecimalField(
                label=f"{p.line} · {p.parameter}",
                required=False,
                max_digits=12,
                decimal_places=4,
                widget=forms.NumberInput(attrs=attrs),
            )
        for r in self.limits.values():
            attrs = {"step": "any", "inputmode": "decimal", "data-limits": "", "aria-label": str(r.property)}
            if r.min_value is not None:
                attrs["data-lower"] = f"{r.min_value.normalize():f}"
            if r.max_value is not None:
                attrs["data-upper"] = f"{r.max_value.normalize():f}"
            self.fields[f"m{r.property_id}"] = forms.DecimalField(
                label=str(r.property),
                required=False,
                max_digits=10,
                decimal_places=3,
                widget=forms.NumberInput(attrs=attrs),
            )

    def clean_coil_number(self):
        return self.cleaned_data["coil_number"].strip().upper()

    def is_blank(self):
        """Nothing entered but the date the grid fills in."""
        c = self.cleaned_data
        return not any(v not in (None, "") for k, v in c.items() if k != "produced_on")

    def measure_cells(self):
        """The value fields in the grid's column order: each line's parameters, then the properties."""
        return [self[f"p{p.pk}"] for p in self.parameters] + [self[f"m{pid}"] for pid in self.limits]

    def warnings(self):
        """What lies outside the plan's limits or the demand's: said before saving, not refused."""
        c, coil, out = self.cleaned_data, self.cleaned_data.get("coil_number"), []
        for p in self.parameters:
            value = c.get(f"p{p.pk}")
            if p.is_out(value):
                limits = f"[{_plain(p.lower)}, {_plain(p.upper)}]"
                out.append(
                    _("卷 %(coil)s：%(what)s %(value)s 超出 %(limits)s")
                    % {
                        "coil": coil,
                        "what": f"{p.line} · {p.parameter}",
                        "value": _plain(value),
                        "limits": limits,
                    }
                )
        for pid, r in self.limits.items():
            value = c.get(f"m{pid}")
            low, high = r.min_value, r.max_value
            if value is not None and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                limits = f"[{_plain(low)}, {_plain(high)}]"
                out.append(
                    _("卷 %(coil)s：%(what)s %(value)s 超出 %(limits)s")
                    % {"coil": coil, "what": r.property, "value": _plain(value), "limits": limits}
                )
        return out


def _plain(value):
    return "—" if value is None else f"{value.normalize():f}"


class BaseRunGrid(BoundedRows, forms.BaseFormSet):
    def warnings(self):
        return [w for form in self.forms if form.is_valid() and not form.is_blank() for w in form.warnings()]

    def filled(self):
        """(index, form) of the rows that hold something."""
        return [(i, f) for i, f in enumerate(self.forms) if f.is_valid() and not f.is_blank()]


RunGrid = forms.formset_factory(
    RunGridForm, formset=BaseRunGrid, extra=0, min_num=1, max_num=100, validate_max=True
)
