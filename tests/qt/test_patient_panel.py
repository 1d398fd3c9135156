"""The "Find the patient" panel against the real stand-in on loopback.

A small host holds the panel and its controller, as the link window will: a real
``ApiService``, a real ``ClientCache`` with the fast settings, and a connection the test can
swap. Everything the desk sees comes over real HTTP from ``SandboxServer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from vital_desktop.core.connection import (
    Connection,
    ConnectionChoice,
    DemoEndpoint,
    Mode,
    resolve_connection,
)
from vital_desktop.core.environments import Environment, custom_target
from vital_desktop.core.link_form import short_user_id
from vital_desktop.qt.clients import ClientCache
from vital_desktop.qt.controllers.patient_controller import PatientController, local_date
from vital_desktop.qt.service import ApiService
from vital_desktop.qt.views.patient_panel import PatientPanel
from vital_desktop.sandbox import SandboxServer

from .conftest import FAST
from .helpers import child


@dataclass
class Desk:
    """The panel in a shown window, its controller and the server behind it."""

    window: QWidget
    panel: PatientPanel
    controller: PatientController
    server: SandboxServer
    connection: Connection
    questions: list[str] = field(default_factory=list)
    answer: bool = False

    def find(self, qtbot: Any, text: str) -> None:
        edit = child(self.window, "patientSearchEdit")
        edit.clear()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    def message(self) -> str:
        label = child(self.window, "patientMessageLabel")
        return "" if label.isHidden() else str(label.text()).replace("\u200b", "")

    def provider_rows(self) -> list[str]:
        providers = child(self.window, "connectedProvidersList")
        return [providers.item(i).text() for i in range(providers.count())]


DeskFactory = Callable[..., Desk]


def _connection(server: SandboxServer, mode: Mode = Mode.CUSTOM) -> Connection:
    if mode is Mode.DEMO:
        endpoint = DemoEndpoint(custom_target(server.base_url), server.demo_key)
        return resolve_connection(ConnectionChoice(Mode.DEMO), endpoint)
    choice = ConnectionChoice(mode, base_url_text=server.base_url, api_key_text=server.demo_key)
    return resolve_connection(choice)


@pytest.fixture
def open_desk(qtbot: Any) -> Iterator[DeskFactory]:
    made: list[tuple[Desk, ApiService, ClientCache]] = []

    def factory(server: SandboxServer, mode: Mode = Mode.CUSTOM) -> Desk:
        window = QWidget()
        window.resize(640, 620)
        panel = PatientPanel(window)
        QVBoxLayout(window).addWidget(panel)
        service = ApiService()
        clients = ClientCache(FAST, {})
        desk: Desk

        def confirm(_parent: QWidget, question: str) -> bool:
            desk.questions.append(question)
            return desk.answer

        controller = PatientController(
            panel, service, clients, lambda: desk.connection, confirm=confirm
        )
        desk = Desk(window, panel, controller, server, _connection(server, mode))
        window.show()
        qtbot.waitExposed(window)
        made.append((desk, service, clients))
        return desk

    yield factory
    for desk, service, clients in made:
        desk.controller.shutdown()
        service.shutdown()
        assert service.wait_for_done(15_000), "a worker outlived its timeout"
        clients.close_all()
        desk.window.close()
        desk.window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def desk(open_desk: DeskFactory, practice_server: SandboxServer) -> Desk:
    return open_desk(practice_server)


def _wait_chosen(qtbot: Any, desk: Desk, action: Callable[[], None]) -> list[Any]:
    with qtbot.waitSignal(desk.controller.patient_chosen, timeout=10_000) as blocker:
        action()
    return list(blocker.args)


def _wait_providers(qtbot: Any, desk: Desk, count: int) -> list[str]:
    qtbot.waitUntil(lambda: len(desk.provider_rows()) == count, timeout=10_000)
    return desk.provider_rows()


# ------------------------------------------------------------------------------ find


def test_finds_a_patient_by_the_clinic_id_and_shows_the_details(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    user = practice_server.state.create_user("MRN-0042")
    args = _wait_chosen(qtbot, desk, lambda: desk.find(qtbot, "MRN-0042"))
    assert args == [user["user_id"], "MRN-0042"]
    w = desk.window
    assert child(w, "patientDetails").isVisible()
    assert not child(w, "patientResultsList").isVisible()
    assert not child(w, "createPatientButton").isVisible()
    assert child(w, "patientClientIdLabel").text() == "MRN-0042"
    assert child(w, "patientUserIdLabel").text() == user["user_id"]
    assert child(w, "patientUserIdLabel").textInteractionFlags() & (
        Qt.TextInteractionFlag.TextSelectableByMouse
    )
    assert child(w, "patientCreatedLabel").text() == local_date(user["created_on"])
    qtbot.waitUntil(lambda: child(w, "noProvidersLabel").text() == "No provider connected yet.")
    qtbot.mouseClick(child(w, "copyUserIdButton"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == user["user_id"]


def test_finds_a_patient_by_the_vital_user_id(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    user = practice_server.state.create_user("MRN-0043")
    args = _wait_chosen(qtbot, desk, lambda: desk.find(qtbot, f"  {user['user_id'].upper()} "))
    assert args == [user["user_id"], "MRN-0043"]
    assert not desk.message()


def test_several_matches_are_listed_and_one_is_picked(
    qtbot: Any, desk: Desk, practice_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stand-in's search matches exactly, so no text names two of its patients; the
    # vendor's search is looser. Here the stand-in's search matches clinic-id prefixes.
    state = practice_server.state

    def prefix_search(query: str) -> list[dict[str, Any]]:
        return [u for u in state.users() if u["client_user_id"].startswith(query)]

    monkeypatch.setattr(state, "search", prefix_search)
    first = state.create_user("MRN-0100")
    second = state.create_user("MRN-0101")
    state.create_user("MRN-0200")
    chosen: list[tuple[str, str]] = []
    desk.controller.patient_chosen.connect(lambda uid, cid: chosen.append((uid, cid)))
    desk.find(qtbot, "MRN-01")
    results = child(desk.window, "patientResultsList")
    qtbot.waitUntil(results.isVisible, timeout=10_000)
    rows = [results.item(i).text() for i in range(results.count())]
    assert rows == [
        f"{user['client_user_id']} · {short_user_id(user['user_id'])} · created "
        f"{local_date(user['created_on'])}"
        for user in (first, second)
    ]
    assert not child(desk.window, "patientDetails").isVisible()
    assert not child(desk.window, "createPatientButton").isVisible()
    assert chosen == []  # the desk picks
    assert "2 patients match" in desk.message()

    rect = results.visualItemRect(results.item(1))
    args = _wait_chosen(
        qtbot,
        desk,
        lambda: qtbot.mouseClick(results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()),
    )
    assert args == [second["user_id"], "MRN-0101"]
    assert results.isVisible()  # still there, to pick the other one instead
    assert results.currentRow() == 1
    assert child(desk.window, "patientUserIdLabel").text() == second["user_id"]


# ---------------------------------------------------------------------------- create


def test_nothing_found_offers_to_create_then_creates_and_chooses(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    create = child(desk.window, "createPatientButton")
    assert not create.isVisible()
    desk.find(qtbot, ' "MRN-0777" ')  # pasted with quotes
    qtbot.waitUntil(create.isVisible, timeout=10_000)
    assert create.text() == f"Create patient 'MRN-0777' in {desk.connection.label}"
    assert "Sandbox" in create.text()
    assert not child(desk.window, "patientDetails").isVisible()
    args = _wait_chosen(qtbot, desk, lambda: qtbot.mouseClick(create, Qt.MouseButton.LeftButton))
    made = practice_server.state.resolve("MRN-0777")
    assert args == [made["user_id"], "MRN-0777"]
    assert not create.isVisible()
    assert child(desk.window, "patientDetails").isVisible()
    assert "created" in desk.message()
    assert not child(desk.window, "patientMessageLabel").property("problem")


def test_a_patient_created_meanwhile_is_chosen_not_an_error(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    create = child(desk.window, "createPatientButton")
    desk.find(qtbot, "MRN-0888")
    qtbot.waitUntil(create.isVisible, timeout=10_000)
    existing = practice_server.state.create_user("MRN-0888")  # a colleague was quicker
    args = _wait_chosen(qtbot, desk, lambda: qtbot.mouseClick(create, Qt.MouseButton.LeftButton))
    assert args == [existing["user_id"], "MRN-0888"]
    assert len(practice_server.state.users()) == 1
    assert "already existed" in desk.message()
    assert not child(desk.window, "patientMessageLabel").property("problem")


def test_a_vital_id_that_is_nobody_offers_no_create(qtbot: Any, desk: Desk) -> None:
    desk.find(qtbot, "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f")
    qtbot.waitUntil(lambda: bool(desk.message()), timeout=10_000)
    assert "No patient has the Vital user ID" in desk.message()
    assert not child(desk.window, "createPatientButton").isVisible()


# ------------------------------------------------------------------------- providers


def _choose(qtbot: Any, desk: Desk, client_user_id: str) -> str:
    user = desk.server.state.create_user(client_user_id)
    _wait_chosen(qtbot, desk, lambda: desk.find(qtbot, client_user_id))
    qtbot.waitUntil(lambda: _no_providers_said(desk), timeout=10_000)
    return str(user["user_id"])


def _no_providers_said(desk: Desk) -> bool:
    label = child(desk.window, "noProvidersLabel")
    return bool(label.isVisible() and label.text() == "No provider connected yet.")


def test_a_demo_connection_shows_among_the_connected_providers(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    user_id = _choose(qtbot, desk, "MRN-0042")
    combo = child(desk.window, "demoProviderCombo")
    assert child(desk.window, "demoConnectButton").isVisible()
    combo.setCurrentIndex(combo.findData("oura"))
    qtbot.mouseClick(child(desk.window, "demoConnectButton"), Qt.MouseButton.LeftButton)
    [row] = _wait_providers(qtbot, desk, 1)
    [made] = practice_server.state.connections(user_id)
    assert row == f"Oura · connected {_local_date_time(made['created_on'])}"
    assert practice_server.request_log.matching("POST", "/v2/link/connect/demo")


def _local_date_time(iso_text: str) -> str:
    from vital_desktop.qt.controllers.patient_controller import local_date_time

    return local_date_time(iso_text)


def test_a_provider_in_error_shows_the_staff_sentence(
    qtbot: Any, desk: Desk, practice_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vital_desktop.core.staff_words import connection_error_sentence

    user_id = _choose(qtbot, desk, "MRN-0042")
    state: Any = practice_server.state
    state.connect(user_id, "oura")
    state.connect(user_id, "fitbit")
    message = "Token <b>revoked</b>"
    if hasattr(state, "set_connection_error"):
        state.set_connection_error(user_id, "oura", "provider_credential_error", message)
    else:
        # The stand-in has no hook for an errored connection: its reply is amended here,
        # in the shape of the API description (status error with error_details).
        served = state.connections

        def with_error(uid: str) -> list[dict[str, Any]]:
            items = served(uid)
            for item in items:
                if item["slug"] == "oura":
                    item["status"] = "error"
                    item["error_details"] = {
                        "error_type": "provider_credential_error",
                        "error_message": message,
                        "errored_at": item["created_on"],
                    }
            return items

        monkeypatch.setattr(state, "connections", with_error)
    desk.controller.refresh_providers()  # what the window does when polling sees news
    rows = _wait_providers(qtbot, desk, 2)
    oura = next(row for row in rows if row.startswith("Oura"))
    fitbit = next(row for row in rows if row.startswith("Fitbit"))
    assert oura.startswith("Oura · connection error (connected ")
    assert oura.endswith(
        "\n" + connection_error_sentence("Oura", "provider_credential_error", message)
    )
    assert "<b>" not in oura
    assert fitbit.startswith("Fitbit · connected ") and "\n" not in fitbit
    providers = child(desk.window, "connectedProvidersList")
    item = next(providers.item(i) for i in range(2) if providers.item(i).text() == oura)
    assert item.foreground().color().name() != providers.palette().text().color().name()


def test_disconnect_asks_first_and_no_keeps_the_connection(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    user_id = _choose(qtbot, desk, "MRN-0042")
    practice_server.state.connect(user_id, "oura")
    desk.controller.refresh_providers()  # what the window does when polling sees it
    _wait_providers(qtbot, desk, 1)
    providers = child(desk.window, "connectedProvidersList")
    disconnect = child(desk.window, "disconnectButton")
    assert not disconnect.isEnabled()  # nothing selected yet
    providers.setCurrentRow(0)
    assert disconnect.isEnabled()

    desk.answer = False
    qtbot.mouseClick(disconnect, Qt.MouseButton.LeftButton)
    assert desk.questions == ["Disconnect Oura from patient MRN-0042?"]
    qtbot.wait(200)
    assert not practice_server.request_log.matching("DELETE", "/v2/user/{user_id}/{provider}")
    assert [c["slug"] for c in practice_server.state.connections(user_id)] == ["oura"]
    assert len(desk.provider_rows()) == 1

    desk.answer = True
    providers.setCurrentRow(0)
    qtbot.mouseClick(disconnect, Qt.MouseButton.LeftButton)
    assert len(desk.questions) == 2
    qtbot.waitUntil(lambda: _no_providers_said(desk), timeout=10_000)
    assert desk.provider_rows() == []
    assert practice_server.state.connections(user_id) == []
    assert "disconnected" in desk.message()


def test_the_helpers_are_never_offered_in_production(qtbot: Any, open_desk: DeskFactory) -> None:
    server = SandboxServer(host="127.0.0.1", port=0, environment=Environment.PRODUCTION)
    server.start()
    try:
        desk = open_desk(server)
        assert desk.connection.production and server.demo_key.startswith("pk_")
        user_id = _choose(qtbot, desk, "MRN-0042")
        server.state.connect(user_id, "oura")
        desk.controller.refresh_providers()
        _wait_providers(qtbot, desk, 1)
        for name in ("demoProviderCombo", "demoConnectButton", "disconnectButton"):
            assert not child(desk.window, name).isVisible()
        # Even asked directly, nothing is sent.
        desk.controller.demo_connect()
        child(desk.window, "connectedProvidersList").setCurrentRow(0)
        desk.answer = True
        desk.controller.disconnect_provider()
        qtbot.wait(200)
        assert desk.questions == []
        assert not server.request_log.matching("POST", "/v2/link/connect/demo")
        assert not server.request_log.matching("DELETE", "/v2/user/{user_id}/{provider}")
    finally:
        server.stop()


def test_demo_mode_offers_the_helpers(
    qtbot: Any, open_desk: DeskFactory, practice_server: SandboxServer
) -> None:
    desk = open_desk(practice_server, Mode.DEMO)
    assert desk.connection.mode is Mode.DEMO and desk.connection.ready
    _choose(qtbot, desk, "MRN-0042")
    assert child(desk.window, "demoConnectButton").isVisible()
    assert desk.questions == []


# --------------------------------------------------------------------- failures


def test_a_failed_search_says_one_sentence_and_the_panel_still_works(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    practice_server.state.create_user("MRN-0042")
    practice_server.faults.add("GET /v2/team/users/search=500")
    desk.find(qtbot, "MRN-0042")
    qtbot.waitUntil(lambda: bool(desk.message()), timeout=10_000)
    message = desk.message()
    assert child(desk.window, "patientMessageLabel").property("problem")
    assert "Traceback" not in message and "\n" not in message
    assert not desk.controller.busy
    assert not child(desk.window, "patientBusyLabel").isVisible()
    assert not child(desk.window, "patientDetails").isVisible()

    practice_server.faults.clear()
    _wait_chosen(qtbot, desk, lambda: desk.find(qtbot, "MRN-0042"))
    assert not desk.message()


def test_a_new_search_cancels_the_one_in_flight(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    practice_server.state.create_user("MRN-0001")
    second = practice_server.state.create_user("MRN-0002")
    practice_server.faults.add("GET /v2/team/users/search=slow=2,times=1")
    practice_server.faults.add("GET /v2/user/resolve/{client_user_id}=slow=2,times=1")
    chosen: list[tuple[str, str]] = []
    desk.controller.patient_chosen.connect(lambda uid, cid: chosen.append((uid, cid)))
    desk.find(qtbot, "MRN-0001")
    assert child(desk.window, "patientBusyLabel").isVisible()
    desk.find(qtbot, "MRN-0002")
    qtbot.waitUntil(lambda: bool(chosen), timeout=10_000)
    qtbot.wait(2300)  # longer than the first, slow answer would take
    assert chosen == [(second["user_id"], "MRN-0002")]
    assert child(desk.window, "patientClientIdLabel").text() == "MRN-0002"


def test_a_failed_demo_connection_says_so_and_the_buttons_come_back(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    _choose(qtbot, desk, "MRN-0042")
    practice_server.faults.add("POST /v2/link/connect/demo=500,times=1")
    button = child(desk.window, "demoConnectButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(desk.message()), timeout=10_000)
    assert child(desk.window, "patientMessageLabel").property("problem")
    assert "\n" not in desk.message()
    qtbot.waitUntil(button.isEnabled, timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _wait_providers(qtbot, desk, 1)


def test_another_connection_forgets_the_patient(
    qtbot: Any, desk: Desk, practice_server: SandboxServer
) -> None:
    _choose(qtbot, desk, "MRN-0042")
    desk.connection = _connection(practice_server, Mode.DEMO)
    desk.controller.connection_changed()
    assert not child(desk.window, "patientDetails").isVisible()
    assert desk.controller.chosen is None
    assert "connection changed" in desk.message()


def test_clear_forgets_the_patient(qtbot: Any, desk: Desk) -> None:
    _choose(qtbot, desk, "MRN-0042")
    desk.controller.clear()
    assert not child(desk.window, "patientDetails").isVisible()
    assert desk.controller.chosen is None
    assert not child(desk.window, "demoConnectButton").isVisible()


def test_server_text_is_never_html(qtbot: Any, desk: Desk) -> None:
    hostile = "MRN<b>0042</b><img src=x width=3000>9"
    desk.server.state.create_user(hostile)
    _wait_chosen(qtbot, desk, lambda: desk.find(qtbot, hostile))
    label = child(desk.window, "patientClientIdLabel")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text().replace("\u200b", "") == hostile
