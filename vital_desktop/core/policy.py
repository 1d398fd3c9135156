"""The clinic's policy file: settings IT fixes for every person on a computer.

A read-only TOML file, e.g.::

    [settings]
    default_environment = "production"
    link_ttl_minutes = 5
    allowed_providers = ["oura", "fitbit"]

A fixed setting wins over what a person chose (after Picard's ``settingsoverride``) and is
shown greyed out. A file that is there but wrong in any way fixes nothing at all: a policy is
applied whole or not at all, and the one sentence in ``Policy.problem`` says why.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType

from vital_desktop.core.i18n import translate
from vital_desktop.core.settings_table import SETTINGS_BY_NAME, Setting, SettingValue, checked

POLICY_FILE_VARIABLE = "VITAL_POLICY_FILE"
SETTINGS_TABLE = "settings"


@dataclass(frozen=True)
class Policy:
    """What the policy file fixes (``fixed``: setting name -> value) and what is wrong with it.

    ``problem`` is None when the file is fine or absent; otherwise ``fixed`` is empty. The
    sentence is worded when it is read (``explain``), so it comes in the language the window
    installed even though the file is read before the translation is chosen.
    """

    fixed: Mapping[str, SettingValue] = field(default_factory=lambda: MappingProxyType({}))
    explain: Callable[[], str] | None = field(default=None, repr=False, compare=False)
    path: Path | None = None

    @property
    def problem(self) -> str | None:
        """The one sentence saying why the file was not applied, or None."""
        return None if self.explain is None else self.explain()

    def is_fixed(self, name: str) -> bool:
        """True when the policy file sets ``name``."""
        return name in self.fixed


NO_POLICY = Policy()


def policy_path(platform: str = sys.platform, environ: Mapping[str, str] | None = None) -> Path:
    """Where this computer's policy file lives (``VITAL_POLICY_FILE`` overrides it).

    Linux and other Unix: ``/etc/vital-desktop/policy.toml``; Windows:
    ``%PROGRAMDATA%\\vital-desktop\\policy.toml``; macOS:
    ``/Library/Application Support/vital-desktop/policy.toml``.
    """
    env = os.environ if environ is None else environ
    override = env.get(POLICY_FILE_VARIABLE, "").strip()
    if override:
        return Path(override)
    if platform.startswith("win"):
        program_data = env.get("PROGRAMDATA", "").strip() or "C:\\ProgramData"
        return Path(program_data.rstrip("\\/") + "\\vital-desktop\\policy.toml")
    if platform == "darwin":
        return Path("/Library/Application Support/vital-desktop/policy.toml")
    return Path("/etc/vital-desktop/policy.toml")


def load_policy(path: Path) -> Policy:
    """Read the policy file at ``path``; a missing file is no policy and no problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Policy(path=path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _broken(
            path,
            lambda: translate("Policy", "it could not be read ({reason})").format(reason=reason),
        )
    import tomllib  # only when a policy file exists: most desks have none

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _broken(path, lambda: translate("Policy", "it is not UTF-8 text"))
    except tomllib.TOMLDecodeError as error:
        detail = str(error)
        return _broken(
            path,
            lambda: translate("Policy", "it is not valid TOML ({error})").format(error=detail),
        )
    unknown_tables = sorted(set(document) - {SETTINGS_TABLE})
    if unknown_tables:
        return _broken(
            path,
            lambda: translate(
                "Policy", "it has “{name}”, but only a [{table}] table is read"
            ).format(name=unknown_tables[0], table=SETTINGS_TABLE),
        )
    table = document.get(SETTINGS_TABLE, {})
    if not isinstance(table, dict):
        return _broken(
            path,
            lambda: translate("Policy", "“{table}” must be a table: [{table}]").format(
                table=SETTINGS_TABLE
            ),
        )
    fixed: dict[str, SettingValue] = {}
    for name, raw in table.items():
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            return _broken(path, partial(_not_a_setting, name))
        try:
            fixed[name] = checked(setting, raw)
        except ValueError as error:
            return _broken(path, partial(_refused, setting, raw, str(error)))
    return Policy(MappingProxyType(fixed), None, path)


def _not_a_setting(name: str) -> str:
    return translate("Policy", "it names “{name}”, which is not a setting of this app").format(
        name=name
    )


def _refused(setting: Setting, raw: object, first: str) -> str:
    """Why the file's value for ``setting`` is refused: checked again, so worded in the
    language of the moment (``first``, the reason found on reading, should it pass now)."""
    try:
        checked(setting, raw)
        reason = first
    except ValueError as error:
        reason = str(error)
    return translate("Policy", "its {name} is refused: {reason}").format(
        name=setting.name, reason=_clause(reason)
    )


def _clause(sentence: str) -> str:
    """A sentence made to end another one: no full stop, no line breaks."""
    return " ".join(sentence.split()).rstrip(".")


def _broken(path: Path, what: Callable[[], str]) -> Policy:
    def explain() -> str:
        return translate(
            "Policy",
            "The clinic policy file {path} was not applied, so IT fixes no setting, "
            "because {reason}.",
        ).format(path=path, reason=_clause(what()))

    return Policy(explain=explain, path=path)
