"""Hostile values for every setting (QSettings text, policy TOML) and for the history: a
setting is read or refused in a sentence, a policy file is applied whole or not at all,
and SQL text in the history is stored and read back verbatim with the database intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from vital_desktop.core.history_store import HistoryError, HistoryStore
from vital_desktop.core.policy import load_policy
from vital_desktop.core.preferences import MemoryStore, Preferences
from vital_desktop.core.settings_table import SETTINGS, checked, coerce

from .hostile import FEW, HOSTILE, SQL, hostile_or_paste, hostile_text, is_sentence

raw_values = st.one_of(
    hostile_or_paste,
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([10**400, -(10**400), 2**63, 0, 1, True, False]),
    st.floats(),
    st.lists(hostile_text, max_size=4),
    st.sampled_from(["~nosuchperson_zz/ca.pem", "a/" * 3000, "1" * 5000, "nan", "inf", "1e999"]),
)


@HOSTILE
@given(st.sampled_from(SETTINGS), raw_values)
def test_coerce_and_problem_give_a_value_or_a_sentence(setting: object, raw: object) -> None:
    try:
        value = coerce(setting, raw)  # type: ignore[arg-type]
    except ValueError as error:
        assert str(error).strip(), raw
        return
    problem = setting.problem(value)  # type: ignore[attr-defined]
    assert problem is None or problem.strip()
    prefs = Preferences(MemoryStore({setting.name: raw}))  # type: ignore[attr-defined]
    prefs.value(setting.name)  # type: ignore[attr-defined] # a bad stored value: the default
    assert all(message.strip() for message in prefs.problems())


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value).replace("inf", "inf").replace("nan", "nan")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


@HOSTILE
@given(st.lists(st.tuples(st.sampled_from(SETTINGS), raw_values), min_size=1, max_size=3))
def test_a_policy_file_is_applied_whole_or_refused_in_one_sentence(
    tmp_path_factory: object, pairs: list[tuple[object, object]]
) -> None:
    folder = tmp_path_factory.mktemp("policy")  # type: ignore[attr-defined]
    lines = ["[settings]"]
    for setting, raw in dict((s.name, (s, r)) for s, r in pairs).values():  # type: ignore[attr-defined]
        lines.append(f"{setting.name} = {_toml_value(raw)}")  # type: ignore[attr-defined]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")  # a surrogate: not UTF-8
    path = Path(folder) / "policy.toml"
    path.write_bytes(data)
    policy = load_policy(path)
    assert path.read_bytes() == data  # read, never touched
    if policy.problem is not None:
        assert not policy.fixed
        assert is_sentence(policy.problem), policy.problem
        return
    for name, value in policy.fixed.items():
        setting = next(s for s in SETTINGS if s.name == name)
        assert checked(setting, value) == value


# ------------------------------------------------------------------------------ history

TABLES = {"handoffs", "handoff_ways", "sqlite_sequence"}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return names


fields = st.one_of(st.sampled_from(SQL), hostile_or_paste)


@HOSTILE
@given(fields, fields, fields, st.lists(fields, max_size=3), fields)
def test_history_records_hostile_text_verbatim_and_stays_intact(
    tmp_path_factory: object,
    client_id: str,
    provider: str,
    redirect: str,
    filter_on: list[str],
    needle: str,
) -> None:
    path = Path(tmp_path_factory.mktemp("history")) / "history.sqlite3"  # type: ignore[attr-defined]
    with HistoryStore(path) as store:
        before = _tables(path)
        fields_ = dict(client_user_id=client_id, provider=provider, redirect_url=redirect,
                       filter=[f for f in filter_on if f and "," not in f])  # fmt: skip
        row_id: int | None = None
        try:
            row_id = store.record(
                user_id="1b4e28ba-2fa1-41d2-883f-0016d3cca427",
                route="web_link",
                secret="token",
                environment="sandbox",
                region="us",
                base_url="https://api.example",
                **fields_,  # type: ignore[arg-type]
            )
        except HistoryError as error:
            assert is_sentence(error.message)
            # Only text that is not text (a lone surrogate) is refused.
            assert any(0xD800 <= ord(c) <= 0xDFFF for v in fields_.values() for c in "".join(v))
        else:
            row = store.get(row_id)
            assert row is not None
            assert row.client_user_id == (client_id or None)
            assert row.provider == (provider or None)
            assert row.redirect_url == (redirect or None)
            assert row.filter == tuple(fields_["filter"])
            if client_id and needle and needle.lower() in client_id.lower() and needle.isascii():
                assert row_id in [r.id for r in store.query(user=needle)]
        for name in ("user", "provider", "environment", "outcome"):
            try:
                store.query(**{name: needle})
                store.count(**{name: needle})
            except HistoryError as error:
                assert is_sentence(error.message)
                assert any(0xD800 <= ord(c) <= 0xDFFF for c in needle)
        if row_id is not None:
            try:
                store.set_outcome(row_id, "error", needle)
            except HistoryError as error:
                assert is_sentence(error.message)
            else:
                assert store.get(row_id).outcome_detail == needle  # type: ignore[union-attr]
    assert _tables(path) == before == TABLES  # no table dropped, none added


@FEW
@given(st.sampled_from(SQL))
def test_sql_text_is_data_in_every_filter(tmp_path_factory: object, text: str) -> None:
    path = Path(tmp_path_factory.mktemp("history")) / "history.sqlite3"  # type: ignore[attr-defined]
    with HistoryStore(path) as store:
        row_id = store.record(user_id="u-1", route="app_code", secret="code",
                              environment=text, region="us", base_url="b",
                              client_user_id=text, provider=text)  # fmt: skip
        assert [r.id for r in store.query(user=text)] == [row_id]
        assert [r.id for r in store.query(provider=text)] == [row_id]
        assert [r.id for r in store.query(environment=text)] == [row_id]
        assert store.count(user=text + "x") == 0
        assert store.get(row_id).client_user_id == text  # type: ignore[union-attr]
    assert _tables(path) == TABLES
