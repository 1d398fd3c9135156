"""Every sentence the core gives a person goes through ``translate``: none is left in English.

A pseudo-translator is installed with ``set_translator``: it upper-cases the text of every
sentence and marks it ``⟦…⟧``, leaving ``{placeholders}`` and ``%n`` as they are, so a
template still formats. The client is then driven against the local stand-in (and a closed
port, an unknown host, a self-signed server) through each kind of failure, and each
sentence-making function of the core is called for each case: what a person would read
must carry the mark and no lower-case word of the code's own, once the values that come
from elsewhere (host, server text, provider names, paths) are taken out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from vital_desktop.core import i18n, tls
from vital_desktop.core.client import DEMO_PROVIDERS, VitalClient
from vital_desktop.core.connection import ConnectionChoice, DemoEndpoint, Mode, resolve_connection
from vital_desktop.core.connection_watch import poll_sentence
from vital_desktop.core.deadline import Deadline
from vital_desktop.core.environments import (
    KEY_PREFIXES,
    Environment,
    Region,
    check_key,
    custom_target,
    describe,
    inspect_key,
    key_mismatch,
    standard_target,
)
from vital_desktop.core.errors import ErrorKind, VitalError, bad_response
from vital_desktop.core.link_board import Binding, LinkPurpose
from vital_desktop.core.link_form import (
    CodeRequest,
    LinkForm,
    build_code_request,
    build_request,
    describe_patient,
    describe_providers,
    patient_key,
)
from vital_desktop.core.models import LinkToken
from vital_desktop.core.policy import Policy, load_policy
from vital_desktop.core.preferences import FixedByPolicy, MemoryStore, Preferences
from vital_desktop.core.providers import Provider, WebSupport, bundled_catalogue
from vital_desktop.core.proxies import proxy_for
from vital_desktop.core.retry_after import wait_phrase, wait_sentence
from vital_desktop.core.settings_table import SETTINGS_BY_NAME, checked
from vital_desktop.core.staff_words import connection_error_sentence, widget_error_sentence
from vital_desktop.core.tls import client_ssl_context, read_ca_bundle
from vital_desktop.core.validation import (
    LinkTokenRequest,
    client_user_id_problem,
    redirect_url_problem,
    slug_problem,
    user_id_problem,
)
from vital_desktop.sandbox import SandboxServer

from .helpers import UID, ScriptedServer, client_for, fast_settings

OPEN, CLOSE = "⟦", "⟧"
_KEPT = re.compile(r"(\{[^{}]*\}|%n)")


def pseudo(context: str, text: str) -> str:
    """The text upper-cased and marked; placeholders and ``%n`` kept so formatting works."""
    parts = _KEPT.split(text)
    return OPEN + "".join(p if _KEPT.fullmatch(p) else p.upper() for p in parts) + CLOSE


@pytest.fixture(autouse=True)
def pseudo_language() -> Iterator[None]:
    i18n.set_translator(pseudo)
    yield
    i18n.set_translator(None)


def assert_translated(sentence: str | None, *data: str | None) -> None:
    """``sentence`` is a marked translation, and every word of the code's in it is too.

    ``data`` are the values put into it that never come from the code (host, server text,
    a provider's name, a path): they are taken out before looking for lower-case words.
    """
    assert sentence, "no sentence"
    assert sentence.startswith(OPEN) and sentence.endswith((CLOSE, CLOSE + ".")), sentence
    rest = sentence
    for value in sorted((d for d in data if d), key=len, reverse=True):
        rest = rest.replace(value, "")
    words = re.findall(r"[a-z][a-z']*", rest)
    assert not words, f"not translated: {words} in {sentence!r}"


# ----------------------------------------------------------------- client, stand-in


@pytest.fixture
def user_id(sandbox: SandboxServer) -> str:
    return str(sandbox.state.create_user("patient-1")["user_id"])


def _client(sandbox: SandboxServer, **settings: float) -> VitalClient:
    return VitalClient(sandbox.demo_key, custom_target(sandbox.base_url), fast_settings(**settings))


def _fail(call: Callable[..., Any], *args: Any) -> VitalError:
    with pytest.raises(VitalError) as info:
        call(*args)
    return info.value


def _link(client: VitalClient, user_id: str) -> Any:
    return client.create_link_token(LinkTokenRequest.build(user_id))


def _assert_client_error(err: VitalError, client: VitalClient, *data: str | None) -> None:
    server = err.server_message or ""
    assert_translated(
        err.message, client.target.host, client.key_info.label, server, server.rstrip("."), *data
    )


@pytest.mark.parametrize(
    ("fault", "kind", "nested"),
    [
        ("POST /v2/link/token=401", ErrorKind.UNAUTHORIZED, ""),
        ("POST /v2/link/token=403", ErrorKind.UNAUTHORIZED, ""),
        ("POST /v2/link/token=404", ErrorKind.NOT_FOUND, ""),
        ("POST /v2/link/token=422", ErrorKind.VALIDATION, ""),
        ("POST /v2/link/token=400", ErrorKind.BAD_REQUEST, ""),
        ("POST /v2/link/token=418", ErrorKind.BAD_RESPONSE, ""),
        ("POST /v2/link/token=invalid-json", ErrorKind.BAD_RESPONSE, ""),
        ("POST /v2/link/token=missing-fields", ErrorKind.BAD_RESPONSE, ""),
        # Retry-After: none, seconds, minutes, hours, beyond a day (each a wait phrase).
        ("POST /v2/link/token=429", ErrorKind.RATE_LIMITED, "⟦A MINUTE⟧"),
        ("POST /v2/link/token=429,retry-after=1", ErrorKind.RATE_LIMITED, "⟦ABOUT 1 SECOND"),
        ("POST /v2/link/token=429,retry-after=600", ErrorKind.RATE_LIMITED, "⟦ABOUT 10 MINUTE"),
        ("POST /v2/link/token=500", ErrorKind.SERVER_ERROR, "⟦A MINUTE⟧"),
        ("POST /v2/link/token=503,retry-after=30", ErrorKind.SERVER_ERROR, "⟦ABOUT 30 SECOND"),
        ("POST /v2/link/token=huge", ErrorKind.TOO_LARGE, ""),
        ("POST /v2/link/token=drop", ErrorKind.CANNOT_CONNECT, ""),
        ("POST /v2/link/token=long-link", ErrorKind.BAD_RESPONSE, ""),  # models.unsafe_link
    ],
)
def test_every_api_failure_is_worded_in_the_installed_language(
    sandbox: SandboxServer, user_id: str, fault: str, kind: ErrorKind, nested: str
) -> None:
    sandbox.faults.add(fault)
    with _client(sandbox, max_retries=0, max_response_bytes=64_000) as client:
        err = _fail(_link, client, user_id)
        _assert_client_error(err, client)
    assert err.kind is kind
    assert nested in err.message


@pytest.mark.parametrize(
    ("status", "retry_after", "nested"),
    [
        (429, "7200", "⟦ABOUT 2 HOUR"),
        (429, "100000", "⟦VITAL ASKED THE APP TO WAIT MORE THAN A DAY"),
        (503, "100000", "TRY AGAIN LATER (VITAL ASKED THE APP TO WAIT MORE THAN A DAY)"),
        (503, "Wed, 21 Oct 2015 07:28:00 GMT", "⟦ABOUT 1 SECOND"),  # a date in the past
    ],
)
def test_long_retry_after_waits_are_translated(
    scripted: ScriptedServer, status: int, retry_after: str, nested: str
) -> None:
    scripted.set(status, '{"detail": "busy"}', retry_after=retry_after)
    with client_for(scripted.base_url, max_retries=0) as client:
        err = _fail(client.providers)
        _assert_client_error(err, client)
    assert nested in err.message


def test_a_404_where_no_user_is_named_is_translated(sandbox: SandboxServer) -> None:
    sandbox.faults.add("GET /v2/providers=404")
    with _client(sandbox) as client:
        err = _fail(client.providers)
        _assert_client_error(err, client)
    assert err.kind is ErrorKind.NOT_FOUND


def test_a_duplicate_patient_is_translated(sandbox: SandboxServer, user_id: str) -> None:
    with _client(sandbox) as client:
        err = _fail(client.create_user, "patient-1")
        _assert_client_error(err, client, user_id)
    assert err.kind is ErrorKind.DUPLICATE_USER and err.existing_user_id == user_id


def test_a_timeout_is_translated(sandbox: SandboxServer, user_id: str) -> None:
    sandbox.faults.add("POST /v2/link/token=slow=3")
    with _client(sandbox, read_timeout=0.2) as client:
        err = _fail(_link, client, user_id)
        _assert_client_error(err, client)
    assert err.kind is ErrorKind.TIMEOUT


def test_network_failures_are_translated(closed_port: int) -> None:
    with client_for(f"http://127.0.0.1:{closed_port}") as client:
        err = _fail(client.get_user, UID)
        _assert_client_error(err, client)
    assert err.kind is ErrorKind.CANNOT_CONNECT
    with client_for("https://api.vital-desktop-test.invalid") as client:
        err = _fail(client.providers)
        _assert_client_error(err, client)
    assert err.kind is ErrorKind.DNS


def test_a_certificate_failure_is_translated(tls_server: ScriptedServer) -> None:
    tls_server.set(200, "[]")
    with client_for(tls_server.base_url) as client:
        err = _fail(client.providers)
        _assert_client_error(err, client)
    assert err.kind is ErrorKind.TLS


def test_the_clients_own_input_checks_are_translated(sandbox: SandboxServer) -> None:
    not_v4 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    with _client(sandbox) as client:
        for call, args in [
            (client.search_users, ("a",)),
            (client.search_users, ("x" * 300,)),
            (client.demo_connect, (not_v4, "oura")),
            (client.demo_connect, (str(sandbox.state.create_user("p")["user_id"]), "strava")),
            (client.create_link_code, (UID, "tomorrow")),  # not a datetime
            (client.get_user, ("not-an-id",)),
            (client.disconnect, (UID, "Not A Slug")),
        ]:
            err = _fail(call, *args)
            assert err.kind is ErrorKind.INVALID_INPUT
            _assert_client_error(err, client, ", ".join(DEMO_PROVIDERS), "Not A Slug")


def test_the_staff_sentences_of_the_errors_module_are_translated() -> None:
    assert_translated(bad_response("GET /v2/providers", "reply is not JSON").message)


# -------------------------------------------------------------- sentences of the core


def test_retry_after_words_are_translated() -> None:
    for seconds in (None, float("nan"), 0.2, 1, 30, 90, 600, 3600, 7200, 86_400, 100_000):
        assert_translated(wait_phrase(seconds))
        assert_translated(wait_sentence(seconds))


def test_staff_words_are_translated() -> None:
    from vital_desktop.core import staff_words

    for error_type in [*staff_words._WIDGET_SENTENCES, "something_new", None]:
        assert_translated(widget_error_sentence(error_type))
        assert_translated(widget_error_sentence(error_type, "Vendor said no"), "Vendor said no")
    for error_type in [*staff_words._CONNECTION_SENTENCES, "something_new", None]:
        assert_translated(connection_error_sentence("Oura", error_type, None), "Oura")
        assert_translated(connection_error_sentence("", error_type, "gone."), "gone")


def test_provider_warnings_and_reasons_are_translated() -> None:
    catalogue = bundled_catalogue()
    warned = 0
    for provider in catalogue:
        warning = provider.link_warning(configured_oauth_apps=())
        if warning is not None:
            warned += 1
            assert_translated(warning, provider.name)
        if not provider.linkable:
            assert_translated(provider.unavailable_reason, provider.name)
        if provider.marker and provider.display_name != provider.name:  # "WHOOP (legacy)"
            assert_translated(provider.display_name, provider.name)
    assert warned >= 2  # a provider needing its own OAuth app, and one shutting down
    odd = Provider("thing", "Thing", "pigeon", WebSupport.NO)
    assert_translated(odd.unavailable_reason, "Thing")
    for via in ("sdk", "app", "sdk_device", "manual"):
        assert_translated(
            Provider("thing", "Thing", via, WebSupport.NO).unavailable_reason, "Thing"
        )


@pytest.mark.parametrize(
    "content",
    [
        b"[settings]\nlink_ttl_minutes = 500\n",
        b"[settings]\nlink_ttl_minutes = 'ten'\n",
        b"[settings]\nno_such_setting = 1\n",
        b"[other]\nx = 1\n",
        b"settings = 1\n",
        b"[settings\n",
        b"\xff\xfe",
    ],
)
def test_policy_problems_are_translated(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(content)
    problem = load_policy(path).problem
    toml_detail = problem.split("(", 1)[1].rsplit(")", 1)[0] if "TOML" in (problem or "") else ""
    names = ["link_ttl_minutes", "no_such_setting", "'ten'", "other", "settings"]
    assert_translated(problem, str(path), toml_detail, *names)


def test_a_policy_read_before_the_translation_is_worded_when_shown(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[settings]\nno_such_setting = 1\n")
    i18n.set_translator(None)  # the window reads the policy before it picks a language
    policy = load_policy(path)
    assert policy.problem is not None and policy.problem.startswith("The clinic policy file")
    i18n.set_translator(pseudo)
    assert_translated(policy.problem, str(path), "no_such_setting")


def test_an_unreadable_policy_is_translated(tmp_path: Path) -> None:
    problem = load_policy(tmp_path).problem  # a folder: reading it fails
    assert problem is not None
    reason = problem.split("(", 1)[1].rsplit(")", 1)[0]
    assert_translated(problem, str(tmp_path), reason)


def test_the_countdown_is_translated() -> None:
    now = [100.0]
    deadline = Deadline(600, clock=lambda: now[0])
    assert deadline.countdown_text() == "⟦{time} LEFT⟧".format(time="10:00")
    assert_translated(deadline.countdown_text(), "10:00")
    now[0] += 600
    assert deadline.countdown_text() == "⟦EXPIRED⟧"


def test_link_descriptions_and_form_errors_are_translated() -> None:
    catalogue = bundled_catalogue()
    names = [p.display_name for p in catalogue]
    assert_translated(describe_patient(UID), "1b4e28ba…0016d3cca427")
    assert_translated(describe_patient(UID, "mrn-42"), "1b4e28ba…0016d3cca427", "mrn-42")
    many = [p.slug for p in catalogue.linkable()][:6]
    for request in [
        LinkTokenRequest.build(UID),
        LinkTokenRequest.build(UID, filter_on_providers=many[:2]),
        LinkTokenRequest.build(UID, filter_on_providers=many),
        CodeRequest(UID, "apple_health_kit", 3600),
    ]:
        assert_translated(describe_providers(request, catalogue), *names)
    phone = next(p for p in catalogue if not p.linkable)
    for call in [
        lambda: build_request(LinkForm(UID, provider_slug=phone.slug), catalogue),
        lambda: build_request(LinkForm(UID, filter_slugs=(phone.slug,)), catalogue),
        lambda: build_code_request(LinkForm(UID, provider_slug="oura"), catalogue, 3600),
        lambda: build_code_request(LinkForm(UID, provider_slug=phone.slug), catalogue, 5),
        lambda: LinkTokenRequest.build(UID, on_error_redirect=True),
    ]:
        assert_translated(_fail(call).message, phone.name)


def test_validation_hints_are_translated() -> None:
    for problem in [
        user_id_problem(""),
        user_id_problem("not-an-id"),
        slug_problem("Not A Slug"),
        slug_problem("no_such_provider"),
        redirect_url_problem("https://" + "a" * 3000),
        redirect_url_problem("https://clinic example"),
        redirect_url_problem("clinic.example"),
        redirect_url_problem("javascript:alert(1)"),
        redirect_url_problem("https:///done"),
        redirect_url_problem("myapp:"),
        client_user_id_problem(""),
        client_user_id_problem("x" * 300),
        client_user_id_problem("mrn\x00"),
    ]:
        assert_translated(problem, "Not A Slug", "no_such_provider", "javascript")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("link_ttl_minutes", 0),
        ("link_ttl_minutes", "ten"),
        ("poll_seconds", float("inf")),
        ("default_environment", "moon"),
        ("default_redirect_url", "javascript:x"),
        ("own_oauth_apps", ["oura"]),
        ("own_oauth_apps", ["Not A Slug"]),
        ("allowed_providers", ["no_such_provider"]),
        ("last_provider", "Not A Slug"),
        ("ca_bundle", "/no/such/file.pem"),
        ("ca_bundle", "/"),
        ("store_client_ids", "perhaps"),
    ],
)
def test_setting_problems_are_translated(name: str, value: object) -> None:
    with pytest.raises(ValueError) as info:
        checked(SETTINGS_BY_NAME[name], value)
    data = ["'ten'", "moon", "oura", "Not A Slug", "no_such_provider", "/no/such/file.pem"]
    data += ["'perhaps'", "sandbox, production, demo", "javascript"]
    slugs = [p.slug for p in bundled_catalogue() if p.needs_own_oauth_app]
    assert_translated(str(info.value), *data, *slugs)


def test_the_polling_line_is_translated() -> None:
    assert poll_sentence(0) == ""
    assert_translated(poll_sentence(1))
    assert_translated(poll_sentence(9))


# ------------------------------------------------- environments, connection, link board

KEYS = {(e, r): prefix + "abc123" for (e, r), prefix in KEY_PREFIXES.items()}


def test_environment_names_and_target_labels_are_translated() -> None:
    for (environment, region), key in KEYS.items():
        assert_translated(describe(environment, region))
        assert_translated(inspect_key(key).label)
        assert_translated(standard_target(environment, region).label)
        assert_translated(standard_target(environment, region, legacy=True).label)
    custom = custom_target("https://proxy.example/vital")
    assert_translated(custom.label, custom.base_url)


def test_a_key_that_disagrees_with_the_host_is_translated() -> None:
    for (environment, region), key in KEYS.items():
        for other in KEYS:
            problem = key_mismatch(inspect_key(key), standard_target(*other))
            if other == (environment, region):
                assert problem is None
            else:
                assert_translated(problem)
    err = _fail(
        check_key,
        KEYS[Environment.SANDBOX, Region.US],
        standard_target(Environment.PRODUCTION, Region.EU),
    )
    assert err.kind is ErrorKind.KEY_MISMATCH
    assert_translated(err.message)
    # The same sentence reaches the connection panel.
    choice = ConnectionChoice(
        Mode.PRODUCTION, Region.US, api_key_text=KEYS[Environment.SANDBOX, Region.US]
    )
    connection = resolve_connection(choice)
    assert connection.problem is not None
    assert_translated(connection.problem.message)
    assert_translated(connection.label)


def test_connection_labels_and_the_demo_problem_are_translated() -> None:
    starting = resolve_connection(ConnectionChoice(Mode.DEMO))
    assert starting.problem is not None and starting.problem.kind is ErrorKind.CANNOT_CONNECT
    assert_translated(starting.problem.message)
    assert_translated(starting.label)
    target = custom_target("http://127.0.0.1:48123")
    demo = resolve_connection(
        ConnectionChoice(Mode.DEMO), DemoEndpoint(target, KEYS[Environment.SANDBOX, Region.US])
    )
    assert demo.ready
    assert_translated(demo.label)
    key = KEYS[Environment.PRODUCTION, Region.EU]
    for choice in [
        ConnectionChoice(
            Mode.SANDBOX, Region.EU, api_key_text=KEYS[Environment.SANDBOX, Region.EU]
        ),
        ConnectionChoice(Mode.PRODUCTION, Region.EU, api_key_text=key, legacy=True),
        ConnectionChoice(Mode.CUSTOM, base_url_text="https://api.example.com", api_key_text=key),
        ConnectionChoice(Mode.CUSTOM, base_url_text="https://api.example.com"),  # no key
        ConnectionChoice(Mode.CUSTOM, base_url_text="not an address"),  # no target at all
    ]:
        connection = resolve_connection(choice)
        assert_translated(connection.label, "api.example.com", "https://api.example.com")


def test_the_link_description_is_translated() -> None:
    connection = resolve_connection(
        ConnectionChoice(Mode.SANDBOX, api_key_text=KEYS[Environment.SANDBOX, Region.US])
    )
    request = LinkTokenRequest.build(UID, filter_on_providers=["oura"])
    purpose = LinkPurpose(
        Binding(patient_key(UID), connection.identity),
        request,
        describe_patient(UID),
        describe_providers(request, bundled_catalogue()),
        connection.label,
    )
    assert_translated(purpose.description, "1b4e28ba…0016d3cca427", "Oura")


def test_an_unsafe_link_from_the_server_is_translated() -> None:
    reply = {"link_token": "t", "link_web_url": "http://link.example/?token=t"}
    err = _fail(LinkToken.from_json, reply, "POST /v2/link/token")
    assert err.kind is ErrorKind.BAD_RESPONSE
    assert_translated(err.message)


# ------------------------------------------------------ proxies and certificate settings


@pytest.mark.parametrize(
    "value",
    [
        "http://proxy.example:notaport",
        "http://[::1",
        "http://",
        "http://pro xy.example:3128",
        "ftp://proxy.example:21",
        "socks4://proxy.example:1080",
        "socks5://proxy.example:1080",  # socksio is not installed
    ],
)
def test_broken_proxy_settings_are_translated(value: str) -> None:
    target = custom_target("https://api.example.com")
    err = _fail(proxy_for, target, {"HTTPS_PROXY": value})
    assert err.field == "proxy"
    assert_translated(err.message, "ftp", "socks4", "socks5")
    assert "HTTPS_PROXY" in err.message


@pytest.mark.parametrize(
    ("variable", "problem"),
    [
        (variable, problem)
        for variable in ("SSL_CERT_FILE", "ca_bundle")
        for problem in ("missing", "not-pem", "too-large", "unreadable")
    ]
    + [("SSL_CERT_DIR", "missing"), ("SSL_CERT_DIR", "not-pem")],
)
def test_broken_certificate_settings_are_translated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, problem: str
) -> None:
    value = tmp_path / ("nowhere" if problem == "missing" else "ca.pem")
    if problem != "missing":
        value.write_text("this is not a certificate\n")
    if variable == "SSL_CERT_DIR" and problem == "not-pem":
        value = tmp_path
    if problem == "too-large":
        monkeypatch.setattr(tls, "MAX_BUNDLE_BYTES", 5)
    if problem == "unreadable":

        def refuse(*args: object, **kwargs: object) -> object:
            raise PermissionError("refused")

        monkeypatch.setattr(tls.Path, "open", refuse)
    if variable == "ca_bundle":
        err = _fail(read_ca_bundle, str(value))
    else:
        err = _fail(client_ssl_context, {variable: str(value)})
    assert err.field == variable.lower()
    assert_translated(err.message, value.name, variable)


def test_every_certificate_sentence_is_translated() -> None:
    for variable in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        for reason in tls._ENV_SENTENCES:
            assert_translated(tls._env_error(variable)(reason).message, variable)
    assert set(tls._BUNDLE_SENTENCES) <= set(tls._ENV_SENTENCES)


# ------------------------------------------------------------------------ preferences


def test_a_setting_fixed_by_the_policy_is_translated() -> None:
    policy = Policy(MappingProxyType({"link_ttl_minutes": 5}))
    prefs = Preferences(MemoryStore(), policy)
    with pytest.raises(FixedByPolicy) as info:
        prefs.set("link_ttl_minutes", 10)
    assert_translated(str(info.value))
    i18n.set_translator(None)
    assert str(info.value) == "“Link lasts (minutes)” is set by your clinic's IT (policy file)."


@pytest.mark.parametrize(
    ("name", "value"),
    [("link_ttl_minutes", 0), ("ca_bundle", "/no/such/file.pem"), ("last_provider", "No Slug")],
)
def test_a_saved_value_not_used_is_worded_when_shown(name: str, value: object) -> None:
    i18n.set_translator(None)  # the window reads the settings before it picks a language
    prefs = Preferences(MemoryStore({name: value}))
    assert prefs.value(name) == SETTINGS_BY_NAME[name].default
    [problem] = prefs.problems()
    assert problem.startswith("The saved “")
    i18n.set_translator(pseudo)
    [problem] = prefs.problems()
    assert_translated(problem, "/no/such/file.pem", "No Slug")


def test_an_unusable_history_value_is_translated() -> None:
    from vital_desktop.core.history_store import _reason

    assert_translated(_reason(UnicodeEncodeError("utf-8", "\udc80", 0, 1, "surrogate")))


def test_the_check_catches_an_untranslated_sentence() -> None:
    with pytest.raises(AssertionError, match="not translated"):
        assert_translated(pseudo("Client", "Try again {when}.").format(when="in a minute"))
    with pytest.raises(AssertionError):
        assert_translated("Vital refused the request.")
    assert_translated(
        pseudo("Client", "Nothing at {host}.").format(host="example.org"), "example.org"
    )


def test_english_comes_back_after_the_translator_is_removed() -> None:
    i18n.set_translator(None)
    assert wait_sentence(30) == "Wait about 30 seconds and try again."
    assert Deadline(60, clock=time.monotonic).countdown_text() == "01:00 left"
    assert describe_providers(LinkTokenRequest.build(UID), bundled_catalogue()) == "any provider"
