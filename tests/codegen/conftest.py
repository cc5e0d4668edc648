"""Codegen tests write generated modules into a temporary cache, not the user's."""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def codegen_cache_dir(tmp_path_factory):
    """A fresh ``DYNSYS_CACHE_DIR`` for this test session."""
    directory = tmp_path_factory.mktemp("dynsys-cache")
    previous = os.environ.get("DYNSYS_CACHE_DIR")
    os.environ["DYNSYS_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        del os.environ["DYNSYS_CACHE_DIR"]
    else:
        os.environ["DYNSYS_CACHE_DIR"] = previous
