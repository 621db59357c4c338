"""dataset_path: every ``/kaggle/input/...`` path read must belong to a source in the metadata.

Kaggle mounts an attached dataset at ``/kaggle/input/datasets/<owner>/<slug>/`` for kernels
pushed through the API today, while older kernels and some attachments still see the legacy
``/kaggle/input/<slug>/`` (public kernels probe both; see docs/validate.md for the evidence).
So a path that only uses the legacy shape is a warning whose fix is the both-paths helper.

An error needs certainty that the run breaks: a hard read of a path no source provides. A path
that is only probed (``os.path.exists``, ``glob``, a candidate list, a ``try`` with a fallback)
is the code's own fallback logic and gets a warning at most; glob wildcards are not slugs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from goldloop.validate.astutil import call_name
from goldloop.validate.paths import UNKNOWN, components, evaluate
from goldloop.validate.registry import rule

INPUT = "/kaggle/input"
_CONTAINER_CALLS = {"join", "joinpath", "Path", "PurePath", "PosixPath", "str", "fspath"}


def _known(part: str) -> bool:
    return UNKNOWN not in part


_PROBES = {"exists", "isdir", "isfile", "is_dir", "is_file", "lexists", "islink", "glob", "iglob",
           "rglob", "is_symlink"}
_GLOB_CHARS = set("*?[")
_FALLBACK_ERRORS = {"FileNotFoundError", "OSError", "IOError", "Exception", "BaseException"}


def _probed_nodes(ctx) -> set[int]:
    """ids of path expressions that are only tested or tried, never read unconditionally."""
    probed: set[int] = set()
    probed_names: set[str] = set()
    for _, node in ctx.nodes(ast.Call):
        if call_name(node) not in _PROBES:
            continue
        targets = list(node.args[:1])
        if isinstance(node.func, ast.Attribute):
            targets.append(node.func.value)  # Path(p).exists()
        for target in targets:
            probed.add(id(target))
            probed_names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    for _, node in ctx.nodes(ast.List, ast.Tuple, ast.Set):
        paths = [e for e in node.elts if (evaluate(e, ctx.constants) or "").startswith(INPUT)]
        if len(paths) >= 2:  # a list of candidate locations
            probed.update(id(e) for e in paths)
    for _, node in ctx.nodes(ast.Assign):
        if any(isinstance(t, ast.Name) and t.id in probed_names for t in node.targets):
            probed.add(id(node.value))  # ROOT = '/kaggle/input/x'; later: if ROOT.exists()
    probing_params = {  # def find(default): if os.path.exists(default) … -> find('/kaggle/…')
        fn.name: [i for i, a in enumerate(fn.args.args) if a.arg in probed_names]
        for _, fn in ctx.nodes(ast.FunctionDef)}
    for _, node in ctx.nodes(ast.Call):
        for index in probing_params.get(call_name(node), []) if isinstance(node.func, ast.Name) else []:
            if index < len(node.args):
                probed.add(id(node.args[index]))
    for _, node in ctx.nodes(ast.Try):
        caught = {getattr(h.type, "id", getattr(h.type, "attr", "")) if h.type is not None
                  else "BaseException" for h in node.handlers}
        if caught & _FALLBACK_ERRORS:  # try: read one path / except: read another
            for stmt in (*node.body, *(x for h in node.handlers for x in h.body)):
                probed.update(id(n) for n in ast.walk(stmt))
    return probed


def path_expressions(ctx) -> list[tuple[object, int, str, bool]]:
    """(cell, line, evaluated path, probed only) for every outermost string/path expression."""
    if "path_expressions" in ctx.memo:
        return ctx.memo["path_expressions"]
    inner: set[int] = set()
    for _, node in ctx.nodes(ast.BinOp):
        inner.update((id(node.left), id(node.right)))
    for _, node in ctx.nodes(ast.JoinedStr):
        inner.update(id(v) for v in node.values)
    for _, node in ctx.nodes(ast.Call):
        if call_name(node) in _CONTAINER_CALLS:
            inner.update(id(a) for a in node.args)
            inner.add(id(node.func))
    probed = _probed_nodes(ctx)
    found: dict[tuple, bool] = {}
    for cell, node in ctx.nodes(ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call):
        if id(node) in inner:
            continue
        value = evaluate(node, ctx.constants)
        if value:
            key = (cell, node.lineno, value)
            found[key] = found.get(key, True) and id(node) in probed
    result = [(*key, only_probed) for key, only_probed in found.items()]
    ctx.memo["path_expressions"] = result
    return result  # type: ignore[return-value]


def _cut_at_wildcard(parts: list[str]) -> list[str]:
    """``datasets/**/deck.csv`` -> ``datasets``: a glob part is not a slug, nor is what follows."""
    for index, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            return parts[:index]
    return parts


def input_references(ctx) -> list[tuple[object, int, list[str], bool]]:
    refs = []
    for cell, line, value, probed in path_expressions(ctx):
        if value.startswith("../input/"):  # relative to /kaggle/working
            value = INPUT + value[len("../input"):]
        parts = _cut_at_wildcard(components(value, INPUT) or [])
        if parts and _known(parts[0]):
            refs.append((cell, line, parts, probed))
    return refs


@dataclass
class Sources:
    datasets: set[tuple[str, str]] = field(default_factory=set)
    competitions: set[str] = field(default_factory=set)
    kernels: set[tuple[str, str]] = field(default_factory=set)
    models: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, kernel: dict) -> Sources:
        def pairs(key: str) -> set[tuple[str, str]]:
            items = kernel.get(key) if isinstance(kernel.get(key), list) else []
            return {tuple(s.split("/")[:2]) for s in items
                    if isinstance(s, str) and s.count("/") >= 1}  # type: ignore[misc]

        comps = kernel.get("competition_sources")
        return cls(
            datasets=pairs("dataset_sources"),
            competitions={s.split("/")[-1] for s in comps if isinstance(s, str)}
            if isinstance(comps, list) else set(),
            kernels=pairs("kernel_sources"),
            models=pairs("model_sources"),
        )

    def legacy_slugs(self) -> set[str]:
        return ({s for _, s in self.datasets} | self.competitions
                | {s for _, s in self.kernels} | {m for _, m in self.models})


_V2_DIRS = {"datasets": "datasets", "notebooks": "kernels", "kernels": "kernels",
            "models": "models"}


@dataclass
class _Analysis:
    unknown: list[tuple[object, int, str]] = field(default_factory=list)
    probed_unknown: list[tuple[object, int, str]] = field(default_factory=list)
    legacy: list[tuple[object, int, str]] = field(default_factory=list)  # dataset via old shape
    v2_slugs: set[str] = field(default_factory=set)
    v2_wildcard: bool = False


def _analyse(ctx) -> _Analysis:
    if "dataset_path" in ctx.memo:
        return ctx.memo["dataset_path"]
    sources = Sources.of(ctx.kernel)
    result = _Analysis()
    for cell, line, parts, probed in input_references(ctx):
        unknown = result.probed_unknown if probed else result.unknown
        first = parts[0]
        shown = "/".join([INPUT, *(p if _known(p) else "…" for p in parts)])
        if first in _V2_DIRS:
            if len(parts) < 3 or not (_known(parts[1]) and _known(parts[2])):
                result.v2_wildcard = result.v2_wildcard or first == "datasets"
                continue
            pair = (parts[1], parts[2])
            allowed = getattr(sources, _V2_DIRS[first])
            if first == "datasets":
                result.v2_slugs.add(parts[2])
            if pair not in allowed:
                key = {"datasets": "dataset", "kernels": "kernel", "models": "model"}[_V2_DIRS[first]]
                unknown.append((cell.number, line, f"`{shown}` reads {key} {pair[0]}/{pair[1]}, "
                                                   f"which is not in {key}_sources"))
        elif first == "competitions":
            if len(parts) >= 2 and _known(parts[1]) and parts[1] not in sources.competitions:
                unknown.append((cell.number, line, f"`{shown}` reads competition {parts[1]}, "
                                                   "which is not in competition_sources"))
        elif first in {slug for _, slug in sources.datasets}:
            if not probed:
                result.legacy.append((cell.number, line, first))
        elif first not in sources.legacy_slugs():
            unknown.append((cell.number, line, f"`{shown}` reads `{first}`, which matches no "
                                               "dataset/competition/kernel/model source"))
    ctx.memo["dataset_path"] = result
    return result


@rule("GL401", "dataset_path", "error", "an input path that no metadata source provides",
      "add the source to kernel-metadata.json (dataset_sources as owner/slug), or fix the path",
      needs="metadata")
def unknown_source(ctx):
    yield from _analyse(ctx).unknown


@rule("GL404", "dataset_path", "warning", "a probed input path that no metadata source provides",
      "add the source to kernel-metadata.json, or drop the candidate path; the code only tests "
      "it, so the run goes on if another candidate exists", needs="metadata")
def probed_unknown_source(ctx):
    yield from _analyse(ctx).probed_unknown


@rule("GL402", "dataset_path", "warning", "a dataset read only through the legacy mount path",
      "read the dataset through a helper that tries /kaggle/input/datasets/<owner>/<slug>/ first "
      "and /kaggle/input/<slug>/ second (goldloop's notebook template has one)", needs="metadata")
def legacy_only(ctx):
    analysis = _analyse(ctx)
    if analysis.v2_wildcard:
        return
    for cell, line, slug in analysis.legacy:
        if slug not in analysis.v2_slugs:
            yield (cell, line, f"dataset `{slug}` is read only as /kaggle/input/{slug}/; kernels "
                               "pushed through the API usually see it at "
                               f"/kaggle/input/datasets/<owner>/{slug}/ instead")


@rule("GL403", "dataset_path", "warning", "a source listed in the metadata is never read",
      "remove it from kernel-metadata.json, or read it (unused sources slow the kernel start)",
      needs="metadata")
def unused_source(ctx):
    sources = Sources.of(ctx.kernel)
    strings = ctx.string_values
    for owner, slug in sorted(sources.datasets):
        if not any(slug in s for s in strings):
            yield None, None, f"dataset {owner}/{slug} is in dataset_sources but never read"


_READ_CALLS = re.compile(r"^(read_\w+|open|load|loadtxt|genfromtxt|imread|ZipFile|load_model|"
                         r"load_dataset|Dataset|image_dataset_from_directory|flow_from_directory)$")
# The author's machine, or a tutorial's placeholder (/path/to/…, seen in a public kernel).
_AUTHOR_MACHINE = re.compile(r"^(?:[A-Za-z]:[/\\]|/Users/|/home/|~/|/mnt/[a-z]/|/content/drive/|/path/to/)")


def _conditional_lines(ctx) -> dict[object, set[int]]:
    """Per cell, the lines under an if/try/loop/def: code that may not run as written."""
    lines: dict[object, set[int]] = {}
    kinds = (ast.If, ast.Try, ast.For, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for cell, node in ctx.nodes(*kinds):
        blocks = [node.body, getattr(node, "orelse", []), getattr(node, "finalbody", []),
                  *(h.body for h in getattr(node, "handlers", []))]
        for stmt in (s for block in blocks for s in block):
            lines.setdefault(cell, set()).update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    return lines


def _reads(ctx):
    """(cell, call, evaluated first argument) for every file-reading call with a known path."""
    for cell, node in ctx.nodes(ast.Call):
        if node.args and _READ_CALLS.match(call_name(node)):
            value = evaluate(node.args[0], ctx.constants)
            if value and UNKNOWN not in value.split("/")[0]:
                yield cell, node, value


# Calls that only build, show or probe a path: an author-machine path in them breaks nothing.
_NOT_A_USE = re.compile(r"^(print|str|repr|format|join|Path|PurePath|PosixPath|WindowsPath|append|insert|"
                        r"exists|isdir|isfile|is_dir|is_file|glob|rglob|iglob|makedirs|mkdir|startswith|"
                        r"endswith|replace|info|debug|warning|write|log)$")


def _author_machine_uses(ctx):
    """Reads, and any other call handed a path on the author's machine as its first argument
    (``ImageFolder('/path/to/…')``, a package class given ``Path('D:/…') / 'x'``)."""
    for cell, node in ctx.nodes(ast.Call):
        if not node.args or _NOT_A_USE.match(call_name(node)):
            continue
        value = evaluate(node.args[0], ctx.constants)
        if value and UNKNOWN not in value.split("/")[0] and _AUTHOR_MACHINE.match(value):
            yield cell, node, value


def _relative_source(ctx, value: str) -> list[str]:
    """The parts of ``value`` when it is a relative path into a source (``titanic/train.csv``)."""
    names = Sources.of(ctx.kernel).legacy_slugs() | {"input", "kaggle"}
    parts = [p for p in value.replace("\\", "/").split("/") if p and p != "."]
    if value.startswith(("/", "../")) or len(parts) < 2 or parts[0] not in names:
        return []
    return parts


@rule("GL405", "dataset_path", "error", "a relative path to an input source",
      "Kaggle runs the kernel in /kaggle/working: read /kaggle/input/<slug>/… (or "
      "/kaggle/input/datasets/<owner>/<slug>/…), not <slug>/…", needs="metadata")
def relative_source_path(ctx):
    for cell, node, value in _reads(ctx):
        parts = _relative_source(ctx, value)
        if not parts:
            continue
        yield (cell.number, node.lineno,
               f"`{value}` is relative: from /kaggle/working it names "
               f"/kaggle/working/{'/'.join(parts)}, which does not exist")


@rule("GL406", "dataset_path", "error", "a file read from the author's own machine",
      "publish the file as a Kaggle dataset (or attach the competition) and read it from "
      "/kaggle/input; a local path never exists on Kaggle")
def author_machine_path(ctx):
    conditional = _conditional_lines(ctx)
    for cell, node, value in _author_machine_uses(ctx):
        if not _AUTHOR_MACHINE.match(value) or node.lineno in conditional.get(cell, set()):
            continue  # under an if/try/def: probably the local branch of a fallback
        yield cell.number, node.lineno, f"`{value}` is a path on the author's machine, not on Kaggle"


_WRITES = re.compile(r"^(to_\w+|save\w*|dump|write\w*|extract\w*|unpack_archive|urlretrieve|download\w*|"
                     r"copy\w*|move|makedirs|mkdir|rename|symlink_to|hf_hub_download|snapshot_download)$")
_ONLY_DISPLAY_MAGICS = re.compile(r"^%(matplotlib|time|timeit|config|load_ext|reload_ext|autoreload)\b")
# Shell lines that cannot put a data file into the working folder: installs, listings, and the
# kaggle client pushing the notebook itself (a public kernel does this, tests/validate/real_corpus).
_NO_FILE_SHELL = re.compile(r"^[!%]\s*(pip3?\s+(install|uninstall|list|show)\b|nvidia-smi\b|ls\b|pwd\b|"
                            r"kaggle\s+kernels\s+(push|init|status|list)\b)")


def _harmless_shell(text: str) -> bool:
    return bool(_NO_FILE_SHELL.match(text)) and ">" not in text and " -t " not in text and "--target" not in text


def _may_create_files(ctx) -> bool:
    """Shell lines, file-writing calls or downloads: a relative file could come from them."""
    if any(not _ONLY_DISPLAY_MAGICS.match(text) and not _harmless_shell(text)
           for cell in ctx.cells for _, text in cell.magic_lines):
        return True
    if any(not c.is_python for c in ctx.cells):
        return True
    return any(_WRITES.match(call_name(node)) for _, node in ctx.nodes(ast.Call))


@rule("GL407", "dataset_path", "error", "a relative file read that nothing in the kernel creates",
      "Kaggle starts the kernel in an empty /kaggle/working: attach the file as a dataset and read "
      "/kaggle/input/…, or create it earlier in the notebook", needs="metadata")
def unprovided_relative_file(ctx):
    if _may_create_files(ctx):
        return
    conditional = _conditional_lines(ctx)
    for cell, node, value in _reads(ctx):
        name = value.replace("\\", "/")
        if (name.startswith(("/", "../", "~")) or _AUTHOR_MACHINE.match(name) or "://" in name
                or "." not in name.rsplit("/", 1)[-1] or node.lineno in conditional.get(cell, set())
                or _relative_source(ctx, value)):  # GL405 names those
            continue
        yield (cell.number, node.lineno,
               f"`{value}` is read from /kaggle/working, which starts empty, and the kernel never "
               "creates it")


def _uses_file_dunder(node: ast.AST, dirs: set[str] = frozenset()) -> bool:
    return any(isinstance(n, ast.Name) and (n.id == "__file__" or n.id in dirs) for n in ast.walk(node))


def _beside_code_file(ctx) -> dict[str, tuple[object, int, str]]:
    """Names bound to ``os.path.join(<dir of __file__>, 'x.csv')`` or ``Path(__file__).parent /
    'x.csv'``: name → (cell, line, file name)."""
    bound: dict[str, tuple[object, int, str]] = {}
    dirs = {t.id for _, node in ctx.nodes(ast.Assign) if _uses_file_dunder(node.value)
            for t in node.targets if isinstance(t, ast.Name)}  # here = os.path.dirname(__file__)
    for cell, node in ctx.nodes(ast.Assign):
        value = node.value
        if isinstance(value, ast.Call) and call_name(value) == "join" and len(value.args) >= 2:
            base, last = value.args[0], value.args[-1]
        elif isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div):
            base, last = value.left, value.right
        else:
            continue
        name = last.value if isinstance(last, ast.Constant) and isinstance(last.value, str) else ""
        if "." in name and _uses_file_dunder(base, dirs):
            for target in node.targets:
                key = target.id if isinstance(target, ast.Name) else getattr(target, "attr", None)
                if key:
                    bound[key] = (cell, node.lineno, name)
    return bound


@rule("GL408", "dataset_path", "error", "a file read from beside the code file",
      "`kaggle kernels push` uploads only code_file: publish the file as a dataset and read it "
      "from /kaggle/input, or create it earlier in the run")
def beside_code_file(ctx):
    bound = _beside_code_file(ctx)
    if not bound:
        return
    for cell, node in ctx.nodes(ast.Call):
        if not node.args or not _READ_CALLS.match(call_name(node)):
            continue
        arg = node.args[0]
        key = arg.id if isinstance(arg, ast.Name) else getattr(arg, "attr", None)
        if key in bound:
            yield (cell.number, node.lineno, f"`{bound[key][2]}` is read from the code file's own folder "
                   f"(`{key}`, set on line {bound[key][1]}), where the push uploads nothing but the code")
