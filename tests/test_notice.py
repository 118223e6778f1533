"""NOTICE names every third-party package we install or serve, with the licence it states itself."""

from __future__ import annotations

import json
import re
from importlib.metadata import PackageNotFoundError, metadata

import pytest

from tests.conftest import ROOT

NOTICE = (ROOT / "NOTICE").read_text(encoding="utf-8")


def pins(name: str) -> list[tuple[str, str]]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    pinned = [line.split("#")[0].strip().split("==") for line in lines if "==" in line and not line.startswith("#")]
    return [(name.split("[")[0], version) for name, version in pinned]  # psycopg[binary] is the package psycopg


def test_code_licence_is_mit_and_the_readme_points_to_notice():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "NOTICE" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, version", pins("requirements.txt"))
def test_every_runtime_package_is_listed_with_its_licence(name, version):
    assert f"{name} {version}" in NOTICE, f"add `{name} {version}` and its licence to NOTICE section 3"
    try:
        meta = metadata(name)
    except PackageNotFoundError:
        pytest.skip(f"{name} is not installed here")
    stated = meta.get("License-Expression") or meta.get("License") or ""
    if stated and len(stated) < 40:  # a licence name, not a whole licence text
        entries = [m.group(1) for m in re.finditer(rf"{re.escape(name)} {re.escape(version)} ([^·\n]+)", NOTICE)]
        assert any(stated.split()[0] in e for e in entries), (name, stated, entries)


def test_every_javascript_package_is_listed_with_its_licence():
    wanted = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert wanted
    for package, version in wanted.items():
        line = next((ln for ln in NOTICE.splitlines() if ln.strip().startswith(f"{package} {version} ")), None)
        assert line, f"add `{package} {version}` and its licence to NOTICE section 2"
        installed = ROOT / "node_modules" / package
        if installed.is_dir():
            declared = json.loads((installed / "package.json").read_text(encoding="utf-8")).get("license")
            text = next(iter(sorted(installed.glob("*LICEN[CS]E*"))), None)
            licence = declared or ("BSD-2-Clause" if text and "Redistribution and use" in text.read_text(encoding="utf-8") else None)
            assert licence and licence in line, (package, licence, line)
