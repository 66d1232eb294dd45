"""The shape of the code: imports run one way (STYLE.md), so the tree reads as the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of qa/ and index/ -> the project modules it imports, anywhere in its body (function-level
    and TYPE_CHECKING imports count: a cycle hidden inside a function is still a cycle)."""
    modules = {_module_name(p): p for package in ("qa", "index") for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_itself_through_others() -> None:
    graph = _imports()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_index_knows_nothing_of_the_answering_side_and_qa_knows_no_gradio() -> None:
    graph = _imports()
    upward = {(m, t) for m, ts in graph.items() if m.startswith("index") for t in ts if t.startswith("qa")}
    assert not upward
    for path in (ROOT / "qa").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "gradio" for n in names), path


def test_the_answering_pipeline_is_grouped_by_concern() -> None:
    """A newcomer sees the pipeline in the tree: qa/ holds the public seams, its folders the steps."""
    top = sorted(p.stem for p in (ROOT / "qa").glob("*.py"))
    assert top == [
        "__init__",
        "__main__",
        "assistant",
        "chat",
        "cite",
        "cli",
        "llamaindex",
        "logs",
        "types",
    ]
    for folder in ("answering", "generation", "serving", "evaluation"):
        assert (ROOT / "qa" / folder / "__init__.py").is_file(), folder
