"""Malformed lines of many files: counted per file, per reason, with their line numbers."""

from __future__ import annotations

from ..files import RowProblems


class FileProblems(RowProblems):
    """The problems of every file one ``--usage`` names; ``add`` goes to the current file.

    A :class:`RowProblems` for what reads it (the total, one summary), and each file's own
    line numbers stay with that file's name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.files: dict[str, RowProblems] = {}
        self.current = self._file(name)

    def _file(self, name: str) -> RowProblems:
        return self.files.setdefault(name, RowProblems(name))

    def switch(self, name: str) -> None:
        self.current = self._file(name)

    def add(self, line: int, reason: str) -> None:
        super().add(line, reason)
        self.current.add(line, reason)

    def summary(self, what: str = "line") -> str | None:
        parts = [s for p in self.files.values() if (s := p.summary(what))]
        return "; ".join(parts) or None
