"""Shared fixtures: real stores, the real gazetteer, and the shared corpora when they are there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PYTHON = sys.executable


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says why."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpora and seed live beside the repo in ../shared")
    return path


@pytest.fixture
def store():
    from conflictmap.store.sqlite import Store

    with Store(":memory:") as s:
        yield s


@pytest.fixture(scope="session")
def parser():
    from conflictmap.geoparser.parser import default_geoparser

    return default_geoparser()


@pytest.fixture
def cli_env(tmp_path):
    """Environment for running `python -m conflictmap` in a subprocess with a private home."""
    env = dict(os.environ)
    env["CONFLICTMAP_HOME"] = str(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    return env
