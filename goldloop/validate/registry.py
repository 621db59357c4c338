"""The rule registry: every check is a small function registered under a stable code.

A rule function receives the :class:`~goldloop.validate.context.Context` and yields
``(cell, line, message)`` hits; the registry adds code, category, severity and hint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from goldloop.validate.model import CATEGORIES, Severity, ValidationInputError

Hit = tuple[int | None, int | None, str]
CheckFn = Callable[..., Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    severity: Severity
    summary: str
    hint: str
    check: CheckFn
    needs: str | None = None  # "metadata": only runs on a kernel folder


RULES: dict[str, Rule] = {}


def rule(code: str, category: str, severity: Severity, summary: str, hint: str,
         needs: str | None = None) -> Callable[[CheckFn], CheckFn]:
    """Decorator: register ``fn`` as the check for ``code``."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")

    def register(fn: CheckFn) -> CheckFn:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, category, severity, summary, hint, fn, needs)
        return fn

    return register


def all_rules() -> dict[str, Rule]:
    import goldloop.validate.rules  # noqa: F401  (registers every rule module)

    return RULES


def _expand(selectors: Iterable[str], rules: dict[str, Rule]) -> set[str]:
    """Codes named by ``selectors`` (codes, category names or ALL); unknown ones are refused."""
    codes: set[str] = set()
    for raw in selectors:
        for item in (s.strip() for s in raw.split(",")):
            if not item:
                continue
            if item.upper() == "ALL":
                codes |= set(rules)
            elif item.upper() in rules:
                codes.add(item.upper())
            elif item.lower() in CATEGORIES:
                codes |= {c for c, r in rules.items() if r.category == item.lower()}
            else:
                raise ValidationInputError(
                    f"unknown rule or category {item!r}",
                    "use a code such as GL401, a category such as dataset_path "
                    f"(one of: {', '.join(CATEGORIES)}), or ALL",
                )
    return codes


def chosen_codes(select: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    rules = all_rules()
    chosen = _expand(select, rules) if select else set(rules)
    return chosen - _expand(ignore or (), rules)
