"""The camera validator's "one camera per direction" option (app.io.validate): a row whose heading lists several
directions becomes one row per direction before it is validated."""

from __future__ import annotations

from typing import Any

from app.io.mapping import Plan
from app.io.source import Chunk
from app.io.values import is_empty, show, split_directions


class DirectionSplitter:
    """Splits the rows of chunk after chunk, counting the rows split and the cameras they became."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rows = 0
        self.cameras = 0

    def split(self, chunk: Chunk, notes: dict[int, str]) -> Chunk:
        """One row per direction for rows whose heading lists several ('0;90;180'); the copies keep the line and
        get the id suffixed '#1', '#2', … (so they are not duplicates of each other)."""
        heading = self.plan.fields.get("heading_deg") or []
        ids = self.plan.fields.get("external_id") or []
        rows, lines, problems, blank, features = [], [], {}, set(), []
        changed = False
        for i, row in enumerate(chunk.rows):
            value = next((row[j] for j in heading if not is_empty(row[j])), None)
            parts = split_directions(value) if i not in chunk.problems else None
            copies: list[list[Any]] = []
            if parts:
                changed = True
                self.rows += 1
                self.cameras += len(parts)
                for k, part in enumerate(parts):
                    copy = list(row)
                    for j in heading:
                        copy[j] = ""
                    copy[heading[0]] = part
                    for j in ids[:1]:
                        if not is_empty(copy[j]):
                            copy[j] = f"{str(copy[j]).strip()}#{k + 1}"
                    copies.append(copy)
            else:
                copies.append(list(row) if chunk.columns is not None else row)
            for k, copy in enumerate(copies):
                new = len(rows)
                rows.append(copy)
                lines.append(chunk.line(i))
                if chunk.features is not None:
                    features.append(chunk.features[i])
                if i in chunk.problems:
                    problems[new] = chunk.problems[i]
                if i in chunk.blank:
                    blank.add(new)
                if parts:
                    notes[new] = f"direction {show(value)} split: camera {k + 1} of {len(parts)}"
        if not changed:
            return chunk
        return Chunk(rows, lines[0] if lines else chunk.first_line, lines, problems,
                     features if chunk.features is not None else None, blank)
