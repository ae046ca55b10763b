"""What the application imports is installed by the production image.

The image installs requirements.txt only (requirements-dev.txt adds test and
development tools on top). A package the application's code imports but that
is pinned only for development works in every test and fails in production,
so the application's imports — every module of the apps, wherever the import
statement stands — are read here and each distribution they come from must be
pinned in requirements.txt.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("archive_site", "imports", "customers", "quality", "products", "printing", "orders", "devtools")
# Run only on a development machine, never imported by the application.
DEVELOPMENT_ONLY = {Path("devtools/devdb.py")}


def pinned(path):
    names = set()
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==", line.strip())
        if match:
            names.add(normalized(match.group(1).split("[")[0]))
    return names


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def application_imports():
    """{top-level module: first file importing it} of third-party modules the apps import."""
    local = {p.name for p in ROOT.iterdir() if p.is_dir()} | {"manage"}
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.relative_to(ROOT) in DEVELOPMENT_ONLY:
                continue
            for module in imported_modules(path):
                if module not in sys.stdlib_module_names and module not in local:
                    found.setdefault(module, path.relative_to(ROOT))
    return found


def test_every_package_the_application_imports_is_a_runtime_requirement():
    runtime = pinned(ROOT / "requirements.txt")
    distributions = packages_distributions()
    missing = {}
    for module, where in application_imports().items():
        names = {normalized(d) for d in distributions.get(module, [module])}
        if not names & runtime:
            missing[module] = f"{where} (distribution: {', '.join(sorted(names))})"
    assert missing == {}, "imported by the application but not in requirements.txt: " + repr(missing)


def test_the_check_reads_imports_wherever_they_stand():
    source = ROOT / "printing" / "stamp.py"
    assert "pypdf" in set(imported_modules(source))
    assert "django" in application_imports()
