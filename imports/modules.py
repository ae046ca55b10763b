"""The modules that import and export, the base class each one subclasses, and their registry.

Adding a module: write its resources (one per sheet, parents first) and an
`ImportModule` subclass with a `key` in the app's `resources.py`, and register
it there:

    registry.register(PartImport)

Every installed app's `resources` module is imported when Django starts
(`ImportsConfig.ready`), the way the admin finds `admin` modules, so the
import pages list what the apps registered without naming any of them.
"""

from django.utils.translation import gettext_lazy as _


class ImportModule:
    """One importable module: its sheets' resources and who may import and export.

    - `resources`: the resource classes, one per sheet; parents first (a
      child sheet may refer to rows the parent sheet of the same file creates);
    - `permissions`: needed to import at all; each resource may need more;
    - `export_permissions`: needed to export;
    - `importable`: False for a module that is only exported (records made elsewhere).
    """

    key = ""  # in URLs and the import log
    order = 100  # position on the import page
    title = ""
    description = ""
    resources = ()
    permissions = ()
    export_permissions = ()
    importable = True

    def can_import(self, user):
        return self.importable and user.has_perms(self.permissions)

    def can_export(self, user):
        return user.has_perms(self.export_permissions)

    def export_sheets(self, request, resources=None):
        """(title, columns, rows) for each sheet the user may export, of the rows the filters select.

        `resources`: only these of the module's resources (a list exports its own records only).
        """
        sheets = []
        for cls in resources or self.resources:
            resource = cls(user=request.user)
            if not resource.can_export(request.user):
                continue
            columns, rows = resource.export_sheet(resource.export_queryset(request))
            sheets.append((str(resource.title), columns, rows))
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


class Registry:
    """The import modules the apps registered, by key."""

    def __init__(self):
        self._registry = {}

    def register(self, module_class):
        if not module_class.key:
            raise ValueError(f"{module_class.__name__} has no key")
        registered = self._registry.setdefault(module_class.key, module_class)
        if registered is not module_class:
            raise ValueError(f"import module key {module_class.key!r} is taken by {registered.__name__}")
        return module_class

    def __iter__(self):
        """The keys, in the order the import page lists the modules."""
        ordered = sorted(self._registry.values(), key=lambda cls: (cls.order, cls.key))
        return iter([cls.key for cls in ordered])

    def __contains__(self, key):
        return key in self._registry

    def get(self, key):
        cls = self._registry.get(key)
        return cls() if cls is not None else None


registry = Registry()


def get_module(key):
    """The registered module called `key`, or None."""
    return registry.get(key)


def all_modules():
    return [registry.get(key) for key in registry]


def may_import(user):
    """Whether the import pages have something for `user`: a module to import, or the import log."""
    return user.has_perm("imports.view_importrun") or any(m.can_import(user) for m in all_modules())


STATUS_LABELS = {"new": _("新建"), "update": _("更新"), "unchanged": _("未变"), "error": _("错误")}
