"""PreToolUse on Bash: refuse Kaggle pushes, hand-polling and shell edits of the state file.

The original kept these rules in prompts ("never push directly", "never poll by hand");
here a shell command is split into simple commands with ``shlex`` and each is checked.
Standard library only: this runs before every Bash call.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import Any

from goldloop.hooks.output import deny

TOOL = "mcp__plugin_goldloop_goldloop__"

PUSH_REASON = (
    "Blocked by goldloop: never push a kernel with `kaggle kernels push`. Submit through the "
    f"goldloop tool kaggle_submit ({TOOL}kaggle_submit, or /submit): it validates the notebook "
    "first, handles 409 Conflict, records the kernel in shared/state.json and starts the monitor."
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

KAGGLE_PROGRAMS = {"kaggle", "kaggle.exe", "kaggle.cli"}
KERNEL_GROUPS = {"kernels", "k"}
# Programs whose arguments merely mention a command (`git commit -m "… kaggle kernels push"`).
QUOTING_PROGRAMS = {"echo", "printf", "grep", "rg", "git", "cat", "man", "which", "type", "less", "head", "tail"}
# Programs that change any file named in their arguments.
ANY_ARG_WRITERS = {"tee", "rm", "truncate", "touch", "unlink", "shred", "sponge", "chmod", "chown"}
# Programs that change only their last argument (the destination).
DEST_WRITERS = {"cp", "install", "ln", "rsync", "scp"}
INLINE_FLAGS = {"-c", "-e", "-pe", "-ne", "-pie", "--eval", "-Command"}
WRITE_CODE_RE = re.compile(
    r"""open\([^)]*['"][wa+]|write_text|write_bytes|\.write\(|json\.dump\(|unlink|os\.remove|"""
    r"""os\.replace|\.replace\(|rename|writeFile|Set-Content|Out-File|>"""
)
KERNELS_API_RE = re.compile(r"\bkernels?_(push|status)")
FALLBACK_RE = re.compile(r"\bkaggle(?:\.exe)?['\"]?\s+(?:kernels|k)\s+(push|status)\b")
SEPARATORS = {";", "&", "&&", "|", "||", "(", ")", "|&", ";;"}
ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _simple_commands(command: str) -> list[list[str]]:
    """Split a shell line into simple commands (token lists); raises ValueError on bad quoting."""
    lexer = shlex.shlex(command.replace("\r", " ").replace("\n", " ; "), posix=True,
                        punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _program(tokens: list[str]) -> tuple[str, int]:
    """The program name (lower case, no directory, no .exe) and its index, skipping VAR=value."""
    for i, token in enumerate(tokens):
        if not ASSIGNMENT_RE.match(token):
            name = os.path.basename(token.replace("\\", "/")).lower()
            return (name[:-4] if name.endswith(".exe") else name), i
    return "", len(tokens)


def is_state_path(token: str) -> bool:
    path = token.replace("\\", "/").strip("'\"")
    return path == "shared/state.json" or path.endswith("/shared/state.json")


def _kaggle_action(tokens: list[str]) -> str | None:
    for i, token in enumerate(tokens):
        if os.path.basename(token.replace("\\", "/")).lower() not in KAGGLE_PROGRAMS:
            continue
        words = [t for t in tokens[i + 1:] if not t.startswith("-")]
        if len(words) >= 2 and words[0] in KERNEL_GROUPS and words[1] in ("push", "status"):
            return words[1]
    return None


def _writes_state(tokens: list[str], program: str, start: int) -> bool:
    args = tokens[start + 1:]
    for i, token in enumerate(tokens):
        if is_state_path(token) and i > 0 and ">" in tokens[i - 1] and set(tokens[i - 1]) <= set("<>|&0123456789"):
            return True  # redirection onto the state file
        if token.startswith("of=") and is_state_path(token[3:]):
            return True  # dd of=…
    if not any(is_state_path(t) for t in args):
        return False
    if program in ANY_ARG_WRITERS:
        return True
    if program in ("mv", "move", "ren", "rename"):
        return True  # moving it away or onto it both replace the file outside the store
    if program in DEST_WRITERS:
        return is_state_path(args[-1])
    if program in ("sed", "perl", "ruby") and any(a.startswith("-i") or (a.startswith("-") and "i" in a[1:] and program != "sed") for a in args):
        return True
    return program == "git" and bool(args) and args[0] in ("checkout", "restore", "rm", "mv", "apply")


def _inline_code(tokens: list[str]) -> list[str]:
    return [tokens[i + 1] for i, t in enumerate(tokens[:-1]) if t in INLINE_FLAGS or t == "eval"]


def check_command(command: str, depth: int = 0) -> str | None:
    """The denial reason for a shell command line, or None when it is allowed."""
    if KERNELS_API_RE.search(command) and "kaggle" in command:
        return POLL_REASON if KERNELS_API_RE.search(command).group(1) == "status" else PUSH_REASON
    try:
        commands = _simple_commands(command)
    except ValueError:  # unbalanced quotes: fall back to plain patterns
        match = FALLBACK_RE.search(command)
        if match:
            return PUSH_REASON if match.group(1) == "push" else POLL_REASON
        return STATE_REASON if "shared/state.json" in command.replace("\\", "/") and ">" in command else None
    for tokens in commands:
        program, start = _program(tokens)
        if program not in QUOTING_PROGRAMS:
            action = _kaggle_action(tokens[start:])
            if action:
                return PUSH_REASON if action == "push" else POLL_REASON
        if _writes_state(tokens, program, start):
            return STATE_REASON
        for code in _inline_code(tokens):
            if "state.json" in code and WRITE_CODE_RE.search(code):
                return STATE_REASON
            if depth < 3:
                inner = check_command(code, depth + 1)
                if inner:
                    return inner
    return None


def handle(event: dict[str, Any]) -> dict[str, Any] | None:
    command = (event.get("tool_input") or {}).get("command")
    if not isinstance(command, str) or not command.strip():
        return None
    reason = check_command(command)
    return deny(reason) if reason else None
