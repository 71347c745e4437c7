"""Insights ▸ Users: an administrator adds users, changes roles, deactivates and resets passwords.

Every button calls app.services.accountability.auth, which checks MANAGE_USERS and audits the change; this dialog
only shows the outcome. Users are deactivated, never deleted, because the audit log names them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import timefmt
from app.core.records import Role, UserRecord
from app.services.accountability import auth
from app.services.session import PermissionDenied, Session

ROLE_TIPS = {
    Role.ANALYST: "Registry, footage requests and the evidence of their own requests",
    Role.SUPERVISOR: "Approves requests (not their own), overrides policy with a reason, changes limits, legal holds",
    Role.AUDITOR: "Read-only: audit log, public log, transparency report; no personal data",
    Role.ADMIN: "Users and settings",
}


def _role_combo(parent: QWidget, name: str) -> QComboBox:
    box = QComboBox(parent)
    box.setObjectName(name)
    for i, role in enumerate(Role):
        box.addItem(role.value.capitalize(), role.value)
        box.setItemData(i, ROLE_TIPS[role], Qt.ItemDataRole.ToolTipRole)
    box.setToolTip("What this user may do: hover over a role for its rights")
    return box


def _password(parent: QWidget, name: str, tip: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setToolTip(tip)
    return edit


class UsersDialog(QDialog):
    COLUMNS = ["Name", "Role", "Status", "Created"]

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.users: list[UserRecord] = []
        self.setObjectName("users_dialog")
        self.setWindowTitle("Users")
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)

        selected = QGroupBox("Selected user", self)
        self.role_box = _role_combo(selected, "users_role")
        self.apply_role_button = QPushButton("Change &Role", selected)
        self.apply_role_button.setObjectName("users_apply_role")
        self.apply_role_button.setToolTip("Give the selected user the chosen role (audited)")
        self.active_button = QPushButton("&Deactivate", selected)
        self.active_button.setObjectName("users_toggle_active")
        self.active_button.setToolTip("A deactivated user cannot sign in; their entries stay in the audit log")
        self.reset_edit = _password(selected, "users_reset_password", f"At least {auth.MIN_PASSWORD_LEN} characters")
        self.reset_repeat = _password(selected, "users_reset_repeat", "The same password again")
        self.reset_button = QPushButton("Reset &Password", selected)
        self.reset_button.setObjectName("users_reset")
        self.reset_button.setToolTip("Set a new password for the selected user (audited; the password is not)")
        sel_form = QFormLayout(selected)
        role_row = QHBoxLayout()
        role_row.addWidget(self.role_box, 1)
        role_row.addWidget(self.apply_role_button)
        sel_form.addRow("Role:", role_row)
        sel_form.addRow("", self.active_button)
        sel_form.addRow("New password:", self.reset_edit)
        sel_form.addRow("Repeat:", self.reset_repeat)
        sel_form.addRow("", self.reset_button)

        add = QGroupBox("Add a user", self)
        self.add_name = QLineEdit(add)
        self.add_name.setObjectName("users_add_name")
        self.add_name.setToolTip("A unique user name")
        self.add_role = _role_combo(add, "users_add_role")
        self.add_password = _password(add, "users_add_password", f"At least {auth.MIN_PASSWORD_LEN} characters")
        self.add_repeat = _password(add, "users_add_repeat", "The same password again")
        self.add_button = QPushButton("&Add User", add)
        self.add_button.setObjectName("users_add")
        add_form = QFormLayout(add)
        add_form.addRow("&Name:", self.add_name)
        add_form.addRow("Role:", self.add_role)
        add_form.addRow("Password:", self.add_password)
        add_form.addRow("Repeat:", self.add_repeat)
        add_form.addRow("", self.add_button)

        self.message = QLabel("", self)
        self.message.setObjectName("users_message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(selected)
        side.addWidget(add)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(860, 460)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.apply_role_button.clicked.connect(self.apply_role)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        self.add_button.clicked.connect(self.add_user)
        self.reload()

    # --- data -----------------------------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        """Raises PermissionDenied for anyone but an administrator (checked in the service)."""
        current = select_id if select_id is not None else self.selected_id()
        self.users = auth.list_users(self.session)
        self.table.clearSelection()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            cells = [user.name, user.role.value.capitalize(), "active" if user.active else "deactivated",
                     timefmt.short(user.created_at)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                if not user.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, col, item)
            if user.id == current or (current is None and row == 0):
                self.table.selectRow(row)
        self._selection_changed()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.users[rows[0].row()].id if rows else None

    def select_user(self, name: str) -> None:
        for row, user in enumerate(self.users):
            if user.name.lower() == name.lower():
                self.table.selectRow(row)
                return

    def _selected(self) -> UserRecord | None:
        uid = self.selected_id()
        return next((u for u in self.users if u.id == uid), None)

    def _selection_changed(self) -> None:
        user = self._selected()
        for w in (self.role_box, self.apply_role_button, self.active_button, self.reset_edit, self.reset_repeat,
                  self.reset_button):
            w.setEnabled(user is not None)
        if user is not None:
            self.role_box.setCurrentIndex(self.role_box.findData(user.role.value))
            self.active_button.setText("&Deactivate" if user.active else "Re&activate")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def _run(self, fn, done: str) -> bool:  # noqa: ANN001 - a closure over the service call
        try:
            fn()
        except (auth.AuthError, PermissionDenied) as exc:
            self._say(str(exc), error=True)
            return False
        self._say(done)
        self.reload()
        return True

    # --- acts -----------------------------------------------------------------------------------------------------
    def apply_role(self) -> None:
        user = self._selected()
        if user is None:
            return
        role = Role(self.role_box.currentData())
        self._run(lambda: auth.change_role(self.session, user.id, role), f"{user.name} is now {role.value}.")

    def toggle_active(self) -> None:
        user = self._selected()
        if user is None:
            return
        self._run(lambda: auth.set_active(self.session, user.id, not user.active),
                  f"{user.name} is {'deactivated' if user.active else 'active again'}.")

    def reset_password(self) -> None:
        user = self._selected()
        if user is None:
            return
        if self.reset_edit.text() != self.reset_repeat.text():
            self._say("The two passwords differ. Type the same password twice.", error=True)
            return
        if self._run(lambda: auth.reset_password(self.session, user.id, self.reset_edit.text()),
                     f"{user.name}'s password was reset. Tell them the new one in person."):
            self.reset_edit.clear()
            self.reset_repeat.clear()

    def add_user(self) -> None:
        if self.add_password.text() != self.add_repeat.text():
            self._say("The two passwords differ. Type the same password twice.", error=True)
            return
        name = self.add_name.text()
        role = Role(self.add_role.currentData())
        if self._run(lambda: auth.add_user(self.session, name, role, self.add_password.text()),
                     f"Added {name.strip()} ({role.value})."):
            for edit in (self.add_name, self.add_password, self.add_repeat):
                edit.clear()
            self.select_user(name.strip())
