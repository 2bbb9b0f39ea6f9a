"""Every role check lives in `accounts/permissions.py` (issue 7): no other module of the product compares a role.

A role check is a comparison (`==`, `!=`, `in`, `not in`) where one side is a user's `.role`, `getattr(x, "role")`,
a `Role.X` member (or a collection of them), or a local named `role`; or a call to `has_role` outside the
permissions module. Queryset filters (`role=Role.FACILITATOR`) and navigation's role sets are data, not checks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.project_apps import PROJECT_APPS

ROOT = Path(__file__).resolve().parent.parent
APPS = PROJECT_APPS
ALLOWED = {Path("accounts/permissions.py")}


def _is_role_operand(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    if isinstance(node, ast.Name) and node.id == "role":
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role":
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr":
        return len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "role"
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_is_role_operand(element) for element in node.elts)
    return False


def _is_role_list(node: ast.AST) -> bool:
    """`Role.values`: checking that a submitted value names a role at all is validation, not a role check."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr in {"values", "choices", "names"}
        and (isinstance(node.value, ast.Name) and node.value.id == "Role")
    )


def role_checks(source: str) -> list[int]:
    """The line numbers of role checks in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(_is_role_list(part) for part in node.comparators):
            continue
        if isinstance(node, ast.Compare) and any(
            _is_role_operand(part) for part in [node.left, *node.comparators]
        ):
            found.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "has_role":
                found.append(node.lineno)
    return sorted(found)


def _modules() -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.relative_to(ROOT) not in ALLOWED
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("user.role == Role.FACILITATOR", [1]),
        ("getattr(user, 'role', '') != 'x'", [1]),
        ("role in (Role.TREATMENT_MANAGER, Role.AREA_ADMIN)", [1]),
        ("permissions.has_role(user, 'x')", [1]),
        ("User.objects.filter(role=Role.FACILITATOR)", []),
        ("frozenset({Role.FACILITATOR})", []),
        ("a.status == b.status", []),
        ("role if role in Role.values else ''", []),
    ],
)
def test_the_detector_finds_role_comparisons(source: str, expected: list[int]) -> None:
    assert role_checks(source) == expected


def test_no_role_check_outside_accounts_permissions() -> None:
    offenders = [
        f"{path}:{line}"
        for path in _modules()
        for line in role_checks((ROOT / path).read_text(encoding="utf-8"))
    ]
    assert offenders == [], "role checks belong in accounts/permissions.py as named predicates: " + ", ".join(
        offenders
    )
