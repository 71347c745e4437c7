"""Keyboard access: every Alt+letter on a tab reaches one button (or one labelled field). A button whose mnemonic is
also a menu's (Alt+E for "&Edit…" and the Edit menu), or another visible button's on the same page, is ambiguous:
Qt then only moves the focus between them, and the button is not pressed by its letter."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtWidgets import QAbstractButton, QLabel, QTabWidget, QWidget

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    m = _MNEMONIC.search(text.replace("&&", ""))
    return m.group(1).lower() if m else None


def _pages(window: QWidget, page: QWidget, name: str) -> Iterator[str]:
    """Show every combination of the page's own tab widgets in turn (one level), yielding a name for each."""
    inner = [t for t in page.findChildren(QTabWidget) if t.isVisibleTo(window)]
    if not inner:
        yield name
        return
    for tabs in inner:
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            yield f"{name} ▸ {tabs.tabText(i).replace('&', '')}"


def test_no_alt_letter_is_taken_twice_on_any_tab_or_by_the_menus(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    menus: dict[str, str] = {}
    clashes = []
    for action in window.menuBar().actions():
        key = mnemonic(action.text())
        if key is not None:
            if key in menus:
                clashes.append(f"menus {menus[key]!r} and {action.text()!r}")
            menus.setdefault(key, action.text())
    main = window.tabs
    assert main is not None and main.count() >= 6
    for index in range(main.count()):
        main.setCurrentIndex(index)
        page = main.widget(index)
        for where in _pages(window, page, main.tabText(index).replace("&", "")):
            seen: dict[str, str] = {}
            # buttons, and labels that move the focus to their buddy field: both take an Alt+letter
            takers = [*page.findChildren(QAbstractButton),
                      *(label for label in page.findChildren(QLabel) if label.buddy() is not None)]
            for button in takers:
                key = mnemonic(button.text())
                if key is None or not button.isVisibleTo(window):
                    continue
                if key in menus:
                    clashes.append(f"{where}: {button.text()!r} and the {menus[key]!r} menu")
                elif key in seen:
                    clashes.append(f"{where}: {button.text()!r} and {seen[key]!r}")
                seen.setdefault(key, button.text())
    assert clashes == [], "\n".join(clashes)
