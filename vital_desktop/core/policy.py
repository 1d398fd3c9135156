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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from vital_desktop.core.settings_table import SETTINGS_BY_NAME, SettingValue, checked

POLICY_FILE_VARIABLE = "VITAL_POLICY_FILE"
SETTINGS_TABLE = "settings"


@dataclass(frozen=True)
class Policy:
    """What the policy file fixes (``fixed``: setting name -> value) and what is wrong with it.

    ``problem`` is None when the file is fine or absent; otherwise ``fixed`` is empty.
    """

    fixed: Mapping[str, SettingValue] = field(default_factory=lambda: MappingProxyType({}))
    problem: str | None = None
    path: Path | None = None

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
        return _broken(path, f"it could not be read ({reason})")
    import tomllib  # only when a policy file exists: most desks have none

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _broken(path, "it is not UTF-8 text")
    except tomllib.TOMLDecodeError as error:
        return _broken(path, f"it is not valid TOML ({error})")
    unknown_tables = sorted(set(document) - {SETTINGS_TABLE})
    if unknown_tables:
        return _broken(
            path, f"it has “{unknown_tables[0]}”, but only a [{SETTINGS_TABLE}] table is read"
        )
    table = document.get(SETTINGS_TABLE, {})
    if not isinstance(table, dict):
        return _broken(path, f"“{SETTINGS_TABLE}” must be a table: [{SETTINGS_TABLE}]")
    fixed: dict[str, SettingValue] = {}
    for name, raw in table.items():
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            return _broken(path, f"it names “{name}”, which is not a setting of this app")
        try:
            fixed[name] = checked(setting, raw)
        except ValueError as error:
            return _broken(path, f"its {name} is refused: {_clause(str(error))}")
    return Policy(MappingProxyType(fixed), None, path)


def _clause(sentence: str) -> str:
    """A sentence made to end another one: no full stop, no line breaks."""
    return " ".join(sentence.split()).rstrip(".")


def _broken(path: Path, what: str) -> Policy:
    message = (
        f"The clinic policy file {path} was not applied, so IT fixes no setting, "
        f"because {_clause(what)}."
    )
    return Policy(problem=message, path=path)
