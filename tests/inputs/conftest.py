"""Fixtures of the hostile-input tests: the Qt window ones come from tests/qt."""

from qt.conftest import (  # noqa: F401
    connect_env,
    open_window,
    patient_id,
    practice_server,
    window,
)
