"""Shared fixtures: the shipped library and engine, and a CLI runner."""

from __future__ import annotations

import os
import tempfile

import pytest
from click.testing import CliRunner

# Keep the library cache of test runs out of the user's cache folder.
os.environ.setdefault("LICET_CACHE_DIR", tempfile.mkdtemp(prefix="licet-test-cache-"))
# Read no local registry cache (`licet registry refresh`): answers must not hang
# on what the user once fetched. Tests of the cache name their own file.
os.environ["LICET_REGISTRY_CACHE"] = ""

from licensing import Engine, load_library  # noqa: E402


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def engine(library):
    return Engine(library=library)


@pytest.fixture()
def runner():
    return CliRunner()
