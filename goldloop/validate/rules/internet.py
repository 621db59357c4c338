"""internet: network use while the kernel's ``enable_internet`` is false.

Without internet on Kaggle, ``pip install`` and every download fail (after a timeout, which
is the expensive part). The kaggle client treats a missing flag as true, and so do we.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

from goldloop.validate.astutil import call_name, const_str, dotted, root_name
from goldloop.validate.registry import rule

# Modules whose calls go to the network (a data table: add rows, not branches).
NETWORK_MODULES = {
    "requests", "urllib", "urllib3", "httpx", "aiohttp", "yfinance", "fredapi",
    "pandas_datareader", "kaggle", "kagglehub", "anthropic", "openai", "huggingface_hub",
    "wget", "gdown",
}
NETWORK_CALLS = {"from_pretrained", "load_dataset", "urlopen", "urlretrieve"}
NETWORK_DOTTED = {"torch.hub.load", "nltk.download", "hub.load"}
_READS = re.compile(r"^(read_\w+|open|load|loadtxt|genfromtxt)$")
_PIP = re.compile(r"^[!%]\s*(?:python3?\s+-m\s+)?pip3?\s+install\b|^%\s*conda\s+install\b")
_SHELL_NET = re.compile(r"^!\s*(wget|curl|git\s+clone|kaggle\s)")


def _offline_install(line: str) -> bool:
    return "--no-index" in line or "/kaggle/input" in line or _preinstalled_only(line)


@cache
def _image_packages() -> frozenset[str]:
    """Distributions Kaggle's image already has (kaggle_image_packages.json, with its source)."""
    path = Path(__file__).resolve().parent.parent / "kaggle_image_packages.json"
    return frozenset(json.loads(path.read_text(encoding="utf-8"))["packages"])


_UPGRADE_FLAGS = {"--upgrade", "--force-reinstall", "--ignore-installed", "--requirement", "--editable", "--pre"}
_VALUE_FLAGS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-c", "--constraint"}


def _preinstalled_only(line: str) -> bool:
    """``pip install torch pandas -q`` of names Kaggle's image has, unpinned and without --upgrade:
    pip finds them installed and never asks the index, so it works offline (a public kernel
    does this, tests/validate/real_corpus)."""
    words = [w.strip("'\"") for w in re.split(r"\s+", line.split("install", 1)[-1].strip()) if w]
    names, skip_next = [], False
    for word in words:
        if skip_next:
            skip_next = False
        elif word in _VALUE_FLAGS:
            skip_next = True
        elif word.startswith("--"):
            if word.split("=", 1)[0] in _UPGRADE_FLAGS:
                return False
        elif word.startswith("-"):
            if set(word[1:]) & set("UIre"):
                return False
        elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", word):
            names.append(re.sub(r"[-_.]+", "-", word).lower())
        else:  # a pin, an extra, a URL, a file: pip has to look
            return False
    return bool(names) and all(n in _image_packages() for n in names)


def _fully_known(call: ast.Call) -> bool:
    """Every part of the command is a literal (or sys.executable): a package path built at run
    time (a wheel found under /kaggle/input) may well be an offline install."""
    first = call.args[0] if call.args else None
    parts = first.elts if isinstance(first, ast.List | ast.Tuple) else [first]
    return all(isinstance(p, ast.Constant) or dotted(p) == "sys.executable" for p in parts)


def _module_of(ctx) -> dict[str, str]:
    names: dict[str, str] = {}
    for _, node in ctx.nodes(ast.Import):
        for a in node.names:
            names[(a.asname or a.name).split(".")[0]] = a.name.split(".")[0]
    for _, node in ctx.nodes(ast.ImportFrom):
        for a in node.names:
            if node.module:
                names[a.asname or a.name] = node.module.split(".")[0]
    return names


def _shell_hits(ctx, matches):
    """Magic/shell lines (``!pip install …``, ``!wget …``) that need the network."""
    for cell in ctx.cells:
        for line, text in cell.magic_lines:
            if matches(text):
                yield cell.number, line, f"`{text[:60]}` needs the internet, but " \
                                         "enable_internet is false"


_HUB_CALLS = {"from_pretrained", "load_dataset"}


def _maybe_local(node: ast.Call, constants: dict[str, str]) -> bool:
    """``from_pretrained('/kaggle/input/…')``, a name bound to such a path, ``local_files_only=True``,
    or a name only known at run time (a path found among candidates): not surely a download."""
    from goldloop.validate.paths import UNKNOWN, evaluate

    if any(k.arg == "local_files_only" and isinstance(k.value, ast.Constant) and k.value.value is True
           for k in node.keywords):
        return True
    path = evaluate(node.args[0], constants) if node.args else None
    return path is None or UNKNOWN in path or path.startswith(("/", "./", "../"))


def _pretrained_weights(node: ast.Call, modules: dict[str, str]) -> bool:
    """``torchvision.models.resnet18(weights=…)`` / ``(pretrained=True)``: torchvision downloads
    the weights on first use (public kernel in tests/validate/real_corpus)."""
    if modules.get(root_name(node.func) or "") != "torchvision" and not dotted(node.func).startswith("torchvision."):
        return False
    for k in node.keywords:
        if k.arg == "weights" and not (isinstance(k.value, ast.Constant) and k.value.value is None):
            return True
        if k.arg == "pretrained" and isinstance(k.value, ast.Constant) and k.value.value is True:
            return True
    return False


def _offline(ctx) -> bool:
    return not ctx.flag("enable_internet", True)


@rule("GL1201", "internet", "error", "pip install on a kernel without internet",
      "set enable_internet: true, attach the wheel as a dataset and install with --no-index, "
      "or drop the install (Kaggle's image already has most packages)", needs="metadata")
def pip_install(ctx):
    if not _offline(ctx):
        return
    yield from _shell_hits(ctx, lambda text: _PIP.search(text) and not _offline_install(text))
    for cell, node in ctx.nodes(ast.Call):
        is_subprocess = root_name(node.func) == "subprocess"
        args = " ".join(const_str(a) or "" for a in ast.walk(node)) if is_subprocess else ""
        if dotted(node.func) == "pip.main" or (
                is_subprocess and "pip" in args and "install" in args
                and not _offline_install(args) and _fully_known(node)):
            yield cell.number, node.lineno, "pip install needs the internet, but " \
                                            "enable_internet is false"


@rule("GL1202", "internet", "error", "a download or API client on a kernel without internet",
      "set enable_internet: true, or publish the data as a Kaggle dataset and read it from "
      "/kaggle/input (goldloop's data stage does this)", needs="metadata")
def network_calls(ctx):
    if not _offline(ctx):
        return
    modules = _module_of(ctx)
    seen: set[tuple] = set()
    for cell, node in ctx.nodes(ast.Call):
        chain, name = dotted(node.func), call_name(node)
        root = root_name(node.func)
        first = const_str(node.args[0]) if node.args else None
        if name in _HUB_CALLS and _maybe_local(node, ctx.constants):
            continue
        if (modules.get(root or "") in NETWORK_MODULES or name in NETWORK_CALLS
                or chain in NETWORK_DOTTED or _pretrained_weights(node, modules)
                or (first and first.startswith(("http://", "https://")) and _READS.match(name))):
            key = (cell.number, node.lineno)
            if key not in seen:
                seen.add(key)
                shown = chain or name
                yield cell.number, node.lineno, f"`{shown}(...)` needs the internet, but " \
                                                "enable_internet is false"
    yield from _shell_hits(ctx, _SHELL_NET.search)
