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

log = logging.getLogger(__name__)

CA_BUNDLE_FIELD = "ca_bundle"
# A CA bundle is a few hundred kilobytes at most (certifi's is about 300 KB).
MAX_BUNDLE_BYTES = 10_000_000
Problem = Callable[[str], VitalError]  # what is wrong -> the sentence to raise
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
            raise _env_error("SSL_CERT_DIR")("does not hold PEM certificates") from None
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
            f"The certificate file chosen in the settings ({Path(path).name or path}) {what}; "
            "choose a PEM file from IT or clear the setting.",
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
            f"The certificate setting {variable} {what}; fix it or remove it so the app can "
            "check Vital's certificate.",
            field=variable.lower(),
        )

    return problem


def _read_pem_file(path: Path, error: Problem) -> str:
    """The PEM certificate blocks of ``path`` (comments and keys dropped), checked."""
    try:
        if not path.is_file():
            raise error("names a file that does not exist")
        with path.open("rb") as handle:
            data = handle.read(MAX_BUNDLE_BYTES + 1)
    except OSError:
        raise error("cannot be read") from None
    if len(data) > MAX_BUNDLE_BYTES:
        raise error("is too large to be a certificate file")
    blocks = _PEM_CERTIFICATE.findall(data)
    if not blocks:
        raise error("does not hold PEM certificates")
    pem = "\n".join(block.decode("ascii") for block in blocks) + "\n"
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=pem)
    except (ssl.SSLError, ValueError):
        raise error("does not hold PEM certificates") from None
    return pem


def _check_cert_folder(folder: Path, limit: int = 200) -> None:
    error = _env_error("SSL_CERT_DIR")
    if not folder.is_dir():
        raise error("names a folder that does not exist")
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
    raise error("names a folder without PEM certificates")
