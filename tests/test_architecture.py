"""The layout the code promises, checked on its imports (read with ast, function-level imports included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the channel-agnostic core never imports: a channel, the apps built on
# top of it, and anything that speaks to a browser.
FORBIDDEN_IN_CORE = ("whatsapp", "widgets", "desk", "hooks", "api")


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
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
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
    assert (
        forbidden("whatsapp.gateway")
        and forbidden("desk.consumers")
        and forbidden("desk.desk_views")
    )
    assert not forbidden("agents.models") and not forbidden("occ.lib.channels")


def test_the_core_imports_no_channel_view_or_consumer():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in python_files("interactions")
        for line, module in imports_of(path)
        if forbidden(module)
    ]
    assert offending == []


def channel_names_in(path: Path) -> list[int]:
    """Lines where the file's code (not its comments or docstrings) spells a channel's name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value.lower() in CHANNEL_NAMES
    ]


# The channels' names (their adapters' `name`): the core takes them from the registry.
CHANNEL_NAMES = {"whatsapp"}


def test_the_core_spells_no_channel_name_in_its_code(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""About WhatsApp."""\n# whatsapp\ndef f(channel="whatsapp"):\n    pass\n')
    assert channel_names_in(sample) == [3]  # the check itself: the default, not the docstring
    offending = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files("interactions")
        for line in channel_names_in(path)
    ]
    assert offending == []


# --- app-level import cycles -----------------------------------------------------------------

# Low to high: an app imports only apps before it in this list (function-level
# imports included). `occ.lib` (the helpers) is below every app and `occ`
# (the project: urls, asgi) above them all. Where each app sits, and why:
# docs/architecture.md, "Layers".
LAYERS = [
    "audit",
    "engine",
    "settings",  # the ChatChannelSettings row only (its page is WhatsApp's)
    "services",
    "agents",  # profiles, roles; presence is set by the desk
    "accounts",
    "interactions",  # the core
    "whatsapp",  # the channel adapter, and the Chat channel page
    "widgets",
    "desk",  # the agents' and supervisors' browsers
    "hooks",
    "reports",
    "api",
    "privacy",
]
APPS = [*LAYERS, "occ"]


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["occ", "lib"]:
        return "occ.lib"  # the helpers: a library below every app
    return parts[0] if parts[0] in APPS else None


def app_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {app: set() for app in [*APPS, "occ.lib"]}
    for app in APPS:
        for path in python_files(app):
            source = app_of(module_name(path))
            for _line, module in imports_of(path):
                target = app_of(module)
                if target and target != source:
                    graph[source].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_helpers_import_no_app_and_the_project_is_imported_by_none():
    graph = app_graph()
    assert graph["occ.lib"] == set()
    assert [app for app, targets in graph.items() if "occ" in targets] == []


def test_no_new_app_level_import_cycle():
    assert cycles(app_graph()) == []


def test_every_app_imports_only_the_layers_below_it():
    rank = {app: index for index, app in enumerate(["occ.lib", *LAYERS, "occ"])}
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in app_graph().items()
        for target in targets
        if rank[target] >= rank[source]
    )
    assert upward == []


def test_an_app_missing_from_the_layers_is_noticed():
    """Every Django app of the project is in LAYERS, so none escapes the two checks above."""
    from django.apps import apps

    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if (ROOT / config.name.split(".")[0]).is_dir()
    }
    assert ours - {"occ"} == set(LAYERS)
