"""``vital-link key``: remember a team API key in the system keychain, list, forget.

The key is read from standard input only (a pipe, or typed without echo on a terminal),
never from an argument: arguments end up in shell history and process lists. Nothing is
ever written anywhere but a real keychain; without one every command says so.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from vital_desktop.cli.output import safe_text, write_line
from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    Environment,
    KeyInfo,
    Region,
    clean_key,
    describe,
    inspect_key,
)
from vital_desktop.core.errors import ErrorCategory, ErrorKind, VitalError, invalid_input

if TYPE_CHECKING:
    from vital_desktop.core.keystore import KeyStore

EXIT_OK = 0
BAD_INPUT = ErrorCategory.BAD_INPUT.value


def no_keychain(store: KeyStore) -> str:
    """The command line's sentence for an unusable store."""
    if store.insecure:
        return (
            f"The only keychain on this computer ({safe_text(store.backend_name)}) would keep "
            f"the key in a plain file, so no key is stored; set {API_KEY_VARIABLE} for each "
            "run instead."
        )
    return (
        "No keychain is available on this computer, so no key is stored; set "
        f"{API_KEY_VARIABLE} for each run instead."
    )


def read_key(stdin: TextIO, err: TextIO) -> str:
    """The key from standard input: typed without echo on a terminal, else one line read."""
    if stdin.isatty():
        import getpass  # here: `vital-link token` imports this module for key_for_run

        try:
            return getpass.getpass("Paste the team API key (it is not shown): ", stream=err)
        except EOFError:
            return ""
    return stdin.read()


def _wanted(args: argparse.Namespace) -> tuple[Environment | None, Region | None]:
    environment = Environment(args.env) if args.env else None
    region = Region(args.region) if args.region else None
    return environment, region


def run_set(
    args: argparse.Namespace, store: KeyStore, stdin: TextIO, out: TextIO, err: TextIO
) -> KeyInfo:
    """Read, check against --env/--region, and store the key."""
    from vital_desktop.core.keystore import KeychainError, mask

    if args.typed_key:
        raise invalid_input(
            "api_key",
            "The key is read from standard input only, never from an argument (arguments "
            "stay in shell history); run `vital-link key set` and paste it, or pipe it in.",
        )
    if not store.usable:
        raise KeychainError(no_keychain(store))
    key = clean_key(read_key(stdin, err))
    if not key:
        raise invalid_input(
            "api_key",
            "No key on standard input: pipe it in, e.g. `vital-link key set < key.txt`, "
            "or paste it when asked.",
        )
    try:
        info = inspect_key(key)
    except VitalError as error:
        raise invalid_input("api_key", error.message) from None
    environment, region = _wanted(args)
    if (environment and environment is not info.environment) or (
        region and region is not info.region
    ):
        flags = [
            f"--env {args.env}" if args.env else "",
            f"--region {args.region}" if args.region else "",
        ]
        wanted = " ".join(flag for flag in flags if flag)
        raise invalid_input(
            "api_key",
            f"This is a {info.label} key, but {wanted} was given; nothing was stored.",
        )
    store.save(key)
    keychain = safe_text(store.backend_name)
    write_line(out, f"Stored the {info.label} key {mask(key)} in the keychain ({keychain}).")
    return info


def run_status(store: KeyStore, out: TextIO) -> None:
    if not store.usable:
        write_line(out, no_keychain(store))
        return
    write_line(out, f"Keychain: {safe_text(store.backend_name)}")
    for entry, masked in store.status():
        write_line(out, f"  {entry:<14} {masked or '(none)'}")


def _matching(args: argparse.Namespace, store: KeyStore) -> list[KeyInfo]:
    """The stored keys that agree with whichever of --env/--region were given."""
    environment, region = _wanted(args)
    return [
        info
        for info in store.stored()
        if (environment is None or info.environment is environment)
        and (region is None or info.region is region)
    ]


def _names(infos: list[KeyInfo]) -> str:
    return ", ".join(describe(i.environment, i.region) for i in infos)


def choose_entry(args: argparse.Namespace, store: KeyStore) -> KeyInfo | None:
    """The one entry --env/--region (or the only stored key) names; None when none is stored.

    Raises INVALID_INPUT when several stored keys match and the flags do not pick one.
    """
    environment, region = _wanted(args)
    if environment and region:
        return KeyInfo(environment, region)
    matching = _matching(args, store)
    if len(matching) > 1:
        raise invalid_input(
            "env", f"Keys for {_names(matching)} are stored: say which with --env and --region."
        )
    return matching[0] if matching else None


def run_forget(args: argparse.Namespace, store: KeyStore, out: TextIO) -> None:
    if not store.usable:
        write_line(out, no_keychain(store))
        return
    info = choose_entry(args, store)
    if info is None:
        write_line(out, "No key is stored in the keychain, so there is nothing to forget.")
        return
    if store.forget(info.environment, info.region):
        write_line(out, f"Removed the {info.label} key from the keychain.")
    else:
        write_line(out, f"No {info.label} key was stored in the keychain.")


def key_for_run(
    args: argparse.Namespace, environ: Mapping[str, str], store: KeyStore | None = None
) -> str:
    """The key a ``token`` (or ``matrix``) run uses: ``VITAL_API_KEY`` when set, else the
    stored key --env/--region names, else the only stored key.

    Raises KEY_MISSING with the sentence saying what to do when none applies.
    """
    key = environ.get(API_KEY_VARIABLE, "")
    if key.strip():
        return key
    from vital_desktop.core.keystore import KeyStore

    if store is None:
        store = KeyStore()
    if not store.usable:
        raise _missing(
            f"No API key is set: set {API_KEY_VARIABLE} (this computer has no keychain to "
            "remember one in)."
        )
    environment, region = _wanted(args)
    if environment and region:
        stored = store.load(environment, region)
        if stored:
            return stored
        raise _missing(
            f"No API key is set: {API_KEY_VARIABLE} is empty and no "
            f"{describe(environment, region)} key is stored; set it, or store one with "
            "`vital-link key set`."
        )
    matching = _matching(args, store)
    if len(matching) > 1:
        raise _missing(
            f"{API_KEY_VARIABLE} is not set and keys for {_names(matching)} are stored: say "
            "which with --env and --region."
        )
    stored = store.load(matching[0].environment, matching[0].region) if matching else None
    if not stored:
        raise _missing(
            f"No API key is set: set {API_KEY_VARIABLE}, or store one with `vital-link key set`."
        )
    return stored


def _missing(message: str) -> VitalError:
    return VitalError(ErrorKind.KEY_MISSING, message, field="api_key")


def run_key(
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    store: KeyStore | None = None,
) -> int:
    """``vital-link key set|status|forget``; failures print one sentence and exit 2."""
    from vital_desktop.core.keystore import KeyStore

    try:
        if store is None:
            store = KeyStore()
        if args.key_command == "set":
            run_set(args, store, stdin, out, err)
        elif args.key_command == "status":
            run_status(store, out)
        else:
            run_forget(args, store, out)
    except VitalError as error:
        write_line(err, safe_text(error.message))
        if getattr(args, "verbose", False):
            write_line(err, safe_text(error.detail, keep_newlines=True))
        return error.exit_code
    return EXIT_OK
