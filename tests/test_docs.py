"""docs/architecture.md's module table stays the tree a newcomer opens: every module, its size, what it imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

LIBRARY = ROOT / "conflictmap"
ROW = re.compile(r"^\| `([^`]+\.py)` \| (\d+) \| .* \| ([^|]*) \|$", re.M)
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def imports_of(path: Path) -> set[str]:
    """The library modules a module imports, named as the table names them ("store.sqlite"; "conflictmap" for the package itself)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "conflictmap" or node.module.startswith("conflictmap.")):
            if node.module == "conflictmap":
                found |= {a.name if (LIBRARY / f"{a.name}.py").is_file() or (LIBRARY / a.name).is_dir() else "conflictmap"
                          for a in node.names}
            else:
                found.add(node.module.removeprefix("conflictmap."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("conflictmap.") for a in node.names if a.name.startswith("conflictmap.")}
    found.discard(str(path.relative_to(LIBRARY).with_suffix("")).replace("/", ".").removesuffix(".__init__"))
    return found


def test_every_library_module_is_in_the_architecture_table_with_its_size_and_imports():
    listed = {name: (int(n), {d.strip() for d in deps.split(",")} - {"—", ""}) for name, n, deps in ROW.findall(DOC)}
    modules = {str(p.relative_to(LIBRARY)) for p in LIBRARY.rglob("*.py")}
    assert modules, "no library modules found"
    assert sorted(modules - set(listed)) == [], "add these modules to docs/architecture.md's table"
    gone = [name for name in listed if not (LIBRARY / name).is_file() and not (ROOT / name).is_file()]
    assert gone == [], "docs/architecture.md lists files that no longer exist"
    for name in sorted(modules):
        lines = len((LIBRARY / name).read_text(encoding="utf-8").splitlines())
        size, deps = listed[name]
        assert abs(lines - size) <= 15, f"{name} has {lines} lines; the table says {size}"
        assert deps == imports_of(LIBRARY / name), f"{name} imports {sorted(imports_of(LIBRARY / name))}; the table says {sorted(deps)}"
