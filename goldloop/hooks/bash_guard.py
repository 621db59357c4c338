"""PreToolUse on Bash: refuse Kaggle pushes, hand-polling and shell edits of the state file.

The original kept these rules in prompts ("never push directly", "never poll by hand"). A
shell can spell a command in endless ways, so this guard denies what it cannot read rather
than trying to read everything: a command that talks about Kaggle together with a push, a
save or a kernel status poll is allowed only when every part of it merely *mentions* the
words (a commit message, a grep) — no expansion (`$K`, `$(…)`, backticks), no pipe into a
shell or `xargs`, no interpreter. Scripts and task files it runs (`python push_it.py`,
`make push`) are read first. The state file is recognised however its path is written
(`shared//state.json`, `cd shared && … state.json`, `f=…; > $f`, symlinks) and in code
fed to an interpreter (`-c`, heredocs, scripts).

Hooks fail open in Claude Code (a crash or timeout lets the call through), so this is a
fence, not the lock: kaggle_submit validates itself and the state store notices edits.
Standard library only: this runs before every Bash call. The word lists are data in
:mod:`goldloop.hooks.guard_words`.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
from pathlib import Path
from typing import Any

from goldloop.hooks import guard_words as W
from goldloop.hooks.output import deny

TOOL = "mcp__plugin_goldloop_goldloop__"

PUSH_REASON = (
    "Blocked by goldloop: never push a kernel with `kaggle kernels push` (or the Kaggle API, in any "
    "spelling). Submit through the goldloop tool kaggle_submit "
    f"({TOOL}kaggle_submit, or /submit): it validates the notebook first, handles 409 Conflict, "
    "records the kernel in shared/state.json and starts the monitor."
)
POLL_REASON = (
    "Blocked by goldloop: never poll Kaggle by hand (`kaggle kernels status`). The background "
    "monitor polls every minute, fetches the outputs and updates state. Use the goldloop tool "
    f"kaggle_monitor ({TOOL}kaggle_monitor) or /status to see where a kernel is."
)
STATE_REASON = (
    "Blocked by goldloop: shared/state.json is changed only through the state tools "
    f"(state_transition, commit_step, … as {TOOL}<tool>), which lock the file, validate the "
    "change and record it in the history. Reading it (cat, jq) is fine."
)
UNREADABLE_REASON = (
    "Blocked by goldloop: this command decodes text and runs it (base64/xxd/… into a shell or "
    "interpreter), so nobody can check it before it runs. Run the decoded command itself; to "
    f"submit a kernel use kaggle_submit ({TOOL}kaggle_submit)."
)

SEPARATORS = {";", "&", "&&", "|", "||", "(", ")", "|&", ";;", "{", "}"}
ASSIGNMENT_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)
VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
EXPANSION_RE = re.compile(r"\$[A-Za-z_{(]|`")
HEREDOC_RE = re.compile(r"<<(-?)[ \t]*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2[^\n]*\n")
BASE64_RE = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
KERNEL_RE = re.compile(r"(?<![a-z])(?:kernels?|k)(?![a-z])")
WRITE_CODE_RE = re.compile(W.WRITE_CODE)
SCRIPT_NAME_RE = re.compile(r"""['"]([^'"\s]+\.(?:py|sh|ipynb|js|rb|pl|ps1))['"]""")
PLUGIN_ROOT_RE = re.compile(r"\$\{?CLAUDE_PLUGIN_ROOT\}?")  # the plugin's own launcher path, set by Claude Code
SQUEEZE_RE = re.compile(r"""['"`+\\\s]""")
MAX_SCRIPT_BYTES = 2_000_000
MAX_DEPTH = 4


# -- reading a command line ---------------------------------------------------------------------
def _split_heredocs(command: str) -> tuple[str, list[str]]:
    """The command without its heredoc bodies, and the bodies (fed to stdin of their command)."""
    bodies: list[str] = []
    out, pos = [], 0
    for match in HEREDOC_RE.finditer(command):
        if match.start() < pos:
            continue
        end_re = re.compile(rf"^[\t ]*{re.escape(match.group(3))}[ \t]*$", re.M)
        end = end_re.search(command, match.end())
        stop = end.start() if end else len(command)
        out.append(command[pos:match.end()])
        bodies.append(command[match.end():stop])
        pos = end.end() if end else len(command)
    out.append(command[pos:])
    return "".join(out), bodies


def _segments(command: str) -> list[tuple[list[str], str]]:
    """Simple commands as (tokens, the separator that follows); raises ValueError on bad quoting."""
    lexer = shlex.shlex(command.replace("\r", " ").replace("\n", " ; "), posix=True,
                        punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    segments: list[tuple[list[str], str]] = [([], "")]
    for token in lexer:
        if token in SEPARATORS:
            segments[-1] = (segments[-1][0], token)
            segments.append(([], ""))
        else:
            segments[-1][0].append(token)
    return [s for s in segments if s[0]]


def _name(token: str) -> str:
    name = os.path.basename(token.replace("\\", "/")).lower()
    for suffix in (".exe", ".cmd", ".bat"):
        name = name.removesuffix(suffix)
    return re.sub(r"^(python|pypy)[0-9.]*$", r"\1", name)


def _program(tokens: list[str]) -> tuple[str, int]:
    """The program (lower case, no directory, no .exe) and its index, past VAR=value and wrappers."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if ASSIGNMENT_RE.match(token) or (token.startswith("-") and i and _name(tokens[i - 1]) in W.WRAPPERS):
            i += 1
            continue
        name = _name(token)
        if name in W.WRAPPERS and name not in ("eval", "source", ".", "xargs", "watch") and i + 1 < len(tokens):
            i += 1
            continue
        return name, i
    return "", len(tokens)


def squeeze(text: str) -> str:
    """Lower case with quotes, `+`, backslashes and spaces removed: 'kag'+'gle' → kaggle."""
    return SQUEEZE_RE.sub("", text).lower()


def _decoded(text: str) -> str:
    """Printable text hidden in base64 literals of ``text`` (one level)."""
    found = []
    for run in BASE64_RE.finditer(text):
        try:
            value = base64.b64decode(run.group() + "=" * (-len(run.group()) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if value.isprintable() or "\n" in value:
            found.append(value)
    return "\n".join(found)


def kaggle_action(text: str) -> str | None:
    """"push" or "status" when ``text`` talks about pushing or polling a Kaggle kernel."""
    lowered = text.lower()
    for view in (lowered, squeeze(text)):
        if not any(w in view for w in W.KAGGLE_WORDS):
            continue
        if any(re.search(rf"(?<![a-z]){w}(?![a-z])", view) for w in W.PUSH_WORDS):
            return "push"
        if "save" in view and KERNEL_RE.search(lowered):
            return "push"
        if any(re.search(rf"(?<![a-z]){w}(?![a-z])", view) for w in W.POLL_WORDS) and (
                KERNEL_RE.search(lowered) or "kernel" in view):
            return "status"
    return None


def _reason(action: str) -> str:
    return PUSH_REASON if action == "push" else POLL_REASON


# -- where the state file is --------------------------------------------------------------------
class Places:
    """Resolves paths as the shell would: the cwd (after `cd`), variables, `.`/`..`/`//`, links."""

    def __init__(self, cwd: str | None, command: str = "") -> None:
        self.known = bool(cwd)  # files can be read only when the hook was told the cwd
        self.cwd = Path(cwd) if cwd else Path(".")
        self.variables: dict[str, str] = {}
        self.state = self._state_file(self.cwd) if cwd else None
        self.mentions_state = "state.json" in squeeze(command)

    @staticmethod
    def _state_file(cwd: Path) -> Path | None:
        for folder in (cwd, *cwd.parents):
            if (folder / "goldloop.toml").is_file():
                return folder / "shared" / "state.json"
        return None

    def expand(self, token: str) -> str:
        return VARIABLE_RE.sub(lambda m: self.variables.get(m.group(1) or m.group(2), m.group(0)), token)

    def is_state(self, token: str) -> bool:
        raw = self.expand(token).strip("'\"").replace("\\", "/")
        if self.mentions_state and EXPANSION_RE.search(raw):
            return True  # an unresolved $VAR or $(…) in a command that names the state file
        path = Path(os.path.normpath(self.cwd / raw))
        if self.state is not None and _same(path, self.state):
            return True  # also a symlink or another spelling of the same file
        lowered = path.as_posix().lower()
        return lowered.endswith("shared/state.json") or (lowered == "state.json" and self.in_shared())

    def in_shared(self) -> bool:
        return Path(os.path.normpath(self.cwd)).name.lower() == "shared"

    def cd(self, target: str | None) -> None:
        if target and not EXPANSION_RE.search(target):
            self.cwd = Path(os.path.normpath(self.cwd / self.expand(target)))


def _same(path: Path, state: Path) -> bool:
    """One file, however named: symlinks, hard links, case on case-insensitive file systems."""
    try:
        return path.exists() and state.exists() and os.path.samefile(path, state)
    except OSError:
        return os.path.normcase(str(path)) == os.path.normcase(str(state))


def _writes_state(tokens: list[str], program: str, start: int, places: Places) -> bool:
    args = tokens[start + 1:]
    for i, token in enumerate(tokens):
        if i and ">" in tokens[i - 1] and set(tokens[i - 1]) <= set("<>|&0123456789") and places.is_state(token):
            return True  # redirection onto the state file
        if token.startswith("of=") and places.is_state(token[3:]):
            return True  # dd of=…
    hits = [places.is_state(a) for a in args]
    if not any(hits):
        return False
    if program in W.ANY_ARG_WRITERS:
        return True  # moving it away, linking to it or touching it all bypass the store
    if program in W.DEST_WRITERS:
        return hits[-1]
    if program in W.IN_PLACE_FLAGS and any(a.startswith(W.IN_PLACE_FLAGS[program]) for a in args):
        return True
    return program == "git" and bool(args) and args[0] in W.GIT_STATE_WRITERS


def code_writes_state(code: str, places: Places) -> bool:
    """Code (Python, JS, PowerShell…) that names the state file and writes files."""
    squeezed = squeeze(code)
    names_state = "state.json" in squeezed and ("shared" in squeezed or places.in_shared())
    return names_state and bool(WRITE_CODE_RE.search(code))


# -- scripts the command runs -------------------------------------------------------------------
def _read(path: Path) -> str | None:
    try:
        if path.is_file() and path.stat().st_size <= MAX_SCRIPT_BYTES:
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass  # unreadable: treated like a missing file (the guard is a fence; kaggle_submit is the lock)
    return None


def _scripts(program: str, tokens: list[str], start: int, places: Places) -> list[tuple[str, str | None]]:
    """(name, text or None when unreadable) of the files this simple command runs."""
    if not places.known or start >= len(tokens):
        return []
    args = [places.expand(t) for t in tokens[start + 1:]]
    found: list[tuple[str, str | None]] = []
    if program in W.TASK_FILES:
        folder = places.cwd
        for flag in ("-C", "--directory"):
            if flag in args and args.index(flag) + 1 < len(args):
                folder = folder / args[args.index(flag) + 1]
        names = [args[args.index("-f") + 1]] if "-f" in args and args.index("-f") + 1 < len(args) else W.TASK_FILES[program]
        targets = [a for a in args if not a.startswith("-") and "=" not in a]
        for name in names:
            text = _read(folder / name)
            if text is not None:
                found.append((name, make_recipes(text, targets) if program in ("make", "gmake") else text))
        return found
    if program == "git":
        sub = next((a for a in args if not a.startswith("-")), "")
        alias = git_alias(sub, places.cwd)
        return [(f"git alias {sub}", alias)] if alias else []
    candidates = [tokens[start]] if "/" in tokens[start].replace("\\", "/") and program not in W.INTERPRETERS else []
    if program in W.INTERPRETERS or program in ("source", "."):
        candidates += [a for a in args if not a.startswith("-") and (
            a.lower().endswith(W.SCRIPT_SUFFIXES) or (places.cwd / a).is_file())][:1]
    for name in candidates:
        found.append((name, _read(places.cwd / name)))
    return found


def make_recipes(makefile: str, targets: list[str]) -> str:
    """The recipe lines `make TARGETS` runs (with their prerequisites); all of them if unsure."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] = []
    first = None
    for line in makefile.splitlines():
        if line.startswith("\t") and current:
            for name in current:
                rules[name][1].append(line)
            continue
        match = re.match(r"^([A-Za-z0-9_.%/ -]+?)\s*::?(?!=)\s*(.*)$", line)
        if match and not line.startswith((" ", "#")):
            current = match.group(1).split()
            for name in current:
                rules.setdefault(name, ([], []))[0].extend(match.group(2).split(";")[0].split())
                first = first or (name if not name.startswith(".") else None)
        elif line.strip():
            current = []
    wanted, seen, lines = list(targets or ([first] if first else [])), set(), []
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in rules:
            return makefile  # a pattern rule or an include: read it all
        deps, recipe = rules[name]
        wanted += deps
        lines += recipe
    return "\n".join(lines)


def git_alias(name: str, cwd: Path) -> str | None:
    """The text of git alias ``name`` from the repository's or the user's git config."""
    if not name or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        return None
    configs = [folder / ".git" / "config" for folder in (cwd, *cwd.resolve().parents)]
    configs += [Path.home() / ".gitconfig", Path.home() / ".config" / "git" / "config"]
    for config in configs:
        text = _read(config)
        section = re.search(r"^\s*\[alias\]\s*$(.*?)(?=^\s*\[|\Z)", text or "", re.M | re.S)
        line = re.search(rf"^\s*{re.escape(name)}\s*=\s*(.+)$", section.group(1), re.M) if section else None
        if line:
            return line.group(1)
    return None


# -- the verdict ------------------------------------------------------------------------------
def _mention_only(tokens: list[str], program: str, start: int) -> bool:
    args = tokens[start + 1:start + 3]
    if len(args) == 2 and args[0].replace("\\", "/").endswith("hooks/launch.py") and args[1] == "cli":
        return True  # `python3 "${CLAUDE_PLUGIN_ROOT}/hooks/launch.py" cli …` is the goldloop CLI
    if program == "git":
        sub = next((t for t in tokens[start + 1:] if not t.startswith("-")), "")
        return sub in W.GIT_MENTION_SUBCOMMANDS and "-c" not in tokens[start + 1:]
    return program in W.MENTION_PROGRAMS


def _inline_code(tokens: list[str], program: str) -> list[str]:
    """Code given on the command line: `-c`/`-e`/`-ec`/`--eval`/`-Command` and eval's arguments."""
    if program == "eval":
        return [" ".join(tokens[1:])]
    codes = []
    for i, token in enumerate(tokens[:-1]):
        if token in ("--eval", "-Command", "-command", "/c", "/C", "-EncodedCommand") or (
                re.fullmatch(r"-[a-zA-Z]*[ce][a-zA-Z]*", token) and program in W.INTERPRETERS):
            codes.append(tokens[i + 1])
    return codes


def check_command(command: str, cwd: str | None = None, depth: int = 0) -> str | None:
    """The denial reason for a shell command line, or None when it is allowed."""
    places = Places(cwd, command)
    line, bodies = _split_heredocs(command)
    decoded = _decoded(command)
    action = kaggle_action(command) or (kaggle_action(decoded) if decoded else None)
    try:
        segments = _segments(line)
    except ValueError:  # unbalanced quotes: nothing can be read, so judge the words alone
        if action:
            return _reason(action)
        return STATE_REASON if "state.json" in squeeze(command) and (
            ">" in command or WRITE_CODE_RE.search(command)) else None

    risky = bool(EXPANSION_RE.search(PLUGIN_ROOT_RE.sub("", line)))
    feeds_code = False
    previous_sep = ""
    decoder_in_pipe = False
    body_index = 0
    for tokens, sep in segments:
        program, start = _program(tokens)
        piped_in = previous_sep in ("|", "|&")
        decoder_in_pipe = (decoder_in_pipe and piped_in) or program in W.DECODERS
        if piped_in and (program in W.INTERPRETERS or program in ("xargs", "eval", "source", ".", "parallel")):
            feeds_code = True
            if decoder_in_pipe:
                return UNREADABLE_REASON
        for i, token in enumerate(tokens):
            match = ASSIGNMENT_RE.match(token)
            if match and i < start:
                places.variables[match.group(1)] = match.group(2)
        if start == len(tokens) or program in ("export", "declare", "local", "typeset", "readonly"):
            for token in tokens:  # `f=shared/state.json`, `export f=…`
                match = ASSIGNMENT_RE.match(token)
                if match:
                    places.variables[match.group(1)] = match.group(2)
        if _writes_state(tokens, program, start, places):
            return STATE_REASON
        if program in ("cd", "pushd"):
            places.cd(tokens[start + 1] if start + 1 < len(tokens) else None)
        if not _mention_only(tokens, program, start) and start < len(tokens):
            risky = True
        # code handed to an interpreter: inline, heredoc, or a file it runs
        codes = _inline_code(tokens[start:], program)
        if any(t.startswith("<<") for t in tokens) and body_index < len(bodies):
            body = bodies[body_index]
            body_index += 1
            if program in W.INTERPRETERS or program in ("xargs", "eval", "source", "."):
                codes.append(body)
            elif any(">" in t for t in tokens) and any(places.is_state(t) for t in tokens):
                return STATE_REASON
        for code in codes:
            if code_writes_state(code, places):
                return STATE_REASON
            for name in SCRIPT_NAME_RE.findall(code) if places.known else ():  # exec(open('p.py').read())
                text = _read(places.cwd / name)
                if text is not None and kaggle_action(text):
                    return _reason(kaggle_action(text)) + f" (the file {name} it runs does this)"
            if depth < MAX_DEPTH and program in ("sh", "bash", "zsh", "dash", "ksh", "eval", "cmd",
                                                 "pwsh", "powershell", "busybox"):
                inner = check_command(code, str(places.cwd) if places.cwd else None, depth + 1)
                if inner:
                    return inner
            code_action = kaggle_action(code)
            if code_action:
                return _reason(code_action)
        for name, text in _scripts(program, tokens, start, places):
            if text is None:
                continue
            script_action = kaggle_action(text)
            if script_action:
                return _reason(script_action) + f" (the script {name} it runs does this)"
            if code_writes_state(text, places):
                return STATE_REASON + f" (the script {name} it runs writes it)"
        previous_sep = sep
    if action and (risky or feeds_code):
        return _reason(action)
    if any(code_writes_state(body, places) for body in bodies) and feeds_code:
        return STATE_REASON
    return None


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    command = (event.get("tool_input") or {}).get("command")
    if not isinstance(command, str) or not command.strip():
        return None
    reason = check_command(command, event.get("cwd") if isinstance(event.get("cwd"), str) else None)
    return deny(reason) if reason else None


def is_state_path(path: str, cwd: str | None = None) -> bool:
    """For the Write/Edit guard: is ``path`` (absolute, or relative to ``cwd``) the state file?"""
    places = Places(cwd)
    if places.state is None and Path(path).is_absolute():
        places.state = Places._state_file(Path(path).parent)
    return places.is_state(path)
