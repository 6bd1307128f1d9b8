"""Web-search syntax, parsed once: PostgreSQL gets the text, SQLite gets a safe FTS5 query.

The syntax is PostgreSQL's `websearch_to_tsquery`:

    cat dog          both words (AND)
    "black cat"      the phrase
    cat or dog       either (OR, any case, binds looser than AND)
    cat -dog         cat without dog (also -"a phrase")

`to_fts5()` rebuilds that as an FTS5 expression in which every term is a double-quoted FTS5
string, so user text never reaches FTS5's own syntax (column filters, NEAR, ^, *, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 256
MAX_TERMS = 32


class QueryError(ValueError):
    """The query cannot be searched for; the message says why (shown to the client)."""


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Clause:
    """Terms that must all match, and terms that must not."""

    include: tuple[Term, ...]
    exclude: tuple[Term, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    text: str
    clauses: tuple[Clause, ...]

    def to_fts5(self) -> str:
        """The FTS5 MATCH expression: (a AND b NOT c) OR (d)."""
        parts = []
        for clause in self.clauses:
            expr = " AND ".join(_fts5_string(term) for term in clause.include)
            for term in clause.exclude:
                expr = f"{expr} NOT {_fts5_string(term)}"
            parts.append(f"({expr})")
        return " OR ".join(parts)


def parse_search_query(text: str) -> SearchQuery:
    """Parse `text`; raise QueryError if it is too long or has nothing to search for."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters; at most {MAX_QUERY_CHARS} allowed")
    if _CONTROL.search(text):
        raise QueryError("the query contains control characters")
    clauses: list[Clause] = []
    include: list[Term] = []
    exclude: list[Term] = []
    count = 0
    for term, negated, is_or in _tokens(text):
        if is_or:
            if include:
                clauses.append(Clause(tuple(include), tuple(exclude)))
            include, exclude = [], []
            continue
        if not _has_word(term.text):
            continue  # only punctuation: PostgreSQL ignores it too
        count += 1
        if count > MAX_TERMS:
            raise QueryError(f"the query has more than {MAX_TERMS} terms")
        (exclude if negated else include).append(term)
    if include:
        clauses.append(Clause(tuple(include), tuple(exclude)))
    if not clauses:
        raise QueryError("the query has no word to search for (only exclusions or punctuation)")
    return SearchQuery(text=text, clauses=tuple(clauses))


def _tokens(text: str) -> list[tuple[Term, bool, bool]]:
    """(term, negated, is_or) in order; `or` is an operator only when unquoted and bare."""
    tokens: list[tuple[Term, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = n if end == -1 else end
            words = " ".join(text[i + 1 : end].split())
            tokens.append((Term(words, phrase=True), negated, False))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        word = text[start:i]
        is_or = not negated and word.lower() == "or"
        tokens.append((Term(word), negated, is_or))
    return tokens


def _fts5_string(term: Term) -> str:
    return '"' + term.text.replace('"', '""') + '"'


def _has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


# C0 controls but tab/LF/CR, DEL, lone surrogates (text_rules.query_pattern() says the same).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
