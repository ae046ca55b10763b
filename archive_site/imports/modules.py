"""The modules that import and export, and the base class each one subclasses.

Adding a module: write its resources (one per sheet, parents first) and an
`ImportModule` subclass in the app's `resources.py`, then add one line to
`MODULES` below.
"""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# key (used in URLs and the import log) → dotted path of the ImportModule subclass
MODULES = {
    "customers": "customers.resources.CustomerImport",
    "demands": "customers.resources.DemandImport",
    "parts": "products.resources.PartImport",
    "dictionaries": "archive_site.resources.DictionaryImport",
    "objections": "quality.resources.ObjectionImport",
    "plans": "quality.resources.PlanImport",
    "plan-runs": "quality.resources.RunImport",  # not "runs": /imports/runs/ is the import log
}


class ImportModule:
    """One importable module: its sheets' resources and who may import and export.

    - `resources`: the resource classes, one per sheet; parents first (a
      child sheet may refer to rows the parent sheet of the same file creates);
    - `permissions`: needed to import at all; each resource may need more;
    - `export_permissions`: needed to export.
    """

    key = ""
    title = ""
    description = ""
    resources = ()
    permissions = ()
    export_permissions = ()

    def can_import(self, user):
        return user.has_perms(self.permissions)

    def can_export(self, user):
        return user.has_perms(self.export_permissions)

    def export_sheets(self, request):
        """(title, columns, rows) for each sheet the user may export, of the rows the filters select."""
        sheets = []
        for cls in self.resources:
            resource = cls(user=request.user)
            if not resource.can_export(request.user):
                continue
            rows = resource.export_queryset(request).iterator(chunk_size=2000)
            sheets.append((str(resource.title), resource.export_columns(), rows))
        return sheets

    def template_sheets(self, user):
        sheets = []
        for cls in self.resources:
            resource = cls(user=user)
            columns = resource.export_columns(template=True)
            sheets.append((str(resource.title), columns, resource.template_rows()))
        return sheets

    def sheet_titles(self):
        return [str(cls.title) for cls in self.resources]


def get_module(key):
    """The registered module called `key`, or None."""
    if key not in MODULES:
        return None
    module = import_string(MODULES[key])()
    module.key = key
    return module


def all_modules():
    return [get_module(key) for key in MODULES]


STATUS_LABELS = {"new": _("新建"), "update": _("更新"), "unchanged": _("未变"), "error": _("错误")}
