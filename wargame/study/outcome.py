"""An outcome over a study's runs, written as analysts say it: `fell_hama < 10`, `collapsed_regime`,
`fell_aleppo <= 7 and not fell_hama`, `held_hama == opposition`. Parsed by a small recursive-descent parser
(never `eval`), so a study file or a command line cannot run code.

    expression := clause ("or" clause)*
    clause     := factor ("and" factor)*
    factor     := "not" factor | "(" expression ")" | COLUMN [OP VALUE]
    OP         := < <= > >= == !=
    VALUE      := a number, or a bare word (a side or faction, for text columns such as held_hama)

A missing value means the event never happened (`fell_hama` is empty in a run where Hama never fell), and
it satisfies no comparison: `fell_hama < 10` is false there. A bare column means "it happened": not
missing, and for a column holding only 0 and 1 (a flag such as `aleppo_fell`), equal to 1.
"""

from __future__ import annotations

import difflib
import operator
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wargame.core.errors import WargameError

COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
               "!=": operator.ne}
KEYWORDS = ("and", "or", "not")
# a mistyped column: up to SUGGESTIONS likely meant, and the first COLUMNS_SHOWN of a study's (often 600+)
# columns, so the error stays readable; a name shorter than MIN_SUBSTRING is in too many columns to suggest by
SUGGESTIONS, COLUMNS_SHOWN, MIN_SUBSTRING = 6, 24, 3
# longest operators first, so `<=` is not read as `<` then `=`
TOKEN = re.compile(r"\s*(?:(<=|>=|==|!=|<|>)|(\()|(\))|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])"
                   r"|([A-Za-z_][\w.]*))")


