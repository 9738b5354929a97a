"""The layout the code promises, checked on its imports (read with ast, function-level imports included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the channel-agnostic core never imports: a channel, the apps built on
# top of it, and anything that speaks to a browser.
FORBIDDEN_IN_CORE = ("whatsapp", "widgets", "hooks", "api")


def python_files(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, at any depth (functions, classes, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from interactions import x` may name a module x.
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def forbidden(module: str) -> bool:
    top, *rest = module.split(".")
    if top in FORBIDDEN_IN_CORE:
        return True
    return any(part in ("consumers", "views") or part.endswith("_views") for part in rest)


def test_the_walk_finds_function_level_and_relative_imports(tmp_path, monkeypatch):
    """The check itself: an import inside a function, or a relative one, is found."""
    sample = ROOT / "interactions" / "_architecture_sample.py"
    sample.write_text("def f():\n    from whatsapp import gateway\n\nfrom .models import Message\n")
    try:
        found = [module for _line, module in imports_of(sample)]
    finally:
        sample.unlink()
    assert "whatsapp" in found and "whatsapp.gateway" in found
    assert "interactions.models" in found
    assert forbidden("whatsapp.gateway") and forbidden("agents.consumers") and forbidden("agents.desk_views")
    assert not forbidden("agents.models") and not forbidden("interactions.channels")


def test_the_core_imports_no_channel_view_or_consumer():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("interactions")
        for line, module in imports_of(path)
        if forbidden(module)
    ]
    assert offending == []
