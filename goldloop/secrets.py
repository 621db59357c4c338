"""Recognise credentials in text and file names — shared by the git step log and the validator."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

# File names that hold credentials by convention; never committed, never pushed.
SECRET_FILE_NAMES = {".env", "kaggle.json", "credentials.json", "id_rsa", "id_ed25519"}
SECRET_FILE_SUFFIXES = {".pem", ".key", ".p12", ".pfx"}

# (name, pattern). Patterns match the value shapes the product's services issue.
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("anthropic_key", re.compile(r"sk-ant-[A-Za-z0-9_\-]{20,}")),
    ("kaggle_token", re.compile(r"KGAT_[A-Za-z0-9]{16,}")),
    ("github_token", re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}")),
    ("aws_key", re.compile(r"AKIA[0-9A-Z]{16}")),
    ("private_key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    (
        "assigned_key",
        re.compile(
            r"""(?ix)
            \b(?:kaggle_key|kaggle_api_token|fred_api_key|anthropic_api_key|api_key|apikey|
               secret|token|password|passwd)\b
            \s*[:=]\s*["']?([A-Za-z0-9_\-./+]{16,})["']?""",
        ),
    ),
    ("kaggle_json", re.compile(r'"key"\s*:\s*"[0-9a-f]{32}"')),
)


@dataclass(frozen=True)
class SecretHit:
    kind: str
    line: int
    excerpt: str  # masked: never the secret itself


def is_secret_file(path: str | PurePath) -> bool:
    p = PurePath(path)
    return p.name in SECRET_FILE_NAMES or p.name.startswith(".env.") or p.suffix in SECRET_FILE_SUFFIXES


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def mask(value: str) -> str:
    return value[:3] + "…" if len(value) > 6 else "…"


def _looks_random(value: str) -> bool:
    # Placeholders such as "your-kaggle-key-here" or "xxxxxxxx" are not secrets.
    return shannon_entropy(value) >= 3.0 and any(ch.isdigit() for ch in value)


def find_secrets(text: str, known_values: list[str] | tuple[str, ...] = ()) -> list[SecretHit]:
    """Credentials in ``text``: known secret values first, then well-known shapes."""
    hits: list[SecretHit] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        for value in known_values:
            if value and value in line:
                hits.append(SecretHit("configured_secret", lineno, mask(value)))
        for kind, pattern in SECRET_PATTERNS:
            for match in pattern.finditer(line):
                value = match.group(match.lastindex or 0)
                if kind == "assigned_key" and not _looks_random(value):
                    continue
                hits.append(SecretHit(kind, lineno, mask(value)))
    return hits
