"""The fake's modules import one another one way only: a reader of a module need not know the
modules above it (the model and its generation know no feature module; account.py composes them)."""

import ast
import pathlib

import pytest

import fake_zoom

PACKAGE = pathlib.Path(fake_zoom.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    """The fake_zoom modules a module imports anywhere in it (inside functions and
    `if TYPE_CHECKING:` too: an import a type checker follows is a dependency all the same)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or "").startswith("fake_zoom")):
            module = (node.module or "").removeprefix("fake_zoom").lstrip(".")
            modules |= {module.split(".")[0]} if module else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("fake_zoom.")}
    return modules - {path.stem}


def test_given_the_fake_s_modules_then_no_import_leads_back_to_the_module_it_starts_from():
    graph = {path.stem: imported_modules(path) for path in PACKAGE.glob("*.py")}

    def circle_from(start: str) -> list[str]:
        paths = [[start]]
        while paths:
            path = paths.pop()
            for module in sorted(graph.get(path[-1], ())):
                if module == start:
                    return path + [start]
                if module not in path:
                    paths.append(path + [module])
        return []

    circles = [" -> ".join(circle) for circle in map(circle_from, sorted(graph)) if circle]
    assert circles == []


@pytest.mark.parametrize("module", ["model.py", "generator.py", "generate.py"])
def test_given_the_model_and_its_generation_then_they_import_none_of_the_modules_beyond_stitch(module):
    assert imported_modules(PACKAGE / module).isdisjoint({"ai_companion", "audit_logs", "meeting_qa", "transcripts"})
