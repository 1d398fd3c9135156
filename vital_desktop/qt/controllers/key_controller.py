"""Remember the team API key in the keychain, per environment and region, when asked.

Behaviour of the connection panel's *Remember on this computer*, *Forget* and the line that
says where the key in use comes from:

- ``VITAL_API_KEY`` wins: while the field holds it, nothing is loaded over it.
- Otherwise the stored key of the chosen environment and region is loaded, at start and
  whenever the desk switches environment or region, provided the field is empty or holds
  the key that was itself loaded from the keychain (a typed key is never replaced).
- A key is saved only while the box is ticked: ticking it saves the valid key in the field,
  and a key typed or pasted while it is ticked is saved (Replace is one paste). Unticking
  removes the stored key the field holds: the box says whether the key is remembered.
- *Forget* removes the entry and clears the field in one click.
- When the store is unusable the box is disabled, the line says the key is kept for this
  session only, and nothing is written anywhere.

Keychain calls run on the GUI thread, and only on a person's action (start, an environment
switch, a tick, Forget, a pasted key): each is one local D-Bus (or OS) round trip of a few
milliseconds. The exception is a locked keychain, where the system's own unlock prompt
appears and the window waits for it, which is what the desk expects at that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from vital_desktop.core.connection import Mode
from vital_desktop.core.environments import (
    API_KEY_VARIABLE,
    Environment,
    KeyInfo,
    Region,
    clean_key,
    inspect_key,
)
from vital_desktop.core.errors import VitalError
from vital_desktop.core.keystore import KeyStore, mask
from vital_desktop.qt.widgets.connection_panel import ConnectionPanel

T = TypeVar("T")

SAVE_DELAY_MS = 400  # a key typed by hand is saved once the typing pauses


class KeyController(QObject):
    """Drives the panel's keychain widgets. ``trouble(str)``: a keychain failure sentence."""

    trouble = Signal(str)

    def __init__(
        self,
        panel: ConnectionPanel,
        store: KeyStore,
        environ: Mapping[str, str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else panel)
        self.panel = panel
        self.store = store
        self._environ_key = clean_key(environ.get(API_KEY_VARIABLE, ""))
        self._loaded = ""  # the key this controller put in the field from the keychain
        self._known: dict[KeyInfo, bool] = {}  # which entries are stored, as last seen
        self._where = self._choice()
        self._problem = ""
        self._note = ""
        self._quiet = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.on_save_timer_timeout)
        panel.changed.connect(self.on_panel_changed)
        panel.api_key_edit.textEdited.connect(self.on_api_key_edit_text_edited)
        panel.api_key_edit.editingFinished.connect(self.on_api_key_edit_editing_finished)
        panel.remember_key_check.clicked.connect(self.on_remember_key_check_clicked)
        panel.forget_key_button.clicked.connect(self.on_forget_key_button_clicked)
        if not store.usable:
            panel.remember_key_check.setToolTip(store.why_unusable or "")
        self._show()

    # ------------------------------------------------------------------ start

    def start(self, *, pick_stored: bool = True) -> None:
        """Load the stored key for the chosen environment unless ``VITAL_API_KEY`` is set.

        In demo mode (no key configured) with ``pick_stored``, the only stored key, if
        exactly one is stored, is put in the field and picks its environment.
        """
        self._where = self._choice()
        if self._environ_key or not self.store.usable:
            self._show()
            return
        mode = self.panel.mode()
        if mode in (Mode.SANDBOX, Mode.PRODUCTION):
            self._load_for_choice()
        elif mode is Mode.DEMO and pick_stored:
            stored = self._guard(self.store.stored) or []
            for info in (KeyInfo(e, r) for e in Environment for r in Region):
                self._known[info] = info in stored
            if len(stored) == 1:
                key = self._guard(lambda: self.store.load(stored[0].environment, stored[0].region))
                if key:
                    self._put(key)
        self._show()

    # ---------------------------------------------------------------- queries

    def source(self) -> str:
        """Where the key in the field comes from: ``environment``, ``keychain``, ``session``,
        or ``""`` for an empty field."""
        text = clean_key(self.panel.api_key_edit.text())
        if not text:
            return ""
        if self._environ_key and text == self._environ_key:
            return "environment"
        if self._loaded and text == self._loaded:
            return "keychain"
        return "session"

    def _choice(self) -> tuple[Mode, Region]:
        return self.panel.mode(), Region(self.panel.region_combo.currentData())

    def _field_info(self) -> KeyInfo | None:
        try:
            return inspect_key(self.panel.api_key_edit.text())
        except VitalError:
            return None

    def _entry(self) -> KeyInfo | None:
        """The entry Forget would remove: the field key's, else the chosen environment's."""
        info = self._field_info()
        if info is not None:
            return info
        mode, region = self._choice()
        if mode in (Mode.SANDBOX, Mode.PRODUCTION):
            return KeyInfo(Environment(mode.value), region)
        return None

    # ---------------------------------------------------------------- actions

    def _guard(self, call: Callable[[], T]) -> T | None:
        """Run a keychain call; a failure becomes the one sentence shown (and ``trouble``)."""
        try:
            return call()
        except VitalError as error:
            self._problem = error.message
            self.trouble.emit(error.message)
            return None

    def _put(self, key: str) -> None:
        """Fill the field with a key from the keychain, without reacting to it as an edit."""
        self._quiet = True
        try:
            self._loaded = key
            self.panel.set_api_key(key)
            self.panel.refresh()
        finally:
            self._quiet = False
        self._where = self._choice()
        self._set_checked(True)

    def _clear_field(self) -> None:
        self._quiet = True
        try:
            self.panel.api_key_edit.clear()
            self.panel.refresh()
        finally:
            self._quiet = False
        self._where = self._choice()

    def _load_for_choice(self) -> None:
        mode, region = self._choice()
        if mode not in (Mode.SANDBOX, Mode.PRODUCTION) or not self.store.usable:
            return
        info = KeyInfo(Environment(mode.value), region)
        key = self._guard(lambda: self.store.load(info.environment, info.region))
        self._known[info] = bool(key)
        source = self.source()
        if source in ("", "keychain"):
            if key:
                self._put(key)
            elif source == "keychain":
                self._loaded = ""
                self._clear_field()

    def _save(self) -> None:
        self._save_timer.stop()
        box = self.panel.remember_key_check
        if not (self.store.usable and box.isEnabled() and box.isChecked()):
            return
        if self.source() not in ("session", "environment"):
            return
        key = clean_key(self.panel.api_key_edit.text())
        if self._field_info() is None:
            return
        info = self._guard(lambda: self.store.save(key))
        if info is not None:
            self._loaded = key
            self._known[info] = True
            self._problem = ""
        self._show()

    def _set_checked(self, checked: bool) -> None:
        box = self.panel.remember_key_check
        box.blockSignals(True)
        box.setChecked(checked and self.store.usable)
        box.blockSignals(False)

    def _show(self) -> None:
        """Enable the widgets and say where the key comes from."""
        panel = self.panel
        usable = self.store.usable
        standard_or_custom = panel.mode() is not Mode.DEMO
        panel.remember_key_check.setEnabled(usable and standard_or_custom)
        if not usable:
            self._set_checked(False)
        entry = self._entry()
        stored = entry is not None and self._known.get(entry, False)
        panel.forget_key_button.setEnabled(usable and standard_or_custom and stored)
        source = self.source()
        masked = mask(panel.api_key_edit.text())
        if source == "environment":
            text = self.tr("Using {key} from {variable}").format(
                key=masked, variable=API_KEY_VARIABLE
            )
        elif self._problem:
            text = self._problem
        elif not usable:
            text = self.store.why_unusable or ""
        elif source == "keychain":
            text = self.tr("Using {key} from the keychain").format(key=masked)
        elif source == "session":
            text = self.tr("Using {key} for this session only").format(key=masked)
        else:
            text = self._note
        panel.show_key_source(text)

    # ------------------------------------------------------------------ slots

    @Slot()
    def on_panel_changed(self) -> None:
        if self._quiet:
            return
        where = self._choice()
        if where != self._where:
            self._where = where
            self._note = ""
            if self.source() != "environment":
                self._problem = ""
                self._load_for_choice()
        self._show()

    @Slot(str)
    def on_api_key_edit_text_edited(self, _text: str) -> None:
        self._problem = ""
        self._note = ""
        box = self.panel.remember_key_check
        if box.isChecked() and self._field_info() is not None and self.source() == "session":
            self._save_timer.start()  # a paste lands in one edit; typing restarts the wait
        else:
            self._save_timer.stop()
        self._show()

    @Slot()
    def on_api_key_edit_editing_finished(self) -> None:
        if self._save_timer.isActive():
            self._save()

    @Slot()
    def on_save_timer_timeout(self) -> None:
        self._save()

    @Slot(bool)
    def on_remember_key_check_clicked(self, checked: bool) -> None:
        self._problem = ""
        if checked:
            self._save()
        elif self.source() == "keychain":
            info = self._field_info()
            if (
                info is not None
                and self._guard(lambda: self.store.forget(info.environment, info.region))
                is not None
            ):
                self._loaded = ""
                self._known[info] = False
        self._show()

    @Slot()
    def on_forget_key_button_clicked(self) -> None:
        self._save_timer.stop()
        self._problem = ""
        entry = self._entry()
        if entry is None:
            return
        removed = self._guard(lambda: self.store.forget(entry.environment, entry.region))
        if removed is None:
            self._show()
            return
        self._known[entry] = False
        self._loaded = ""
        self._set_checked(False)
        if self.source() != "environment":
            self._clear_field()
        self._note = self.tr("The {entry} key was removed from this computer's keychain.").format(
            entry=entry.label
        )
        self._show()
