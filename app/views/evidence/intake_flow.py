"""Attaching footage to a shared answer: the file dialog or a drop, a clear warning for files that are not media,
the recorder's clock, then a job that copies and hashes each file off the GUI thread with progress and Cancel."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.services.evidence import intake
from app.services.session import PermissionDenied
from app.store.db import connect
from app.views.evidence import dialogs
from app.views.evidence.dialogs import ClockOffsetDialog
from app.views.widgets import files
from app.workers.jobs import JobControl, run_job

if TYPE_CHECKING:
    from app.views.evidence.tab import EvidenceTab

FILTERS = ("Video files (*.mp4 *.mov *.m4v *.avi *.mkv *.webm *.ts *.mts *.m2ts *.3gp *.wmv *.flv *.h264 *.264 "
           "*.dav *.asf);;Audio files (*.wav *.mp3 *.m4a *.aac *.ogg *.flac);;Images (*.png *.jpg *.jpeg);;"
           "All files (*)")


@dataclass
class BatchResult:
    results: list[intake.IntakeResult] = field(default_factory=list)
    cancelled: bool = False


class EvidenceIntake:
    def __init__(self, tab: EvidenceTab) -> None:
        self.tab = tab
        self.job = None

    def attach_from_dialog(self) -> None:
        recipient = self.tab.current_recipient()
        if recipient is None:
            self.tab.report(QMessageBox.Icon.Information, "Attach Footage",
                            "Choose a request and one of its “shared” answers first: footage is attached to the "
                            "answer of the owner who shared it.")
            return
        paths = files.choose_open_files(self.tab, "Attach Footage", FILTERS, "evidence_intake")
        if paths:
            self.attach_paths(recipient, paths)

    def attach_paths(self, recipient_id: int, paths: list[Path]) -> None:
        tab = self.tab
        try:
            user, request_id = intake.check_intake(tab.session, recipient_id)
        except (PermissionDenied, intake.IntakeError) as exc:
            tab.report(QMessageBox.Icon.Warning, "Cannot attach footage", str(exc))
            return
        missing = [p for p in paths if not p.is_file()]
        if missing:
            tab.report(QMessageBox.Icon.Warning, "Cannot attach footage",
                       "These are not files (folders cannot be attached):\n" + "\n".join(map(str, missing)))
            return
        odd = intake.not_media(paths)
        if odd:
            names = "\n".join(f"  {p.name}" for p in odd[:10]) + ("\n  …" if len(odd) > 10 else "")
            answer = QMessageBox.warning(
                tab, "Not video, audio or images",
                f"{len(odd)} of the {len(paths)} file(s) are not video, audio or images:\n{names}\n\nFootage should "
                "be the recorder's own files. Attach these anyway, as plain files (hashed and kept like footage, "
                "but not playable)?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                paths = [p for p in paths if p not in odd]
                if not paths:
                    tab.window_.statusBar().showMessage("Nothing attached.", 5000)
                    return
        accept_odd = bool(odd) and any(p in odd for p in paths)
        dialog = ClockOffsetDialog(tab, len(paths), sum(p in odd for p in paths))
        if not dialogs.exec_dialog(dialog):
            return
        offset = dialog.offset()
        self.run(paths, user, request_id, recipient_id, offset, accept_odd)

    def run(self, paths: list[Path], user, request_id: int, recipient_id: int,  # noqa: ANN001
            offset: intake.ClockOffset, accept_non_media: bool) -> None:
        tab = self.tab
        db_path, evidence_dir = tab.window_.ctx.paths.db_path, tab.evidence_dir
        sizes = [p.stat().st_size for p in paths]
        total = sum(sizes) or 1

        def work(control: JobControl) -> BatchResult:
            out = BatchResult()
            conn = connect(db_path)
            try:
                base = 0
                for path, size in zip(paths, sizes, strict=True):
                    def progress(done: int, _t: int, base: int = base) -> None:
                        control.progress(base + done, total)

                    out.results.append(intake.intake_file(conn, evidence_dir, path, user, request_id, recipient_id,
                                                          offset, accept_non_media, progress, control.check))
                    base += size
                    control.progress(base, total)
            finally:
                conn.close()
            return out

        def done(batch: BatchResult) -> None:
            self.job = None
            stored = [r for r in batch.results if not r.linked]
            linked = [r for r in batch.results if r.linked]
            lines = [f"{len(stored)} file(s) stored and {len(linked)} linked (already in the store)."]
            lines += [f"  item {r.item_id}: {r.original_name} — SHA-256 {r.sha256[:16]}…"
                      + (" (linked)" if r.linked else "") for r in batch.results]
            tab.reload()
            tab.refresh_items(select=batch.results[-1].item_id if batch.results else None)
            tab.evidence_changed.emit()
            tab.report(QMessageBox.Icon.Information, "Footage attached", "\n".join(lines),
                       "\n".join(f"item {r.item_id}: {r.original_name}\nSHA-256 {r.sha256}\n{r.size_bytes:,} bytes"
                                 for r in batch.results))

        def failed(message: str, _tb: str) -> None:
            self.job = None
            tab.reload()
            tab.report(QMessageBox.Icon.Critical, "Attaching footage failed",
                       f"{message}\n\nThe file being copied was not recorded and nothing of it was kept; files "
                       "attached before it in this batch are complete and recorded.")

        def cancelled() -> None:
            self.job = None
            tab.reload()
            tab.window_.statusBar().showMessage("Cancelled: the file being copied was not kept; files finished "
                                                "before it are recorded.", 8000)

        self.job = run_job(tab.window_, f"Copying and hashing {len(paths)} file(s) into the evidence store…", work,
                           done, failed, cancelled)
