"""Shared fixtures: the shipped library, and a CLI runner."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from licensing import load_library


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture()
def runner():
    return CliRunner()
