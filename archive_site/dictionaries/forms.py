from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive_site.forms import VersionedModelForm
from archive_site.models import DictEntry, DictKind

# The kinds whose entries are measured: their rows (a demand's properties, a plan's
# parameters) take the entry's unit. Process parameters also name the lines they are set on.
MEASURED_KINDS = (DictKind.MECHANICAL_PROPERTY, DictKind.PROCESS_PARAMETER)


class DictEntryForm(VersionedModelForm):
    """One base dictionary entry. Its kind is set when it is created and never changes;
    a form opened before someone else's change is refused, not saved over it."""

    class Meta:
        model = DictEntry
        fields = ["code", "name", "name_en", "unit", "lines", "is_active"]
        help_texts = {
            "code": _("在同一类别内唯一，导入 Excel 时可用代码匹配。"),
            "name": _("在同一类别内唯一。"),
        }
        widgets = {"lines": forms.CheckboxSelectMultiple}

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        if kind not in MEASURED_KINDS:
            del self.fields["unit"]
        if kind == DictKind.PROCESS_PARAMETER:
            held = [line.pk for line in self.instance.lines.all()] if self.instance.pk else []
            self.fields["lines"].queryset = DictEntry.objects.of(DictKind.PRODUCTION_LINE).filter(
                Q(is_active=True) | Q(pk__in=held)
            )
        else:
            del self.fields["lines"]

    def clean_unit(self):
        return self.cleaned_data["unit"].strip()

    def _siblings(self):
        return DictEntry.objects.of(self.instance.kind).exclude(pk=self.instance.pk)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self._siblings().filter(code__iexact=code).exists():
            raise forms.ValidationError(
                _("代码“%(code)s”在“%(kind)s”中已被使用，请换一个代码。"),
                code="duplicate_code",
                params={"code": code, "kind": self.instance.get_kind_display()},
            )
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self._siblings().filter(name=name).exists():
            raise forms.ValidationError(
                _("名称“%(name)s”在“%(kind)s”中已存在，请换一个名称。"),
                code="duplicate_name",
                params={"name": name, "kind": self.instance.get_kind_display()},
            )
        return name
