"""Score the validator on the real kernel corpus (real_corpus/manifest.toml), per half and category.

``python -m tests.validate.real_scores`` prints the tables that docs/validate.md shows.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from goldloop.validate import validate_path
from goldloop.validate.model import ValidationInputError

CORPUS = Path(__file__).parent / "real_corpus"


def kernels(found: bool | None = True) -> list[dict]:
    every = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["kernel"]
    return [k for k in every if found is None or k["found"] is found]


@dataclass
class Outcome:
    kernel: dict
    errors: list[tuple[str, str]] = field(default_factory=list)  # (rule, category)
    messages: list[str] = field(default_factory=list)

    def found(self, problem: dict) -> bool:
        return any((problem.get("rule") or rule) == rule and category == problem["category"]
                   for rule, category in self.errors)

    @property
    def false_errors(self) -> list[tuple[str, str]]:
        """Errors that match none of the kernel's labelled problems."""
        wanted = self.kernel.get("problems", [])
        return [(rule, cat) for rule, cat in self.errors
                if not any(p["category"] == cat and p.get("rule", rule) == rule for p in wanted)]


def run(selected: list[dict]) -> list[Outcome]:
    outcomes = []
    for kernel in selected:
        outcome = Outcome(kernel)
        try:
            report = validate_path(CORPUS / kernel["name"])
        except ValidationInputError as exc:  # the folder cannot be pushed as it is
            outcome.errors.append(("input", "kernel_metadata"))
            outcome.messages.append(str(exc))
        else:
            for f in report.findings:
                if f.severity == "error":
                    outcome.errors.append((f.rule, f.category))
                    outcome.messages.append(f"{f.rule} {f.message}")
        outcomes.append(outcome)
    return outcomes


def summary(outcomes: list[Outcome]) -> dict:
    problems = [(o, p) for o in outcomes for p in o.kernel.get("problems", [])]
    clean = [o for o in outcomes if not o.kernel.get("problems")]
    by_category: dict[str, list[int]] = {}
    for o, p in problems:
        row = by_category.setdefault(p["category"], [0, 0])
        row[0] += 1
        row[1] += o.found(p)
    false_by_category = Counter(cat for o in clean for cat in {c for _, c in o.false_errors})
    return {
        "problems": len(problems), "found": sum(o.found(p) for o, p in problems),
        "clean": len(clean), "clean_with_false_error": sum(bool(o.false_errors) for o in clean),
        "by_category": by_category, "false_by_category": false_by_category,
    }


def main() -> None:
    for half in ("A", "B", "all"):
        chosen = [k for k in kernels() if half == "all" or k["half"] == half]
        outcomes = run(chosen)
        s = summary(outcomes)
        print(f"\nhalf {half}: {len(chosen)} kernels; recall {s['found']}/{s['problems']} "
              f"({s['found'] / max(s['problems'], 1):.0%}); clean kernels with a false error "
              f"{s['clean_with_false_error']}/{s['clean']} ({s['clean_with_false_error'] / max(s['clean'], 1):.1%})")
        print("| category | real problems | found | recall | clean kernels with a false error |")
        print("|---|---:|---:|---:|---:|")
        cats = sorted(set(s["by_category"]) | set(s["false_by_category"]))
        for cat in cats:
            n, ok = s["by_category"].get(cat, [0, 0])
            fp = s["false_by_category"].get(cat, 0)
            recall = f"{ok / n:.0%}" if n else "–"
            print(f"| {cat} | {n} | {ok} | {recall} | {fp}/{s['clean']} ({fp / max(s['clean'], 1):.1%}) |")
        for o in outcomes:
            for p in o.kernel.get("problems", []):
                if not o.found(p):
                    print(f"  MISS {o.kernel['name']}: {p['category']} {p.get('rule', '')} ({p['what']})")
            if o.false_errors:
                print(f"  FALSE {o.kernel['name']}: {o.false_errors} {o.messages}")


if __name__ == "__main__":
    main()
