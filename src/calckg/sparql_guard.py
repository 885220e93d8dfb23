"""Decide, before a SPARQL request reaches the store, whether a read-only public endpoint may run it.

The store is opened read-only, so updates fail there too; refusing them here gives one clear 403
for every kind of write. SERVICE is refused because a federated call would make the server fetch
from hosts the user names. The check is lexical: strings, IRIs and comments are blanked out, then
the keywords are read, which is enough because SERVICE and the update verbs are reserved words.
"""

from __future__ import annotations

import re

UPDATE_VERBS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPAQUE = re.compile(
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)
# a bare word: not a variable (?x $x), a language tag (@en), nor part of a prefixed name (a:b)
_WORD = re.compile(r"(?<![?$@:\w-])([A-Za-z_][A-Za-z0-9_]*)(?![\w:-])")


class Refused(ValueError):
    """A request the endpoint will not run; status is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _unescape(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return " "

    return _ESCAPE.sub(char, text)


def keywords(text: str) -> list[str]:
    """The bare words of a SPARQL text, upper-cased, outside strings, IRIs and comments."""
    return [w.upper() for w in _WORD.findall(_OPAQUE.sub(" ", _unescape(text)))]


def operation(text: str) -> str:
    """The first keyword after the prologue (SELECT, ASK, INSERT …), or '' if there is none."""
    for w in keywords(text):
        if w not in ("PREFIX", "BASE"):
            return w
    return ""


def check_query(text: str) -> str:
    """Return the query form; raise Refused for updates and federated queries."""
    words = keywords(text)
    op = next((w for w in words if w not in ("PREFIX", "BASE")), "")
    if op in UPDATE_VERBS:
        raise Refused(403, f"this endpoint is read-only: {op} is an update and is refused")
    if "SERVICE" in words:
        raise Refused(403, "federated queries (SERVICE) are disabled on this endpoint")
    return op
