"""Shared test setup: Qt renders offscreen, tests/ helpers import by name, sandbox fixture."""

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

from conftest_sandbox import sandbox  # noqa: F401 - re-exported as a fixture
