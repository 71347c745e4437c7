"""Help ▸ User Guide: the offline guide shipped in app/resources/guide/, in a window of its own.

One guide window per main window, not modal, so it can stay open beside the dialog it explains; context help
buttons (the request dialog, the import preview) open it at their own section with open_guide(widget, "import").
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.resources_path import resource

GUIDE = "guide/index.html"
SECTIONS = ("flow", "roles", "limits", "request-dialog", "answers", "import", "map", "audit", "times", "cli")


def guide_url(section: str = "") -> QUrl:
    url = QUrl.fromLocalFile(str(resource(GUIDE)))
    if section:
        url.setFragment(section)
    return url


class UserGuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("user_guide")
        self.setWindowTitle("Canvass User Guide")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("user_guide_browser")
        self.browser.setOpenExternalLinks(True)
        self.browser.setSource(guide_url())
        back = QPushButton("Back", self)
        back.setToolTip("Back to the previous section (Alt+Left)")
        back.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(back.setEnabled)
        back.setEnabled(False)
        contents = QPushButton("Contents", self)
        contents.setToolTip("The top of the guide")
        contents.clicked.connect(lambda: self.show_section(""))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Back), self, self.browser.backward)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        row = QHBoxLayout()
        row.addWidget(back)
        row.addWidget(contents)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addLayout(row)
        self.resize(760, 640)

    def show_section(self, section: str = "") -> None:
        self.browser.setSource(guide_url(section))
        if section:
            self.browser.scrollToAnchor(section)
        else:
            self.browser.verticalScrollBar().setValue(0)

    def section(self) -> str:
        return self.browser.source().fragment()


def open_guide(widget: QWidget | None, section: str = "") -> UserGuideDialog:
    """Show the guide (one per top-level window, reused) at a section; returns the guide window."""
    owner = widget.window() if widget is not None else QApplication.activeWindow()
    # A dialog's own guide belongs to the main window behind it, so it outlives the dialog.
    while owner is not None and isinstance(owner, QDialog) and owner.parentWidget() is not None:
        owner = owner.parentWidget().window()
    guide = owner.findChild(UserGuideDialog, "user_guide") if owner is not None else None
    if guide is None:
        guide = UserGuideDialog(owner)
    guide.show_section(section)
    guide.show()
    if QGuiApplication.platformName() != "offscreen":  # it has no window stacking (and warns on raise)
        guide.raise_()
    guide.activateWindow()
    return guide


def help_button(parent: QWidget, section: str, what: str) -> QToolButton:
    """A "?" button that opens the guide at a section, for a dialog's button row."""
    button = QToolButton(parent)
    button.setObjectName(f"help_{section}")
    button.setText("?")
    button.setToolTip(f"Help: {what} (opens the User Guide, F1)")
    button.setAccessibleName(f"Help on {what}")
    button.clicked.connect(lambda: open_guide(parent, section))
    QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), parent, lambda: open_guide(parent, section))
    return button
