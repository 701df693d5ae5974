"""The layers point one way: ``config`` and ``demo`` on top, the product apps, ``homecare`` at the bottom.

Read from the source with ``ast``, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
ROOF = {"config", "demo"}
PRODUCT_APPS = {"providers", "contracts", "dps", "brokerage", "commissioning", "visits"}
PLATFORM = "homecare"


def modules_imported_by(source: str, *, package: tuple[str, ...]) -> set[str]:
    """Every absolute module name the source imports (relative imports resolved against its package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.add(node.module)
    return names


def imports_of(package: str) -> dict[str, set[str]]:
    """For each .py file under the package: the top-level packages of what it imports."""
    return {
        str(path.relative_to(BASE_DIR)): {
            name.split(".")[0]
            for name in modules_imported_by(path.read_text(), package=path.relative_to(BASE_DIR).parts[:-1])
        }
        for path in sorted((BASE_DIR / package).rglob("*.py"))
    }


def offenders(package: str, forbidden: set[str]) -> dict[str, list[str]]:
    found = {path: sorted(tops & forbidden) for path, tops in imports_of(package).items()}
    return {path: names for path, names in found.items() if names}


def test_the_platform_imports_no_product_app_and_not_the_roof():
    assert offenders(PLATFORM, PRODUCT_APPS | ROOF) == {}


@pytest.mark.parametrize("app", sorted(PRODUCT_APPS))
def test_no_product_app_imports_the_roof(app):
    assert offenders(app, ROOF) == {}


def test_contracts_does_not_import_dps():
    assert offenders("contracts", {"dps", "brokerage"}) == {}


def test_providers_imports_no_other_product_app():
    assert offenders("providers", PRODUCT_APPS - {"providers"}) == {}


def test_dps_does_not_import_brokerage():
    assert offenders("dps", {"brokerage"}) == {}


def test_commissioning_is_above_the_apps_it_builds_on_and_none_of_them_imports_it():
    # Commissioning reuses DPS criteria, contracts' memberships and brokerage's packages, never the reverse.
    for app in ("providers", "contracts", "dps", "brokerage"):
        assert offenders(app, {"commissioning"}) == {}


def test_the_check_sees_imports_inside_functions_and_relative_ones():
    # The rule is only as good as its parser: a lazy or relative import must count like a top-level one.
    source = (
        "def f():\n    from providers.models import ProviderStaff\n\n"
        "from ..audit import services\nimport config.celery\n"
    )
    found = modules_imported_by(source, package=("homecare", "accounts"))
    assert found == {"providers.models", "homecare.audit", "config.celery"}
