"""NCSA common and combined log format: Apache ``mod_log_config`` and nginx.

``LogFormat "%h %l %u %t \\"%r\\" %>s %b" common`` and ``... \\"%{Referer}i\\"
\\"%{User-agent}i\\"" combined`` (Apache); nginx's ``combined`` is the same line:
``$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
"$http_referer" "$http_user_agent"``. Fields a site appends after these (a logged API
key header, a request id) are ``field:1``, ``field:2``, ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .pick import CustomerFrom, query_value, unavailable

# host ident user [time] "request" status bytes, then the rest (referer, agent, extras);
# inside quotes Apache escapes '"' as \" and nginx as \x22, so \\. is taken whole
LINE = re.compile(
    r'^(\S+) (\S+) (\S+) \[([^\]]*)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(.*)$'
)
_EXTRA = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))')
REQUEST = re.compile(r"^([A-Za-z]+) (\S+)(?: HTTP/[0-9.]+)?$")
OFFERS = "user, query:NAME or field:N (the N-th field after the agent of a combined line, from 1)"


def extras(rest: str) -> list[str]:
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _EXTRA.finditer(rest)]


def check_pick(pick: CustomerFrom | None, name: str) -> None:
    if pick is None:
        return
    if pick.kind == "header":
        raise unavailable(pick, "a common/combined log line", OFFERS + "; log the header as an extra field", name)
    if pick.kind == "field" and not (pick.name.isdigit() and int(pick.name) >= 1):
        raise InputError(f"--customer-from {pick}: a combined log line's fields are numbered ({OFFERS})", file=name)


def rows(lines: Iterator[tuple[int, str]], pick: CustomerFrom | None, bad: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in lines:
        found = LINE.match(text.rstrip("\r\n"))
        if found is None:
            bad(number, "not a common/combined log line")
            continue
        _, _, user, _, request, status, _, rest = found.groups()
        req = REQUEST.match(request)
        if req is None:
            bad(number, "the request is not 'METHOD target HTTP/x'")
            continue
        method, target = req.groups()
        row: dict[str, Any] = {"method": method, "path": target, "status": None if status == "-" else int(status)}
        if pick is not None:
            if pick.kind == "user":
                row["ref"] = None if user == "-" else user
            elif pick.kind == "query":
                row["ref"] = query_value(target, pick.name)
            else:
                more = extras(rest)[2:]  # after the referer and the agent
                index = int(pick.name) - 1
                value = more[index] if index < len(more) else None
                row["ref"] = None if value in (None, "-", "") else value
        yield number, row
