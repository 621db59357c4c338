"""Recognise credentials in text, files and file names.

One scanner for every place a key can hide: the git step log, the notebook validator, the
knowledge base, and :mod:`goldloop.redaction` (which masks what this module finds).

What it finds (see docs/security.md for the sources of each shape):

* **Shapes** that services issue today: Anthropic ``sk-ant-``, OpenAI ``sk-``/``sk-proj-``,
  Kaggle ``KGAT_`` tokens and legacy 32-hex keys near the word *kaggle*, FRED 32-hex keys near
  *fred*/*stlouisfed*, GitHub, AWS, Google ``AIza``, Hugging Face ``hf_``, W&B 40-hex keys near
  *wandb*, private-key blocks, a password in a URL, and any random-looking value assigned to a
  key-like name (``api_key=``, ``"token": …``, ``os.environ['KAGGLE_KEY'] = …``,
  ``os.getenv('KAGGLE_KEY', '<key>')``, ``Fred('<key>')``).
* **Configured values** (the environment and the workspace's ``.env``), matched exactly, split
  over string literals (``"0123" + "4567"``, ``"0123" "4567"``), and base64-encoded.
* **Encoded shapes**: short base64 strings are decoded and scanned once more.

Standard library only (the hooks import it), and linear in the text: every pattern starts at
a literal or a small class, so a 50 MB notebook is scanned at regex speed (bench_secrets.py).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

# File names that hold credentials by convention; never committed, never pushed.
SECRET_FILE_NAMES = {".env", "kaggle.json", "credentials.json", "id_rsa", "id_ed25519", ".netrc",
                     "_netrc", ".pypirc"}
SECRET_FILE_SUFFIXES = {".pem", ".key", ".p12", ".pfx"}

_KEY_WORDS = (r"api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|kaggle_key|access[_-]?key|"
              r"private[_-]?key|credentials?|auth[_-]?key")


@dataclass(frozen=True)
class Shape:
    """One kind of credential: a pattern whose group ``v`` (or the whole match) is the value.

    ``anchors`` are lower-case words every match contains: the text is searched for them with
    ``str.find`` first and the pattern runs only in a window around each, which keeps the scan
    near I/O speed (a regex starting with ``\\b`` or an alternation is tried at every position).
    """

    kind: str
    pattern: re.Pattern[str]
    anchors: tuple[str, ...] = ()
    random: bool = False  # the value must look random (placeholders are not secrets)


def _shape(kind: str, regex: str, anchors: tuple[str, ...] = (), random: bool = False, flags: int = 0) -> Shape:
    return Shape(kind, re.compile(regex, flags), anchors, random)


_KEY_ANCHORS = ("key", "secret", "token", "passw", "credential")
_WINDOW_BEFORE, _WINDOW_AFTER = 64, 400  # a match starts at most 64 chars before its anchor

# Kept as data: one line per shape, each with the service's documented format where one exists
# (docs/security.md lists the sources). Context shapes (a bare hex key near a service's name)
# look at most 80-120 characters ahead of the name, across lines.
SHAPES: tuple[Shape, ...] = (
    _shape("anthropic_key", r"sk-ant-[A-Za-z0-9_\-]{20,}"),
    _shape("openai_key", r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}", ("sk-",), random=True),
    _shape("kaggle_token", r"\bKGAT_[A-Za-z0-9]{8,}", ("kgat_",)),
    _shape("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})",
           ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    _shape("aws_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", ("akia", "asia")),
    _shape("google_api_key", r"\bAIza[0-9A-Za-z_\-]{35}", ("aiza",)),
    _shape("huggingface_token", r"\bhf_[A-Za-z0-9]{30,}", ("hf_",)),
    _shape("private_key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    _shape("kaggle_json", r'"key"\s*:\s*"(?P<v>[0-9a-fA-F]{32})"'),
    _shape("kaggle_key", r"kaggle[\s\S]{0,80}?(?<![0-9a-f])(?P<v>[0-9a-f]{32})(?![0-9a-f])", ("kaggle",),
           flags=re.IGNORECASE),
    # FRED: "a 32 character alpha-numeric lowercase string" (FRED API docs, api_key)
    _shape("fred_key", r"(?:fred|stlouisfed)[\s\S]{0,120}?(?<![0-9a-z])(?P<v>[0-9a-z]{32})(?![0-9a-z])",
           ("fred", "stlouisfed"), random=True, flags=re.IGNORECASE),
    _shape("wandb_key", r"wandb[\s\S]{0,80}?(?<![0-9a-f])(?P<v>[0-9a-f]{40})(?![0-9a-f])", ("wandb",),
           flags=re.IGNORECASE),
    _shape("url_password", r"://[^\s:/@'\"]+:(?P<v>[^\s@/'\"]{6,})@", ("://",), random=True),
    _shape("assigned_key",
           rf"(?<![A-Za-z0-9])(?:{_KEY_WORDS})(?:_[A-Za-z0-9]+)*[\"'\]\)]*\s*(?:=>|[:=,])\s*"
           r"(?:[rRbBuUfF]{0,2}[\"'])?(?P<v>[A-Za-z0-9_\-+/=]{16,})",
           _KEY_ANCHORS, random=True, flags=re.IGNORECASE),
    _shape("client_key",
           r"\b(?:Fred|FredApi|KaggleApi|Anthropic|OpenAI|Client)\s*\(\s*(?:api_key\s*=\s*)?"
           r"[rRbBuU]?[\"'](?P<v>[A-Za-z0-9_\-]{16,})[\"']", ("fred", "kaggleapi", "anthropic", "openai", "client"),
           random=True),
)

# Adjacent or +-joined string literals: "0123" + "4567", "0123" "4567", "0123" \ "4567".
_LITERAL_JOIN = re.compile(r"""(["'])[ \t]*(?:\+|\\)?[ \t]*\r?\n?[ \t]*(?:\+[ \t]*)?[rRbBuUfF]{0,2}\1""")
_STRING_LITERAL = re.compile(r"""(["'])((?:\\.|(?!\1)[^\\\n]){1,400})\1""")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_MAX_DECODED_RUN = 400  # longer runs are images and data, not an encoded key


@dataclass(frozen=True)
class SecretHit:
    kind: str
    line: int
    excerpt: str  # masked: never the secret itself


@dataclass(frozen=True)
class Span:
    """Where a value sits in the scanned text (``start``/``end`` are offsets)."""

    kind: str
    start: int
    end: int
    value: str


def is_secret_file(path: str | PurePath) -> bool:
    p = PurePath(path)
    return p.name in SECRET_FILE_NAMES or p.name.startswith(".env.") or p.suffix in SECRET_FILE_SUFFIXES


def is_binary_file(path: Path) -> bool:
    """A NUL byte in the first 8 KB: images, parquet, pickles — not places keys are pasted."""
    with Path(path).open("rb") as handle:
        return b"\0" in handle.read(8192)


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def mask(value: str) -> str:
    return value[:3] + "…" if len(value) > 6 else "…"


def looks_random(value: str) -> bool:
    """Placeholders ("your-kaggle-key-here", "xxxxxxxx"), paths and words are not secrets."""
    if value.startswith(("/", "./")) or "//" in value or value.lower().startswith(("http", "kaggle/")):
        return False
    return (shannon_entropy(value) >= 3.0 and any(ch.isdigit() for ch in value)
            and any(ch.isalpha() for ch in value))


# -- configured values ----------------------------------------------------------------------------
def _base64_cores(value: str) -> list[str]:
    """The parts of ``base64(…value…)`` that do not depend on the surrounding bytes (3 alignments)."""
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value.encode("utf-8")).decode("ascii")
        core = encoded[(shift * 4 + 2) // 3 + 1: -4]
        if len(core) >= 12:
            cores.append(core)
            cores.append(base64.urlsafe_b64encode(b"\0" * shift + value.encode("utf-8")).decode(
                "ascii")[(shift * 4 + 2) // 3 + 1: -4])
    return cores


def _find_all(text: str, needle: str) -> Iterator[int]:
    start = text.find(needle)
    while start != -1:
        yield start
        start = text.find(needle, start + 1)


def known_value_spans(text: str, values: Iterable[str]) -> list[Span]:
    """Configured secret values in ``text``: as they are, or base64-encoded."""
    spans: list[Span] = []
    for value in values:
        if not value or len(value) < 6:
            continue
        spans += [Span("configured_secret", i, i + len(value), value) for i in _find_all(text, value)]
        for core in _base64_cores(value):
            spans += [Span("configured_secret_base64", i, i + len(core), core) for i in _find_all(text, core)]
    return spans


def _split_known(text: str, values: list[str]) -> list[Span]:
    """Configured values cut into several string literals that sit next to each other."""
    values = [v for v in values if v and len(v) >= 6]
    if not values or ("'" not in text and '"' not in text):
        return []
    stream, starts, offset = [], [], 0
    for match in _STRING_LITERAL.finditer(text):
        stream.append(match.group(2))
        starts.append((offset, match.start()))
        offset += len(match.group(2))
    joined = "".join(stream)
    spans = []
    for value in values:
        for pos in _find_all(joined, value):
            where = max((s for s in starts if s[0] <= pos), default=(0, 0))[1]
            spans.append(Span("configured_secret_split", where, where + 1, value))
    return spans


# -- shapes ---------------------------------------------------------------------------------------
def _windows(lower: str, anchors: tuple[str, ...]) -> list[tuple[int, int]]:
    """Merged (start, end) windows around every occurrence of the anchors."""
    starts = sorted(i for anchor in anchors for i in _find_all(lower, anchor))
    return _merge((max(0, i - _WINDOW_BEFORE), i + _WINDOW_AFTER) for i in starts)


def shape_spans(text: str) -> list[Span]:
    """Well-known credential shapes in ``text`` (value spans)."""
    spans: list[Span] = []
    lower = text.lower()
    for shape in SHAPES:
        group = "v" if "v" in shape.pattern.groupindex else 0
        windows = _windows(lower, shape.anchors) if shape.anchors else [(0, len(text))]
        last_end = -1
        for lo, hi in windows:
            for match in shape.pattern.finditer(text, lo, hi):
                value = match.group(group)
                if match.start(group) < last_end or (shape.random and not looks_random(value)):
                    continue
                last_end = match.end(group)
                spans.append(Span(shape.kind, match.start(group), match.end(group), value))
    return spans


def _decoded_spans(text: str) -> list[Span]:
    """Shapes inside short base64 strings (``base64.b64decode("S0dBVF8…")``)."""
    spans = []
    for run in _BASE64_RUN.finditer(text):
        if len(run.group()) > _MAX_DECODED_RUN:
            continue
        try:
            decoded = base64.b64decode(run.group() + "=" * (-len(run.group()) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if decoded.isprintable():
            spans += [Span(f"{s.kind}_base64", run.start(), run.end(), run.group()) for s in shape_spans(decoded)]
    return spans


def _joined_spans(text: str) -> list[Span]:
    """Shapes that appear once split literals are joined (``"KGAT_0a1b" + "2c3d4e5f"``).

    Only the neighbourhood of each join is rewritten and scanned; offsets point at the join.
    """
    spans = []
    for lo, hi in _merge((max(0, m.start() - 200), m.end() + 200) for m in _LITERAL_JOIN.finditer(text)):
        piece = text[lo:hi]
        direct = {s.value for s in shape_spans(piece)}
        for span in shape_spans(_LITERAL_JOIN.sub("", piece)):
            if span.value not in direct:
                where = lo + max(0, piece.find(span.value[:6]))
                spans.append(Span(f"{span.kind}_split", where, where + len(span.value[:6]), span.value))
    return spans


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def secret_spans(text: str, known_values: Iterable[str] = (), *, deep: bool = True) -> list[Span]:
    """Every credential in ``text``, sorted by position; ``deep`` adds split and encoded forms."""
    values = [v for v in known_values if v]
    spans = known_value_spans(text, values) + shape_spans(text)
    if deep:
        spans += _split_known(text, values) + _joined_spans(text) + _decoded_spans(text)
    spans.sort(key=lambda s: (s.start, -s.end))
    return spans


def find_secrets(text: str, known_values: Iterable[str] = (), *, first_line: int = 1) -> list[SecretHit]:
    """Credentials in ``text`` with their line numbers; the excerpt is masked."""
    hits, seen = [], set()
    for span in secret_spans(text, known_values):
        line = first_line + text.count("\n", 0, span.start)
        key = (line, span.value)
        if key not in seen:
            seen.add(key)
            hits.append(SecretHit(span.kind, line, mask(span.value)))
    return hits


CHUNK_CHARS = 4_000_000
OVERLAP_CHARS = 2_000  # longer than any shape with its context


def scan_file(path: Path, known_values: Iterable[str] = ()) -> list[SecretHit]:
    """Scan a file of any size in overlapping chunks (memory stays flat on a 50 MB notebook)."""
    values = list(known_values)
    hits: list[SecretHit] = []
    seen: set[tuple[int, str, str]] = set()
    line, carry = 1, ""
    with Path(path).open("r", encoding="utf-8", errors="replace", newline="") as handle:
        while True:
            block = handle.read(CHUNK_CHARS)
            text = carry + block
            for hit in find_secrets(text, values, first_line=line):
                if (hit.line, hit.kind, hit.excerpt) not in seen:  # the overlap is scanned twice
                    seen.add((hit.line, hit.kind, hit.excerpt))
                    hits.append(hit)
            if len(block) < CHUNK_CHARS:
                return hits
            # Carry the tail so a key cut by the chunk border is seen whole next time.
            cut = len(text) - OVERLAP_CHARS
            line += text.count("\n", 0, cut)
            carry = text[cut:]


def file_leaks(root: Path, files: Iterable[str], known_values: Iterable[str] = ()) -> list[str]:
    """``"rel:line: looks like a <kind> (abc…)"`` for credential files and keys in text files."""
    values = list(known_values)
    problems = []
    for rel in files:
        if is_secret_file(rel):
            problems.append(f"{rel}: credential file")
            continue
        path = Path(root) / rel
        if not path.is_file() or is_binary_file(path):
            continue
        problems += [f"{rel}:{hit.line}: looks like a {hit.kind} ({hit.excerpt})" for hit in scan_file(path, values)]
    return problems
