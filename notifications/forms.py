from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Kind, Preference


class PreferenceForm(forms.ModelForm):
    """Which notifications also come by e-mail (all by default), and in which language."""

    email = forms.MultipleChoiceField(
        label=_("同时发邮件的通知"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不勾选的通知只在系统内显示。"),
    )

    class Meta:
        model = Preference
        fields = ["email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = [k for k in Kind.values if k not in self.instance.email_off]

    def clean(self):
        cleaned = super().clean()
        chosen = set(cleaned.get("email") or ())
        self.instance.email_off = [k for k in Kind.values if k not in chosen]
        return cleaned
