"""The TLS context the client verifies servers with: the system's trust store, plus extras.

``client_ssl_context`` builds one verifying context per client:

* the operating system's trusted certificates (``truststore``: Keychain on macOS, the
  Windows certificate store, the distribution's CA files on Linux), so the root of a
  TLS-inspecting proxy that IT installed system-wide is trusted as every other program
  on the computer trusts it;
* ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` from the client's ``environ``, added to it;
* an optional custom CA bundle (``ClientSettings.ca_bundle``, a PEM file chosen in the
  app's settings), added to it.

Where ``truststore`` cannot be used (it is missing, or the operating system is too old for
it: macOS before 10.8, Windows before 7) the context starts from certifi's CA list
instead, and the environment's files and the custom bundle are added the same way; a
proxy's CA installed in the system store is then only trusted through ``ca_bundle``.

Verification cannot be switched off: there is no option for it, the certificate is always
required and the host name always checked. A file or folder that cannot work raises one
``VitalError`` INVALID_INPUT sentence, at client construction, never on a request.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
from collections.abc import Callable, Mapping
from pathlib import Path

from vital_desktop.core.errors import ErrorKind, VitalError
from vital_desktop.core.i18n import QT_TRANSLATE_NOOP, translate

log = logging.getLogger(__name__)

CA_BUNDLE_FIELD = "ca_bundle"
# A CA bundle is a few hundred kilobytes at most (certifi's is about 300 KB).
MAX_BUNDLE_BYTES = 10_000_000
Problem = Callable[[str], VitalError]  # what is wrong (a key below) -> the error to raise
NO_FILE, UNREADABLE, TOO_LARGE, NO_PEM = "no_file", "unreadable", "too_large", "no_pem"
NO_FOLDER, FOLDER_WITHOUT_PEM = "no_folder", "folder_without_pem"

# Whole sentences per problem, so a translator never has to stitch one together; shown
# through translate("Tls", ...). {variable}: SSL_CERT_FILE or SSL_CERT_DIR.
_ENV_SENTENCES = {
    NO_FILE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} names a file that does not exist; fix it or "
        "remove it so the app can check Vital's certificate.",
    ),
    UNREADABLE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} cannot be read; fix it or remove it so the app "
        "can check Vital's certificate.",
    ),
    TOO_LARGE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} is too large to be a certificate file; fix it or "
        "remove it so the app can check Vital's certificate.",
    ),
    NO_PEM: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} does not hold PEM certificates; fix it or remove "
        "it so the app can check Vital's certificate.",
    ),
    NO_FOLDER: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} names a folder that does not exist; fix it or "
        "remove it so the app can check Vital's certificate.",
    ),
    FOLDER_WITHOUT_PEM: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate setting {variable} names a folder without PEM certificates; fix it "
        "or remove it so the app can check Vital's certificate.",
    ),
}
# {file}: the chosen file's name.
_BUNDLE_SENTENCES = {
    NO_FILE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate file chosen in the settings ({file}) names a file that does not "
        "exist; choose a PEM file from IT or clear the setting.",
    ),
    UNREADABLE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate file chosen in the settings ({file}) cannot be read; choose a PEM "
        "file from IT or clear the setting.",
    ),
    TOO_LARGE: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate file chosen in the settings ({file}) is too large to be a "
        "certificate file; choose a PEM file from IT or clear the setting.",
    ),
    NO_PEM: QT_TRANSLATE_NOOP(
        "Tls",
        "The certificate file chosen in the settings ({file}) does not hold PEM "
        "certificates; choose a PEM file from IT or clear the setting.",
    ),
}
_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----"
)


def client_ssl_context(
    environ: Mapping[str, str] | None = None, *, ca_bundle: str | None = None
) -> ssl.SSLContext:
    """A verifying client context: system trust + ``SSL_CERT_FILE``/``_DIR`` + ``ca_bundle``.

    ``environ`` defaults to ``os.environ``. Raises ``VitalError`` INVALID_INPUT with field
    ``ssl_cert_file``, ``ssl_cert_dir`` or ``ca_bundle`` for a setting that cannot work
    (missing, or without a PEM certificate).
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE", "").strip()
    capath = env.get("SSL_CERT_DIR", "").strip()
    # Read every extra first: a broken setting is reported before anything else happens.
    extras: list[str] = []
    if cafile:
        extras.append(_read_pem_file(Path(cafile), _env_error("SSL_CERT_FILE")))
    if capath:
        _check_cert_folder(Path(capath))
    if ca_bundle is not None and ca_bundle.strip():
        extras.append(read_ca_bundle(ca_bundle))
    context = _base_context()
    for pem in extras:
        context.load_verify_locations(cadata=pem)
    if capath:
        try:
            context.load_verify_locations(capath=capath)
        except (ssl.SSLError, OSError, ValueError):
            raise _env_error("SSL_CERT_DIR")(NO_PEM) from None
    # PROTOCOL_TLS_CLIENT already requires both; set them anyway so no caller's context
    # can come out of here without them.
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def system_trust_available() -> bool:
    """True when the operating system's trust store is used (``truststore`` works here)."""
    try:
        import truststore

        truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:
        return False
    return True


