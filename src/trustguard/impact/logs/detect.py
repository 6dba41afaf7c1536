"""Which log format a file holds, told from its first lines (``--usage-format`` forces one)."""

from __future__ import annotations

import json

from ...errors import InputError
from . import alb, clf, har, otlp

#: every format, as --usage-format spells it
FORMATS = ("jsonl", "csv", "combined", "common", "alb", "cloudfront", "har", "otlp")
DESCRIBED = (
    "JSON lines (trustguard usage lines, nginx or Envoy JSON access logs), CSV with a "
    "method,path,customer header, Apache/nginx common or combined log lines, AWS ALB or "
    "CloudFront access logs, a HAR file, or OTLP JSON spans"
)


def detect(head: bytes, name: str) -> str:
    """The format of a file from its first bytes (decompressed)."""
    if b"\x00" in head:
        raise InputError("the file is binary, not text (it contains NUL bytes)", file=name)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if har.START.match(head):
        return "har"
    if otlp.START.match(head):
        return "otlp"
    lines = [line for line in head.split(b"\n")[:-1] or head.split(b"\n") if line.strip()]
    if not lines:
        raise InputError("the usage file holds no usage line", file=name)
    # Told by the first line that some format reads, among the first few: a log whose
    # first line was cut short (rotated mid-write) or is garbage is still that log, and
    # the reader then counts the lines before it as malformed, at their numbers. A CSV
    # is told only by a header on the first line.
    first = lines[0].decode("utf-8", "replace").rstrip("\r")
    if "," in first and "method" in first.lower() and not first.lstrip().startswith("{"):
        if _line_format(first) is None:
            return "csv"
    for line in lines[:_LOOK_AHEAD]:
        found = _line_format(line.decode("utf-8", "replace").rstrip("\r"))
        if found is not None:
            return found
    raise InputError(
        f"cannot tell the usage format from its first {min(len(lines), _LOOK_AHEAD)} line(s); expected {DESCRIBED} "
        f"(or force one with --usage-format {'|'.join(FORMATS)})",
        file=name, place="1",
    )


#: how many lines may precede the first one a format reads
_LOOK_AHEAD = 20


def _line_format(text: str) -> str | None:
    """The format one line is written in, or None when it fits none."""
    if text.startswith(("#Version:", "#Fields:")):
        return "cloudfront"
    if text.lstrip().startswith("{"):
        try:
            row = json.loads(text)
        except ValueError:
            row = None
        if isinstance(row, dict):
            return "otlp" if "resourceSpans" in row else "jsonl"
    if alb.START.match(text):
        return "alb"
    found = clf.LINE.match(text)
    if found is not None:
        return "combined" if found.group(8).startswith(' "') else "common"
    if text.count("\t") >= 8:  # a CloudFront log whose header lines were stripped
        return "cloudfront"
    return None
