"""Which way the arrows point: the layout rules of the code, read from the source itself.

- The core (`archive_site`, and the import engine `imports`) imports no feature app:
  the apps register what the core runs for them (`archive_site.registry`,
  `imports.modules.registry`).
- No app imports another app's views: apps share models, querysets and forms.
- No import cycle between modules, counting the imports inside functions too (a
  function-local import is how a cycle hides).

Every `import` statement of every module is read with `ast`, so the rules hold for
code that no test happens to run.
"""

import ast

from django.conf import settings

CORE = {"archive_site", "imports"}
FEATURES = {"customers", "quality", "products", "printing", "orders", "notifications"}
PACKAGES = CORE | FEATURES | {"devtools"}


def module_name(path):
    parts = list(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    """{module name: path} of every module of the project's packages, migrations left out."""
    modules = {}
    for package in PACKAGES:
        for path in (settings.BASE_DIR / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imports_of(name, path, modules):
    """The project modules `name` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a module, or a name in one
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph():
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def app_of(module):
    return module.split(".")[0]


def test_the_core_imports_no_feature_app():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if app_of(module) in CORE
        for target in targets
        if app_of(target) in FEATURES
    )
    assert not wrong, "\n".join(wrong)


def test_no_app_imports_another_apps_views():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if app_of(target) != app_of(module)
        and (target.split(".")[1:2] == ["views"] or target.endswith(".views"))
    )
    assert not wrong, "\n".join(wrong)


def strongly_connected(graph):
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles():
    cycles = [sorted(group) for group in strongly_connected(import_graph()) if len(group) > 1]
    assert not cycles, "\n".join(" ⇄ ".join(c) for c in cycles)


def test_the_checks_see_a_cycle_and_a_views_import():
    """The checks themselves: a made-up graph with both faults is caught."""
    graph = {"a.views": {"b.models"}, "b.models": {"a.views"}, "c.forms": {"a.views"}}
    assert [sorted(g) for g in strongly_connected(graph) if len(g) > 1] == [["a.views", "b.models"]]
