"""The clinic policy file: read whole or not at all, with one sentence when it is wrong."""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

import pytest

from vital_desktop.core.policy import load_policy, policy_path
from vital_desktop.core.preferences import MemoryStore, Preferences
from vital_desktop.core.settings_table import SETTINGS

GOOD = """\
# Written by the clinic's IT.
[settings]
default_environment = "production"
link_ttl_minutes = 5
allowed_providers = ["oura", "fitbit"]
store_client_ids = false
poll_seconds = 4
"""


def test_where_the_policy_file_lives_on_each_platform() -> None:
    assert policy_path("linux", {}) == Path("/etc/vital-desktop/policy.toml")
    assert policy_path("darwin", {}) == Path(
        "/Library/Application Support/vital-desktop/policy.toml"
    )
    windows = policy_path("win32", {"PROGRAMDATA": "D:\\ProgramData"})
    assert PureWindowsPath(str(windows)) == PureWindowsPath(
        r"D:\ProgramData\vital-desktop\policy.toml"
    )
    fallback = policy_path("win32", {})
    assert PureWindowsPath(str(fallback)) == PureWindowsPath(
        r"C:\ProgramData\vital-desktop\policy.toml"
    )


def test_the_environment_variable_overrides_the_place(tmp_path: Path) -> None:
    chosen = tmp_path / "clinic.toml"
    for platform in ("linux", "darwin", "win32"):
        assert policy_path(platform, {"VITAL_POLICY_FILE": str(chosen)}) == chosen


def test_no_file_is_no_policy_and_no_problem(tmp_path: Path) -> None:
    policy = load_policy(tmp_path / "policy.toml")
    assert policy.fixed == {} and policy.problem is None


def test_a_good_file_fixes_its_settings_with_their_types(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(GOOD, encoding="utf-8")
    policy = load_policy(path)
    assert policy.problem is None
    assert dict(policy.fixed) == {
        "default_environment": "production",
        "link_ttl_minutes": 5,
        "allowed_providers": ("oura", "fitbit"),
        "store_client_ids": False,
        "poll_seconds": 4.0,
    }
    assert policy.is_fixed("link_ttl_minutes") and not policy.is_fixed("language")


def test_an_empty_file_fixes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("", encoding="utf-8")
    policy = load_policy(path)
    assert policy.fixed == {} and policy.problem is None


BROKEN = {
    "bad TOML": ("[settings]\nlink_ttl_minutes = = 5\n", "not valid TOML"),
    "unknown setting": (
        "[settings]\nlink_ttl_minutes = 5\nlink_lifetime = 5\n",
        "“link_lifetime”, which is not a setting",
    ),
    "invalid value": (
        '[settings]\ndefault_environment = "production"\nlink_ttl_minutes = 500\n',
        "link_ttl_minutes is refused",
    ),
    "wrong type": ('[settings]\nlegacy_hosts = "maybe"\n', "legacy_hosts is refused"),
    "bad provider": (
        '[settings]\nallowed_providers = ["oura", "myspace"]\n',
        "allowed_providers is refused",
    ),
    "misspelt table": ("[setting]\nlink_ttl_minutes = 5\n", "only a [settings] table"),
    "settings not a table": ("settings = 5\n", "must be a table"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_file_fixes_nothing_and_says_why_in_one_sentence(
    tmp_path: Path, case: str
) -> None:
    text, reason = BROKEN[case]
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert policy.fixed == {}  # never half-applied, even when some lines were good
    _assert_one_sentence(policy.problem, path, reason)
    # The app runs on every default.
    preferences = Preferences(MemoryStore(), policy)
    assert preferences.values() == {s.name: s.default for s in SETTINGS}
    assert preferences.problems() == [policy.problem]


def test_a_file_that_cannot_be_read_fixes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.mkdir()  # root reads any file, but nobody reads a folder as one
    policy = load_policy(path)
    assert policy.fixed == {}
    _assert_one_sentence(policy.problem, path, "could not be read")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_fixes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    policy = load_policy(path)
    assert policy.fixed == {}
    _assert_one_sentence(policy.problem, path, "could not be read")


def test_a_file_that_is_not_text_fixes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b'[settings]\nlanguage = "\xff"\n')
    policy = load_policy(path)
    assert policy.fixed == {}
    _assert_one_sentence(policy.problem, path, "not UTF-8")


def _assert_one_sentence(problem: str | None, path: Path, reason: str) -> None:
    assert problem is not None
    assert str(path) in problem and reason in problem
    assert "\n" not in problem
    assert problem.endswith(".") and not problem.endswith("..")
    assert problem.startswith("The clinic policy file")
