"""Typed errors. Every error names the file and the place (line or JSON pointer)."""

from __future__ import annotations


class TrustguardError(Exception):
    """Base class of every error trustguard raises on bad input or bad usage."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None) -> None:
        self.message = message
        self.file = file
        self.place = place
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.place:
                where += f":{self.place}" if self.place[:1].isdigit() else f" at {self.place}"
            where += ": "
        elif self.place:
            where = f"at {self.place}: "
        return f"{where}{self.message}"


class InputError(TrustguardError):
    """An input document cannot be read, parsed or resolved."""


class ConfigError(TrustguardError):
    """The configuration file or an option is invalid. ``place`` is the JSON pointer of the
    key; ``line`` its line in the file, when known (then the message shows the line)."""

    def __init__(self, message: str, *, file: str | None = None, place: str | None = None,
                 line: int | None = None) -> None:
        self.line = line
        super().__init__(message, file=file, place=place)

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        return super().__str__()


class RulePackError(TrustguardError):
    """A rule pack does not validate against the rule pack schema."""
