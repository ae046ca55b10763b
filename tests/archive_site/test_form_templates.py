"""The project's copies of Django's form templates draw exactly what Django's own draw.

`templates/django/forms/` writes the options of a select, the attributes of an input and a
label, and the error list inline instead of including a template for each (a form page drew
six hundred templates, most of its time). Every field of every kind, with attributes,
groups of options, a selection and errors, drawn by Django's own templates and by the
project's, gives the same HTML.
"""

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, TemplatesSetting

OVERRIDES = Path(settings.BASE_DIR) / "templates" / "django" / "forms"

CHOICES = [("", "---------"), ("a", "甲 <A>"), ("组", [("b", "乙"), (3, "丙 & 丁")]), ("d", "戊")]


class EveryField(forms.Form):
    text = forms.CharField(label="名称 <b>", max_length=20, help_text="说明")
    number = forms.DecimalField(label="厚度", min_value=0, required=False)
    integer = forms.IntegerField(widget=forms.NumberInput(attrs={"step": 5, "data-x": True, "hidden": False}))
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False)
    pick = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "wide", "disabled": True}))
    many = forms.MultipleChoiceField(choices=CHOICES[1:])
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False
    )
    yes_no = forms.NullBooleanField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    upload = forms.FileField(required=False)
    when = forms.SplitDateTimeField(required=False)

    def clean(self):
        raise forms.ValidationError("整张表单的错误 <i>")


DATA = {
    "text": "x" * 30,
    "number": "-1",
    "integer": "abc",
    "date": "2025-03-07",
    "secret": "s3cret",
    "hidden": 'a"b',
    "flag": "on",
    "pick": "b",
    "many": ["a", "3"],
    "radio": "d",
    "boxes": ["b"],
    "yes_no": "true",
    "notes": "<script>",
}


def drawn(renderer, bound):
    form = EveryField(DATA if bound else None, renderer=renderer, initial={"pick": "a", "many": ["d"]})
    parts = [form.as_div(), form.as_p(), form.as_table(), str(form.non_field_errors())]
    for field in form:
        parts += [str(field), field.label_tag(), str(field.errors), field.as_hidden()]
    return "\n".join(parts)


def test_the_project_overrides_only_the_templates_this_test_compares():
    overridden = {str(p.relative_to(OVERRIDES)) for p in OVERRIDES.rglob("*.html")}
    assert overridden == {
        "widgets/select.html",
        "widgets/input.html",
        "errors/list/default.html",
        "label.html",
    }


@pytest.mark.parametrize("bound", [False, True], ids=["unbound", "with errors"])
def test_every_field_is_drawn_as_djangos_own_templates_draw_it(bound):
    djangos, ours = drawn(DjangoTemplates(), bound), drawn(TemplatesSetting(), bound)
    assert "<option" in ours and ('class="errorlist' in ours) == bound
    assert ours == djangos
