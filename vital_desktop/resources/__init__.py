"""Files shipped inside the package (provider table, icon), read through importlib.resources.

The same call works from a source checkout, an installed wheel or a zipped bundle, because
nothing here builds a path from ``__file__``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable


def resource(name: str) -> Traversable:
    """The bundled file ``name`` (``providers.tsv``, ``icon.svg``)."""
    entry = resources.files(__name__).joinpath(name)
    if not entry.is_file():
        raise FileNotFoundError(f"bundled resource {name!r} is missing from this installation")
    return entry


def read_text(name: str) -> str:
    """The text of the bundled file ``name``, as UTF-8."""
    return resource(name).read_text(encoding="utf-8")
