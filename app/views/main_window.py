"""The main window: menus, toolbar, status bar and tabs. Features install themselves; this file only wires."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QToolBar, QWidget

from app import APP_NAME, settings
from app.context import AppContext
from app.models.registry_data import CameraSelection, RegistryData
from app.services.session import User, user_text
from app.store.db import StoreError
from app.views import dialogs as app_dialogs
from app.views.actions import MENUS, TOOLBAR, Action, create_actions
from app.views.features import BY_TAB, FEATURES, Feature, Features
from app.views.widgets.placeholder import PlaceholderPanel
from app.views.widgets.state import PreservedState
from app.views.wiring import wire_features

log = logging.getLogger(__name__)

IMPORTABLE_SUFFIXES = {".csv", ".geojson", ".json", ".kml"}

class MainWindow(QMainWindow):
    import_requested = Signal(Path)
    first_shown = Signal()
    preferences_changed = Signal()  # the Preferences dialog was accepted
    user_changed = Signal(object)  # the signed-in User, or None after signing out

    def __init__(self, ctx: AppContext, *, defer_features: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        # The session outlives a window (a store switch builds a new one): the listener goes with the window.
        remove_listener = ctx.session.on_user_changed(self._user_changed)
        self.destroyed.connect(lambda *_: remove_listener())
        self.setObjectName("main_window")
        self.setWindowTitle(f"{APP_NAME} — {ctx.title}")
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self.registry = RegistryData(self)
        self.camera_selection = CameraSelection(self)
        self.actions = create_actions(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main_tabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.tab_keys: list[str] = []
        self._first_shown = False
        self.closing: list[Callable[[], None]] = []
        self.restart_args: list[str] | None = None  # set to relaunch on another store after closing
        self.restore_on_exit: Path | None = None  # a backup to put in place of a damaged store after closing
        self._pending_imports: list[Path] = []
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_common_actions()
        self.features: Features = {}
        self._late_features: list[Feature] = []
        for feature in FEATURES:  # every tab's slot first, so tabs keep the table's order whatever installs when
            if feature.tab:
                self.add_tab(feature.tab, PlaceholderPanel(feature.title, feature.about, self, loading=True))
        for feature in FEATURES:
            if feature.early or not defer_features:
                self._install(feature)
            else:
                self._late_features.append(feature)
        self.restore_geometry()
        if not defer_features:
            wire_features(self)
            self.restore_state()

    @property
    def features_ready(self) -> bool:
        return not self._late_features

    def _install(self, feature: Feature) -> None:
        made = feature.installer()(self)
        if made is not None:
            cast(dict[str, object], self.features)[feature.key] = made

    def _install_late_features(self) -> None:
        late, self._late_features = self._late_features, []
        for feature in late:
            self._install(feature)
        wire_features(self)
        self.restore_state()

    # --- building -------------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {}
        for title, items in MENUS:
            menu = bar.addMenu(title)
            menu.setObjectName(f"menu_{title.replace('&', '').lower()}")
            self.menus[title.replace("&", "")] = menu
            for item in items:
                if item is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.actions[item])
            if not items:
                menu.addAction("Not built yet — see the tab of the same name").setEnabled(False)
            menu.setToolTipsVisible(True)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("main_toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for item in TOOLBAR:
            if item is None:
                bar.addSeparator()
            else:
                bar.addAction(self.actions[item])
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        user = self.ctx.session.user
        self.user_label = QLabel(user_text(user), self)
        self.user_label.setObjectName("status_user")
        self.user_label.setToolTip("Signed-in user and role")
        self.cursor_label = QLabel("", self)
        self.cursor_label.setObjectName("status_cursor")
        self.cursor_label.setToolTip("Latitude, longitude under the mouse on the map")
        self.cursor_label.setMinimumWidth(190)
        store_label = QLabel("Demo city" if self.ctx.demo else "", self)
        store_label.setToolTip(f"Data folder: {self.ctx.paths.data_dir}")
        status.addPermanentWidget(self.cursor_label)
        status.addPermanentWidget(store_label)
        status.addPermanentWidget(self.user_label)

    def _connect_common_actions(self) -> None:
        a = self.actions
        a[Action.QUIT].triggered.connect(self.close)
        a[Action.UNDO].triggered.connect(self.undo_stack.undo)
        a[Action.REDO].triggered.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(a[Action.UNDO].setEnabled)
        self.undo_stack.canRedoChanged.connect(a[Action.REDO].setEnabled)
        # The menu names what would be undone; the toolbar button keeps its short text (no jumping) and says it in
        # its tooltip.
        self.undo_stack.undoTextChanged.connect(lambda t: self._set_undo_text(a[Action.UNDO], "Undo", t))
        self.undo_stack.redoTextChanged.connect(lambda t: self._set_undo_text(a[Action.REDO], "Redo", t))
        a[Action.UNDO].setEnabled(False)
        a[Action.REDO].setEnabled(False)
        a[Action.FIND].triggered.connect(self.focus_filter)
        a[Action.FULL_SCREEN].toggled.connect(lambda on: self.showFullScreen() if on else self.showNormal())
        a[Action.KEYBOARD_SHORTCUTS].triggered.connect(lambda: app_dialogs.show_shortcuts(self))
        a[Action.ABOUT].triggered.connect(lambda: app_dialogs.show_about(self))
        a[Action.PREFERENCES].triggered.connect(lambda: app_dialogs.show_preferences(self))
        a[Action.HELP_CONTENTS].triggered.connect(lambda: app_dialogs.show_help(self))
        for feature in FEATURES:
            if feature.tab and feature.action:
                self.actions[feature.action].triggered.connect(lambda _=False, k=feature.tab: self.show_tab(k))

    @staticmethod
    def _set_undo_text(action: QAction, verb: str, what: str) -> None:
        action.setText(f"&{verb} {what}".strip())
        action.setToolTip(f"{verb} {what}".strip() if what else f"{verb} the last edit")

    # --- tabs ---------------------------------------------------------------------------------------------------
    def add_tab(self, key: str, widget: QWidget) -> None:
        """Add a feature's tab (title and tooltip from the feature table), or take over the slot held for it."""
        title, tip = BY_TAB[key].title, BY_TAB[key].about
        widget.setObjectName(widget.objectName() or f"tab_{key}")
        if key in self.tab_keys:
            index = self.tab_keys.index(key)
            old = self.tabs.widget(index)
            self.tabs.removeTab(index)
            old.deleteLater()
            index = self.tabs.insertTab(index, widget, title)
        else:
            index = self.tabs.addTab(widget, title)
            self.tab_keys.append(key)
        self.tabs.setTabToolTip(index, tip)

    def show_tab(self, key: str) -> QWidget | None:
        if key not in self.tab_keys:
            return None
        index = self.tab_keys.index(key)
        self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)

    def tab(self, key: str) -> QWidget | None:
        return self.tabs.widget(self.tab_keys.index(key)) if key in self.tab_keys else None

    def focus_filter(self) -> None:
        widget = self.tabs.currentWidget()
        focus = getattr(widget, "focus_filter", None)
        if callable(focus):
            focus()
        else:
            self.statusBar().showMessage("This view has no filter.", 3000)

    # --- import by drag and drop or command line --------------------------------------------------------------
    def queue_import(self, path: Path) -> None:
        """Ask the import feature to import a file, once the window is shown and every feature is installed."""
        self._pending_imports.append(path)
        if self._first_shown:
            QTimer.singleShot(0, self._flush_imports)

    def _flush_imports(self) -> None:
        paths, self._pending_imports = self._pending_imports, []
        for path in paths:
            self.import_requested.emit(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(Path(u.toLocalFile()).suffix.lower() in IMPORTABLE_SUFFIXES for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in IMPORTABLE_SUFFIXES:
                self.queue_import(path)
        event.acceptProposedAction()

    # --- the signed-in user ---------------------------------------------------------------------------------------
    def _user_changed(self, user: User | None) -> None:
        self.user_label.setText(user_text(user))
        self.user_changed.emit(user)

    # --- layout persistence ----------------------------------------------------------------------------------------
    def settings_group(self) -> str:
        """Window layout and the last tab are kept per store: opening the demo does not bring back another store's."""
        return settings.store_group(self.ctx.paths.data_dir, "main_window")

    def restore_geometry(self) -> None:
        self._state = PreservedState(self.settings_group(), geometry=self, state=self)
        if not self._state.restore_part("geometry"):
            self.resize(1280, 820)

    def restore_state(self) -> None:
        """Docks, toolbars and the current tab: after every feature has added its docks. A store opened for the
        first time opens on the Map."""
        self._state.restore_part("state")
        tab = str(QSettings().value(f"{self.settings_group()}/tab", "") or "")
        self.show_tab(tab if tab in self.tab_keys else "map")

    def save_layout(self) -> None:
        self._state.save()
        index = self.tabs.currentIndex()
        QSettings().setValue(f"{self.settings_group()}/tab", self.tab_keys[index] if 0 <= index < len(self.tab_keys)
                             else "")

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        # A timer started here fires before the first paint (measured: bench_startup.py), so first_shown waits
        # for paintEvent; this one only covers a window that is never painted (e.g. started minimised).
        QTimer.singleShot(1000, self, self._emit_first_shown)

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().paintEvent(event)
        if not self._first_shown:
            # Heavy work (pyqtgraph, data arrays) starts once this paint has been flushed to the screen.
            QTimer.singleShot(0, self, self._emit_first_shown)

    def _emit_first_shown(self) -> None:
        if not self._first_shown:
            self._first_shown = True
            if self._late_features:
                self._install_late_features()
            self.first_shown.emit()
            self._flush_imports()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_layout()
        for hook in self.closing:
            try:
                hook()
            except StoreError as exc:  # a store closed to writes still lets the window close (no traceback)
                log.warning("while closing: %s", exc)
        for timer in self.findChildren(QTimer):  # no feature's timer may fire on a store that is being closed
            timer.stop()
        super().closeEvent(event)

    def on_close(self, hook: Callable[[], None]) -> None:
        """Features register what to save (column widths, map view) when the window closes."""
        self.closing.append(hook)