def read_ca_bundle(path: str) -> str:
    """The PEM certificates in the custom CA bundle at ``path``, as ASCII text.

    ``~`` stands for the home folder, as in the settings. Raises ``VitalError``
    INVALID_INPUT (field ``ca_bundle``) when the file is missing, unreadable or holds no
    PEM certificate. A settings screen can call it to check a chosen file before saving it.
    """

    def problem(what: str) -> VitalError:
        return VitalError(
            ErrorKind.INVALID_INPUT,
            translate("Tls", _BUNDLE_SENTENCES[what]).format(file=Path(path).name or path),
            field=CA_BUNDLE_FIELD,
        )

    return _read_pem_file(Path(path.strip()).expanduser(), problem)


def _base_context() -> ssl.SSLContext:
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception as error:  # ImportError, or an OS truststore does not support
        log.warning("system certificate store unavailable (%s); using certifi's CA list", error)
    import certifi

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=certifi.where())
    return context


def _env_error(variable: str) -> Problem:
    """Sentences for ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, worded as ``proxies`` words them."""

    def problem(what: str) -> VitalError:
        return VitalError(
            ErrorKind.INVALID_INPUT,
            translate("Tls", _ENV_SENTENCES[what]).format(variable=variable),
            field=variable.lower(),
        )

    return problem


def _read_pem_file(path: Path, error: Problem) -> str:
    """The PEM certificate blocks of ``path`` (comments and keys dropped), checked."""
    try:
        if not path.is_file():
            raise error(NO_FILE)
        with path.open("rb") as handle:
            data = handle.read(MAX_BUNDLE_BYTES + 1)
    except OSError:
        raise error(UNREADABLE) from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise error(TOO_LARGE)
    blocks = _PEM_CERTIFICATE.findall(data)
    if not blocks:
        raise error(NO_PEM)
    pem = "\n".join(block.decode("ascii") for block in blocks) + "\n"
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=pem)
    except (ssl.SSLError, ValueError):
        raise error(NO_PEM) from None
    return pem


def _check_cert_folder(folder: Path, limit: int = 200) -> None:
    error = _env_error("SSL_CERT_DIR")
    if not folder.is_dir():
        raise error(NO_FOLDER)
    try:
        for count, entry in enumerate(folder.iterdir()):
            if count >= limit:
                break
            try:
                if (
                    entry.is_file()
                    and b"-----BEGIN CERTIFICATE-----" in entry.read_bytes()[:1_000_000]
                ):
                    return
            except OSError:
                continue
    except OSError:
        pass
    raise error(FOLDER_WITHOUT_PEM)
