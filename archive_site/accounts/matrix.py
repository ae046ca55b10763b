"""A role's permissions as a matrix in the app's words: one row per kind of record, grouped by
module (the app), one column per action (查看, 新建, 修改, 删除, 审批, 打印, 导出, 导出联系人),
and the app's other permissions (查看所有客户, 处理质量异议, 管理账户…) by their own names.

Each ticked cell is exactly one Django permission, so the matrix shows a role as it is
and saving it changes only what was ticked or unticked. Permissions of the framework's
own tables (sessions, history events) are not shown and are left as they are.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.translation import pgettext_lazy
from pghistory.models import Event

from archive_site.accounts.roles import ADMIN, ALL, ROLE_PERMISSIONS

COLUMNS = [
    ("view", pgettext_lazy("权限", "查看")),
    ("add", pgettext_lazy("权限", "新建")),
    ("change", pgettext_lazy("权限", "修改")),
    ("delete", pgettext_lazy("权限", "删除")),
    ("approve", pgettext_lazy("权限", "审批")),
    ("print", pgettext_lazy("权限", "打印")),
    ("export", pgettext_lazy("权限", "导出")),
    ("export_contacts", pgettext_lazy("权限", "导出联系人")),
]
# Records the pages guard though no built-in role but the administrators' holds them.
ALSO_SHOWN = {"archive_site.accesslog", "imports.importrun"}


def column_of(codename, model_name):
    """The column of a permission of `model_name`, or "other"."""
    for action in ("view", "add", "change", "delete"):
        if codename == f"{action}_{model_name}":
            return action
    if codename == "export_contacts":
        return "export_contacts"
    for action in ("approve", "print", "export"):
        if codename.startswith(f"{action}_"):
            return action
    return "other"


@dataclass
class Cell:
    permission: Permission
    label: str
    checked: bool


@dataclass
class Row:
    label: str
    cells: list  # one per COLUMNS entry: a Cell or None
    others: list = field(default_factory=list)


@dataclass
class Module:
    label: str
    rows: list


def _project_models():
    base = str(settings.BASE_DIR)
    for app_config in apps.get_app_configs():
        path = str(app_config.path)
        if not path.startswith(base) or "site-packages" in path:
            continue
        for model in app_config.get_models():
            if not issubclass(model, Event):
                yield app_config, model


def _shown_models():
    used = {name for names in ROLE_PERMISSIONS.values() if names != ALL for name in names}
    used_models = set(ALSO_SHOWN)
    for name in used:
        app_label, codename = name.split(".")
        for app_config, model in _project_models():
            if app_config.label == app_label and codename.endswith(f"_{model._meta.model_name}"):
                used_models.add(model._meta.label_lower)
    return [
        (app_config, model)
        for app_config, model in _project_models()
        if model._meta.label_lower in used_models or model._meta.permissions
    ]


def shown_permissions():
    """The permissions the matrix shows (a queryset)."""
    labels = [model._meta.label_lower.split(".") for _app, model in _shown_models()]
    by_app = {}
    for app_label, model_name in labels:
        by_app.setdefault(app_label, []).append(model_name)
    query = Q(pk__in=[])
    for app_label, model_names in by_app.items():
        query |= Q(content_type__app_label=app_label, content_type__model__in=model_names)
    return Permission.objects.filter(query)


def build(checked_ids, permissions=None):
    """The matrix, with the permissions whose ids are in `checked_ids` ticked."""
    permissions = list(
        permissions if permissions is not None else shown_permissions().select_related("content_type")
    )
    by_model = {}
    for permission in permissions:
        key = (permission.content_type.app_label, permission.content_type.model)
        by_model.setdefault(key, []).append(permission)
    modules = {}
    for app_config, model in _shown_models():
        perms = by_model.get((app_config.label, model._meta.model_name), [])
        if not perms:
            continue
        cells = dict.fromkeys(c for c, _label in COLUMNS)
        others = []
        for permission in sorted(perms, key=lambda p: p.pk):
            column = column_of(permission.codename, model._meta.model_name)
            custom = dict(model._meta.permissions).get(permission.codename)
            label = str(custom) if custom else str(dict(COLUMNS)[column])
            cell = Cell(permission, label, permission.pk in checked_ids)
            if column == "other" or cells[column] is not None:
                others.append(cell)
            else:
                cells[column] = cell
        row = Row(str(model._meta.verbose_name), [cells[c] for c, _label in COLUMNS], others)
        modules.setdefault(app_config.label, Module(str(app_config.verbose_name), [])).rows.append(row)
    return list(modules.values())


def is_fixed(group):
    """The administrators' role holds every permission; the roles page does not change it."""
    return group.name == ADMIN
