"""Text helpers shared by search and de-duplication: one tokenizer for English and Japanese.

English is split into lower-case words with a light plural folding; Japanese (and other CJK
scripts) has no spaces, so each run of CJK characters becomes overlapping character bigrams —
the usual dictionary-free approach, good enough for short questions and tags.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z0-9]+|[{_CJK}]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")

STOPWORDS = frozenset(
    """a an and are as at be by can do does for from how i in is it its of on or our should
    so that the their them then there these this to use used we what when where which who
    why will with without you your""".split()
)


def normalize(text: str) -> str:
    """NFKC (full-width → ASCII, half-width kana → full-width) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _fold(word: str) -> str:
    # Light plural folding so "regimes"/"regime" and "windows"/"window" meet; applied to
    # both documents and queries, so an imperfect stem costs nothing.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str, keep_stopwords: bool = False) -> list[str]:
    tokens: list[str] = []
    for piece in _TOKEN.findall(normalize(text)):
        if _CJK_RUN.match(piece):
            if len(piece) == 1:
                tokens.append(piece)
            else:
                tokens.extend(piece[i : i + 2] for i in range(len(piece) - 1))
        elif keep_stopwords or piece not in STOPWORDS:
            tokens.append(_fold(piece))
    return tokens


def one_line(text: str) -> str:
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    """How alike two short texts are, 0..1: the mean of the character-sequence ratio and the
    overlap (Jaccard) of their content tokens. Both must agree: "GVZCLS starts in 2008" and
    "OVXCLS starts in 2007" are close as strings but differ in the words that matter."""
    na, nb = one_line(normalize(a)), one_line(normalize(b))
    if not na or not nb:
        return 0.0
    ratio = SequenceMatcher(None, na, nb, autojunk=False).ratio()
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if len(ta | tb) < 4:  # token overlap says little about one to three words
        return ratio
    return (ratio + len(ta & tb) / len(ta | tb)) / 2


def containment(a: str, b: str, min_tokens: int = 5) -> float:
    """Share of the shorter text's content tokens found in the longer one (0 when the shorter
    has fewer than ``min_tokens``): a question that drops a parenthetical is still the same."""
    ta, tb = set(tokenize(a)), set(tokenize(b))
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return len(small & large) / len(small) if len(small) >= min_tokens else 0.0
