"""docs/architecture.md's module table stays the tree a newcomer opens."""

from __future__ import annotations

import re

from tests.conftest import ROOT

TABLE = re.compile(r"^\| `([^`]+\.py)` \| (\d+) \|", re.M)
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_library_module_is_in_the_architecture_table_with_its_size():
    listed = {name: int(n) for name, n in TABLE.findall(DOC)}
    modules = {str(p.relative_to(ROOT / "conflictmap")) for p in (ROOT / "conflictmap").rglob("*.py")}
    assert modules, "no library modules found"
    assert sorted(modules - set(listed)) == [], "add these modules to docs/architecture.md's table"
    gone = [name for name in listed if not (ROOT / "conflictmap" / name).is_file() and not (ROOT / name).is_file()]
    assert gone == [], "docs/architecture.md lists files that no longer exist"
    for name in sorted(modules):
        lines = len((ROOT / "conflictmap" / name).read_text(encoding="utf-8").splitlines())
        assert abs(lines - listed[name]) <= 15, f"{name} has {lines} lines; the table says {listed[name]}"