class OutcomeError(WargameError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str          # op | open | close | number | word
    text: str
    at: int            # character offset, for messages


def tokenize(text: str) -> list[Token]:
    tokens, at = [], 0
    stripped = text.rstrip()
    while at < len(stripped):
        match = TOKEN.match(stripped, at)
        if not match:
            raise OutcomeError(f"--outcome {text!r}: cannot read {stripped[at:].strip()!r} (at character {at + 1}); "
                               "write COLUMN OP NUMBER with OP one of < <= > >= == !=, joined by and / or / not")
        kind = ("op", "open", "close", "number", "word")[match.lastindex - 1]
        tokens.append(Token(kind, match.group(match.lastindex), match.start(match.lastindex)))
        at = match.end()
    if not tokens:
        raise OutcomeError("--outcome is empty: give a condition such as \"fell_hama < 10\"")
    return tokens


@dataclass(frozen=True)
class Comparison:
    column: str
    op: str | None = None          # None: the bare column, "it happened"
    value: float | str | None = None


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class Both:                        # and
    left: object
    right: object


@dataclass(frozen=True)
class Either:                      # or
    left: object
    right: object


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, tokenize(text), 0

    def fail(self, what: str):
        token = self.tokens[self.i] if self.i < len(self.tokens) else None
        where = f"at {token.text!r} (character {token.at + 1})" if token else "at the end"
        raise OutcomeError(f"--outcome {self.text!r}: {what} {where}")

    def peek(self, kind: str, text: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        token = self.tokens[self.i]
        return token.kind == kind and (text is None or token.text == text)

    def take(self) -> Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def parse(self):
        tree = self.expression()
        if self.i < len(self.tokens):
            self.fail("expected and / or")
        return tree

    def expression(self):
        tree = self.clause()
        while self.peek("word", "or"):
            self.take()
            tree = Either(tree, self.clause())
        return tree

    def clause(self):
        tree = self.factor()
        while self.peek("word", "and"):
            self.take()
            tree = Both(tree, self.factor())
        return tree

    def factor(self):
        if self.peek("word", "not"):
            self.take()
            return Not(self.factor())
        if self.peek("open"):
            self.take()
            tree = self.expression()
            if not self.peek("close"):
                self.fail("expected )")
            self.take()
            return tree
        if not self.peek("word") or self.tokens[self.i].text in KEYWORDS:
            self.fail("expected a column name")
        column = self.take().text
        if not self.peek("op"):
            return Comparison(column)
        op = self.take().text
        if self.peek("number"):
            return Comparison(column, op, float(self.take().text))
        if self.peek("word") and self.tokens[self.i].text not in KEYWORDS:
            if op not in ("==", "!="):
                self.fail(f"{op} compares numbers; a name is compared with == or !=")
            return Comparison(column, op, self.take().text)
        self.fail(f"expected a number (or a name) after {op}")


def parse_outcome(text: str):
    """The outcome's tree; a clear error naming the expression and where it went wrong."""
    return _Parser(text).parse()


def columns_of(tree) -> list[str]:
    if isinstance(tree, Comparison):
        return [tree.column]
    if isinstance(tree, Not):
        return columns_of(tree.operand)
    return columns_of(tree.left) + [c for c in columns_of(tree.right) if c not in columns_of(tree.left)]


def compared_names(tree) -> list[str]:
    """The columns the outcome compares with a name (`held_hama == opposition`), in order, once each."""
    if isinstance(tree, Comparison):
        return [tree.column] if isinstance(tree.value, str) else []
    if isinstance(tree, Not):
        return compared_names(tree.operand)
    return list(dict.fromkeys(compared_names(tree.left) + compared_names(tree.right)))


def names_taken(tree, frame: pd.DataFrame) -> str:
    """What each column the outcome compares with a name takes over the runs ("held_hama takes: opposition,
    regime"), so an outcome that matches no run shows the names that would: these columns hold side ids,
    not faction names, and `held_hama == hts` matches nothing."""
    notes = []
    for column in compared_names(tree):
        if column not in frame.columns:
            continue
        values = frame[column].dropna().astype(str)
        names = sorted(v for v in values.unique() if v)
        empty = " (empty where nobody did)" if (values == "").any() or frame[column].isna().any() else ""
        notes.append(f"{column} takes: {', '.join(names) if names else 'nothing in any run'}{empty}")
    return "; ".join(notes)


def _suggestion(name: str, available: list[str]) -> str:
    """Columns the analyst may have meant: those containing the name or contained in it (a name this short
    is in too many columns to tell), then those spelt alike."""
    within = [c for c in available if name in c or c in name] if len(name) >= MIN_SUBSTRING else []
    close = list(dict.fromkeys(within + difflib.get_close_matches(name, available, n=SUGGESTIONS)))[:SUGGESTIONS]
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _listed(available: list[str]) -> str:
    shown = ", ".join(available[:COLUMNS_SHOWN])
    more = len(available) - COLUMNS_SHOWN
    return shown + (f" and {more} more (the header of the study's runs.csv)" if more > 0 else "")


def evaluate(tree, frame: pd.DataFrame, available: list[str], source: str) -> np.ndarray:
    """Where the outcome holds, one boolean per row of `frame`. `available` are the columns an outcome may
    name (listed in the error when it names another); `source` names the study in messages."""
    if isinstance(tree, Not):
        return ~evaluate(tree.operand, frame, available, source)
    if isinstance(tree, Both):
        return evaluate(tree.left, frame, available, source) & evaluate(tree.right, frame, available, source)
    if isinstance(tree, Either):
        return evaluate(tree.left, frame, available, source) | evaluate(tree.right, frame, available, source)
    if tree.column not in available:
        raise OutcomeError(f"{source}: the outcome names {tree.column!r}, which is not a column of its runs"
                           f"{_suggestion(tree.column, available)}; its columns: {_listed(available)}")
    values = frame[tree.column]
    present = values.notna().to_numpy()
    numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
    if tree.op is None:
        if numeric and set(values.dropna().unique()) <= {0, 1}:
            return present & (values.fillna(0).to_numpy() == 1)
        if numeric:
            return present
        return present & (values.astype(str).str.len().to_numpy() > 0)       # an empty name: nobody
    if isinstance(tree.value, str):
        if numeric:
            raise OutcomeError(f"{source}: {tree.column} holds numbers; compare it with a number, not {tree.value!r}")
        return present & COMPARISONS[tree.op](values.astype(str), tree.value).to_numpy()
    if not numeric:
        names = sorted(v for v in values.dropna().astype(str).unique() if v)
        shown = f"such as {', '.join(names[:6])}" if names else "none in this study: it is empty in every run"
        raise OutcomeError(f"{source}: {tree.column} holds names ({shown}), not numbers; compare it with == or != "
                           f"and a name, e.g. {tree.column} == {names[0] if names else 'hts'}")
    with np.errstate(invalid="ignore"):
        return present & COMPARISONS[tree.op](values.astype(float).to_numpy(), tree.value)
