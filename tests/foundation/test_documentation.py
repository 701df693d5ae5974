"""The README's configuration table and the deployment files stay in step with the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
README = (BASE_DIR / "README.md").read_text()


def variables_read_by(path: Path) -> set[str]:
    """Names passed as the first argument to env_*() or database_from_env() in a settings module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id.startswith("env_") or node.func.id == "database_from_env":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.isupper():
                names.add(first.value)
    return names


def documented(name: str) -> bool:
    return f"`{name}`" in README


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    names = variables_read_by(BASE_DIR / "config" / "settings.py") | variables_read_by(BASE_DIR / "homecare" / "env.py")
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DATABASE_CONN_MAX_AGE"} <= names  # the parser works
    missing = sorted(name for name in names if not documented(name))
    assert not missing, f"Add these to the README's configuration table: {missing}"


def test_every_variable_in_docker_compose_and_env_example_is_in_the_readme():
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    env_example = (BASE_DIR / ".env.example").read_text()
    names = set(re.findall(r"\$\{([A-Z_]+)", compose))
    names |= set(re.findall(r"^([A-Z_]+)=", env_example, flags=re.MULTILINE))
    missing = sorted(name for name in names if not documented(name))
    assert not missing, f"Add these to the README's configuration table: {missing}"


def test_docker_compose_runs_every_part_with_healthchecks_and_a_database_volume():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("db", "redis", "web", "worker", "beat"):
        assert "healthcheck" in services[name], name
    assert "postgres-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "gunicorn" in services["web"]["command"] and "config.wsgi:application" in services["web"]["command"]
    assert "celery -A config worker" in " ".join(services["worker"]["command"])
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DJANGO_ENV"] == "production", name
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_the_readme_leads_with_the_two_commands():
    demo = README.index("./scripts/demo.sh")
    test = README.index("./scripts/test.sh")
    assert demo < test < README.index("## Configuration")
