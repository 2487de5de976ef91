"""The layering (connectors ← sync ← webhooks/auth/admin ← app) and the one home of package
state, checked on the source: a later change that runs an import back up, or moves a
package's status outside sync/packages.py, fails here."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_SKIP = {"tests", "sandbox", "bench", "migrations", ".venv", "instance", "node_modules"}
UPPER = ("webhooks", "auth", "admin", "app", "cli")


def _product_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] not in PRODUCT_SKIP and not any(p.startswith(".") for p in parts):
            yield path


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _app_facing_modules() -> set[str]:
    """The modules a platform descriptor names for the app layer to import (its blueprints)."""
    import connectors

    return {name for descriptor in connectors.PLATFORMS.values() for name in descriptor.app_modules}


def test_sync_imports_nothing_from_the_layers_above():
    offenders = {f"{path.relative_to(ROOT)} → {name}" for path in (ROOT / "sync").rglob("*.py")
                 for name in _imports(path) if _top(name) in UPPER}
    assert not offenders, sorted(offenders)


def test_connectors_import_nothing_from_sync_and_above():
    app_facing = _app_facing_modules()
    offenders = set()
    for path in (ROOT / "connectors").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if module in app_facing:  # imported by the app layer only; may use the app's services
            continue
        offenders |= {f"{module} → {name}" for name in _imports(path)
                      if _top(name) in UPPER + ("sync", "db", "stores", "models")}
    assert not offenders, sorted(offenders)


def test_importing_the_platform_registry_loads_nothing_above_it():
    code = ("import sys, connectors; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sync', 'webhooks', 'auth', 'admin', 'app', 'db', 'models', 'stores', 'flask'}))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# ``package.status = …`` and ``package.status, x = …`` (any name ending in "package").
_ASSIGNS_STATUS = re.compile(r"^\s*\w*package\w*\.status\s*(,[^=\n]*)?=(?!=)")


def test_only_sync_packages_moves_a_package_state():
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in _product_files()
                 if path.relative_to(ROOT).as_posix() != "sync/packages.py"
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if _ASSIGNS_STATUS.search(line)]
    assert not offenders, offenders


def test_the_check_above_sees_an_assignment():
    assert _ASSIGNS_STATUS.search("    package.status = SYNCED")
    assert _ASSIGNS_STATUS.search("package.status, package.next_attempt_at = RETRYING, now")
    assert not _ASSIGNS_STATUS.search("if package.status == SYNCED:")
    assert not _ASSIGNS_STATUS.search("    return Outcome(package.status, retry_in=0.1)")
