"""Score the classifier on the real-log corpus (real_corpus/manifest.toml), per half and category.

``python -m tests.kaggle_classify.real_scores`` prints the table that docs/kaggle_classify.md shows.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from goldloop.kaggle.classify import classify_log

CORPUS = Path(__file__).parent / "real_corpus"


def cases() -> list[dict]:
    return tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["case"]


@dataclass
class Outcome:
    case: dict
    got: str
    evidence: str

    @property
    def right(self) -> bool:
        return self.got == self.case["error_type"] and self.case["evidence"] in self.evidence


def run(selected: list[dict]) -> list[Outcome]:
    out = []
    for case in selected:
        result = classify_log(CORPUS / case["file"], status=case.get("status"),
                              failure_message=case.get("failure_message"))
        out.append(Outcome(case, result.error_type, result.evidence))
    return out


def table(outcomes: list[Outcome]) -> dict[str, tuple[int, int, float, float]]:
    """category -> (cases, right, recall, false-positive rate among the other cases)."""
    labels = Counter(o.case["error_type"] for o in outcomes)
    rows = {}
    for label, n in sorted(labels.items()):
        right = sum(o.right for o in outcomes if o.case["error_type"] == label)
        others = [o for o in outcomes if o.case["error_type"] != label]
        false = sum(o.got == label for o in others)
        rows[label] = (n, right, right / n, false / len(others) if others else 0.0)
    return rows


def main() -> None:
    every = cases()
    for half in ("A", "B", "all"):
        chosen = [c for c in every if half == "all" or c["half"] == half]
        outcomes = run(chosen)
        right = sum(o.right for o in outcomes)
        failed_as_none = sum(o.got == "none" for o in outcomes if o.case["status"] != "complete")
        print(f"\nhalf {half}: {right}/{len(outcomes)} right ({right / len(outcomes):.0%}), "
              f"failed runs classed none: {failed_as_none}")
        print("| category | cases | right | recall | false-positive rate |")
        print("|---|---:|---:|---:|---:|")
        for label, (n, ok, recall, fpr) in table(outcomes).items():
            print(f"| {label} | {n} | {ok} | {recall:.0%} | {fpr:.1%} |")
        for o in outcomes:
            if not o.right:
                print(f"  MISS {o.case['file']}: want {o.case['error_type']}, got {o.got}: {o.evidence[:90]!r}")


if __name__ == "__main__":
    main()
