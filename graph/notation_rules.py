"""The notation rules of `data/notations.toml` compiled once: labels, role words, declarations, rules.

Each rule in the data file carries its examples (tests/test_rules.py runs them); this module only reads them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class NotationRules:
    labels: tuple[tuple[str, str, str], ...]  # (rule name, role, pattern)
    label_re: re.Pattern[str]
    header_re: re.Pattern[str]  # the same labels as column headers (no colon after them)
    line_label_re: re.Pattern[str]  # a label alone on its line, its units on the next ("责任单位\n文广旅局")
    label_roles: dict[str, str]  # rule name → role
    unknown_label: re.Pattern[str]
    role_words: tuple[tuple[str, str], ...]  # (word, role), longest first
    unit_prefixes: tuple[str, ...]
    co_prefixes: tuple[str, ...]
    action_starts: tuple[str, ...]
    field_label: re.Pattern[str]
    ignored_parts: frozenset[str]
    bracket_roles: dict[str, str]
    with_words: tuple[str, ...]
    first_listed_leads: re.Pattern[str]
    inherit_rules: tuple[re.Pattern[str], ...]
    heading_owner: re.Pattern[str]
    due_labels: re.Pattern[str]


def load_notation_rules(path: Path | None = None) -> NotationRules:
    text = path.read_text("utf-8") if path else resources.files("policykg.graph.data").joinpath(
        "notations.toml").read_text("utf-8")
    data = tomllib.loads(text)
    labels = tuple((rule["name"], rule["role"], rule["pattern"]) for rule in data["labels"])
    label_re = re.compile("(?:" + "|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, _, pattern in labels)
                          + r")(?=\s*:)")
    header_re = re.compile("|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, _, pattern in labels))
    line_label_re = re.compile(r"[ \t\u3000]*(?:" + header_re.pattern + r")(?=[ \t\u3000]*\n)")
    words = sorted(((w, rule["role"]) for rule in data["role_words"] for w in rule["words"]),
                   key=lambda item: len(item[0]), reverse=True)
    clauses = data["clauses"]
    declarations = data["declarations"]
    return NotationRules(
        labels=labels,
        label_re=label_re,
        header_re=header_re,
        line_label_re=line_label_re,
        label_roles={name.replace("-", "_"): role for name, role, _ in labels},
        unknown_label=re.compile(clauses["unknown_label"]),
        role_words=tuple(words),
        unit_prefixes=tuple(sorted(clauses["unit_prefixes"], key=len, reverse=True)),
        co_prefixes=tuple(clauses["co_prefixes"]),
        action_starts=tuple(clauses["action_starts"]),
        field_label=re.compile(clauses["field_label"]),
        ignored_parts=frozenset(clauses["ignored_parts"]),
        bracket_roles=dict(clauses["bracket_roles"]),
        with_words=tuple(clauses["with_words"]),
        first_listed_leads=re.compile(declarations["first_listed_leads"]),
        inherit_rules=tuple(re.compile(p) for p in declarations["inherit_rules"]),
        heading_owner=re.compile(declarations["heading_owner"]),
        due_labels=re.compile(clauses["due_labels"]),
    )
