"""Shared fixtures: the hand-made samples and small simulated scenarios, written once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_SAMPLES = PROJECT_ROOT.parent / "shared" / "samples" / "sources"
# Tests never touch the user's instance or network-facing defaults.
os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))


@pytest.fixture(scope="session")
def samples_root(tmp_path_factory) -> Path:
    """A private copy of ../shared/samples/sources (tests may add snapshots to it)."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"{SHARED_SAMPLES} not found (CI runs beside ../shared)")
    target = tmp_path_factory.mktemp("samples") / "sources"
    shutil.copytree(SHARED_SAMPLES, target)
    return target
