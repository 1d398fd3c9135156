"""Preferences: the policy file's value, else the person's valid one, else the default."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from vital_desktop.core.policy import load_policy
from vital_desktop.core.preferences import FixedByPolicy, MemoryStore, Preferences


def _policy(tmp_path: Path, text: str) -> Preferences:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return Preferences(MemoryStore(), load_policy(path))


def test_nothing_stored_gives_the_defaults() -> None:
    preferences = Preferences(MemoryStore())
    assert preferences.value("link_ttl_minutes") == 10
    assert preferences.value("allowed_providers") == ()
    assert preferences.non_default() == {} and preferences.problems() == []


def test_set_keeps_a_good_value_and_reads_it_back() -> None:
    store = MemoryStore()
    preferences = Preferences(store)
    assert preferences.set("link_ttl_minutes", 25) == 25
    assert preferences.set("allowed_providers", ["oura", "fitbit"]) == ("oura", "fitbit")
    assert store.values == {"link_ttl_minutes": 25, "allowed_providers": ["oura", "fitbit"]}
    again = Preferences(store)  # a new run on the same store
    assert again.value("link_ttl_minutes") == 25
    assert again.value("allowed_providers") == ("oura", "fitbit")
    assert again.non_default() == {
        "link_ttl_minutes": 25,
        "allowed_providers": ("oura", "fitbit"),
    }


def test_set_refuses_a_bad_value_with_the_reason_and_keeps_the_old_one() -> None:
    store = MemoryStore({"default_redirect_url": "https://clinic.example/done"})
    preferences = Preferences(store)
    with pytest.raises(ValueError, match="refused as a redirect"):
        preferences.set("default_redirect_url", "javascript:alert(1)")
    with pytest.raises(ValueError, match="from 1 to 60"):
        preferences.set("link_ttl_minutes", 90)
    assert preferences.value("default_redirect_url") == "https://clinic.example/done"
    assert "link_ttl_minutes" not in store.values


def test_setting_the_default_or_reset_forgets_the_stored_value() -> None:
    store = MemoryStore({"link_ttl_minutes": "25", "poll_seconds": "5"})
    preferences = Preferences(store)
    preferences.set("link_ttl_minutes", 10)
    preferences.reset("poll_seconds")
    assert store.values == {}
    assert preferences.value("poll_seconds") == 3.0


def test_a_stored_invalid_value_falls_back_to_the_default_and_is_reported_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore(
        {"link_ttl_minutes": "500", "default_environment": "staging", "poll_seconds": "4"}
    )
    preferences = Preferences(store)
    with caplog.at_level(logging.WARNING, logger="vital_desktop.core.preferences"):
        for _ in range(3):
            assert preferences.value("link_ttl_minutes") == 10
            assert preferences.value("default_environment") == "sandbox"
        problems = preferences.problems()
    assert preferences.value("poll_seconds") == 4.0  # a good neighbour is still used
    assert len(problems) == 2
    assert "Link lasts (minutes)" in problems[0] and "from 1 to 60" in problems[0]
    assert "staging" in problems[1]
    assert len(caplog.records) == 2  # logged once each, however often read
    # A good value saved over it clears the report.
    preferences.set("link_ttl_minutes", 20)
    assert len(preferences.problems()) == 1


def test_a_stored_value_of_the_wrong_type_falls_back() -> None:
    preferences = Preferences(MemoryStore({"allowed_providers": "oura", "legacy_hosts": "x"}))
    assert preferences.value("allowed_providers") == ()
    assert preferences.value("legacy_hosts") is False
    assert len(preferences.problems()) == 2


def test_the_policy_wins_over_the_person_and_cannot_be_changed(tmp_path: Path) -> None:
    preferences = _policy(
        tmp_path,
        '[settings]\ndefault_environment = "production"\nlink_ttl_minutes = 5\n'
        'allowed_providers = ["oura", "fitbit"]\n',
    )
    store = MemoryStore({"link_ttl_minutes": "30", "poll_seconds": "6"})
    preferences = Preferences(store, preferences.policy)
    assert preferences.value("link_ttl_minutes") == 5
    assert preferences.value("default_environment") == "production"
    assert preferences.value("allowed_providers") == ("oura", "fitbit")
    assert preferences.value("poll_seconds") == 6.0  # not fixed: the person's own
    assert preferences.is_fixed("link_ttl_minutes") and not preferences.is_fixed("poll_seconds")
    with pytest.raises(FixedByPolicy, match="set by your clinic's IT") as refused:
        preferences.set("link_ttl_minutes", 7)
    assert isinstance(refused.value, PermissionError)
    assert store.values["link_ttl_minutes"] == "30"  # untouched, and used again if IT relents
    assert preferences.non_default() == {
        "link_ttl_minutes": 5,
        "default_environment": "production",
        "allowed_providers": ("oura", "fitbit"),
        "poll_seconds": 6.0,
    }


def test_a_broken_policy_leaves_the_persons_own_values(tmp_path: Path) -> None:
    broken = _policy(tmp_path, "[settings]\nlink_ttl_minutes = 5\nnot_a_setting = 1\n")
    preferences = Preferences(MemoryStore({"poll_seconds": "6"}), broken.policy)
    assert preferences.value("link_ttl_minutes") == 10
    assert preferences.value("poll_seconds") == 6.0
    assert not preferences.is_fixed("link_ttl_minutes")
    preferences.set("link_ttl_minutes", 7)  # nothing is fixed by a broken file
    assert preferences.problems() == [broken.policy.problem]


def test_unknown_names_are_refused() -> None:
    preferences = Preferences(MemoryStore())
    with pytest.raises(KeyError):
        preferences.value("nope")
    with pytest.raises(KeyError):
        preferences.set("nope", 1)
