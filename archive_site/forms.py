from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive_site.models import DictEntry, DictionaryForeignKey

STALE_EDIT = _("您打开表单后，他人已保存了这条记录。您的修改未保存：请刷新页面查看最新内容后重新修改。")
GONE = _("您打开表单后，这条记录已被他人删除。")


def limit_to_active_entries(fields, instance):
    """Offer only active dictionary entries, plus the one `instance` holds."""
    for model_field in instance._meta.get_fields():
        if isinstance(model_field, DictionaryForeignKey) and model_field.name in fields:
            current = getattr(instance, model_field.attname, None)
            fields[model_field.name].queryset = DictEntry.objects.filter(kind=model_field.kind).filter(
                Q(is_active=True) | Q(pk=current)
            )


class ArchiveModelForm(forms.ModelForm):
    """A model form for archive records.

    - Dictionary fields offer only active entries of their kind (and the value
      the record already holds, so an old record stays editable).
    - A hidden version refuses a stale edit instead of overwriting someone
      else's change; the row is locked until the request's transaction ends
      (ATOMIC_REQUESTS), so two saves cannot both pass the check.
    - `save()` records who created and changed the record.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        limit_to_active_entries(self.fields, self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is None:
                raise forms.ValidationError(GONE, code="gone")
            if cleaned.get("version") != current:
                raise forms.ValidationError(STALE_EDIT, code="stale")
        return cleaned

    def save(self, commit=True):
        obj = super().save(commit=False)
        obj.stamp(self.user)
        if commit:
            obj.save()
            self._save_m2m()
        return obj


class DictEntryForm(forms.ModelForm):
    """One base dictionary entry. Its kind is set when it is created and never changes."""

    class Meta:
        model = DictEntry
        fields = ["code", "name", "name_en", "is_active"]
        help_texts = {
            "code": _("在同一类别内唯一，导入 Excel 时可用代码匹配。"),
            "name": _("在同一类别内唯一。"),
        }

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = kind

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
