"""Find goldloop's Python environment and run a hook or the MCP server in it.

Claude Code starts hooks and the MCP server with whatever ``python3`` (or ``python``) is on
PATH, which usually lacks goldloop's dependencies. This file uses the standard library
only (any Python 3.8+) and picks the environment, first match wins:

1. ``GOLDLOOP_PYTHON`` (an interpreter path you set),
2. ``<plugin root>/.venv`` (``make install`` in a clone of the repository),
3. ``<plugin data>/venv`` (created by ``setup``: the SessionStart hook starts it in the
   background when an installed plugin has no environment yet),
4. the interpreter running this file, when it already has goldloop's dependencies.

Creating an environment is never done while the MCP server is being spawned (Claude Code
waits for the server at most MCP_CONNECT_TIMEOUT_MS, 5 s by default); only SessionStart
starts ``setup``.

Usage: ``python3 launch.py mcp`` | ``hook NAME`` | ``setup`` | ``where``.
"""

import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOWS = os.name == "nt"
NEEDED = ("pydantic", "mcp", "filelock")  # a sample that tells a goldloop environment apart


def _venv_python(venv):
    return os.path.join(venv, "Scripts", "python.exe") if WINDOWS else os.path.join(venv, "bin", "python")


def data_dir():
    """Per-plugin persistent data: ``CLAUDE_PLUGIN_DATA`` from Claude Code, else ~/.goldloop."""
    return os.environ.get("CLAUDE_PLUGIN_DATA") or os.path.join(os.path.expanduser("~"), ".goldloop")


def candidates():
    explicit = os.environ.get("GOLDLOOP_PYTHON")
    if explicit:
        yield explicit
    yield _venv_python(os.path.join(ROOT, ".venv"))
    yield _venv_python(os.path.join(data_dir(), "venv"))


def _has_deps():
    return all(importlib.util.find_spec(name) is not None for name in NEEDED)


def find_python():
    """The interpreter to run goldloop with, or None when no environment exists yet."""
    for path in candidates():
        if path and os.path.isfile(path):
            return path
    return sys.executable if _has_deps() else None


def child_env():
    env = dict(os.environ)
    # The plugin's own copy of goldloop wins over any installed one.
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def missing_message():
    return (
        "goldloop's Python environment is missing. In a clone of the repository run `make install` "
        "(creates .venv); for an installed plugin start a new Claude Code session (SessionStart "
        "creates " + os.path.join(data_dir(), "venv") + ") or set GOLDLOOP_PYTHON to an interpreter "
        "that has goldloop's dependencies (pip install goldloop)."
    )


def run_mcp():
    python = find_python()
    if python is None:
        sys.stderr.write(missing_message() + "\n")
        return 1
    argv = [python, "-m", "mcp_server"]
    if WINDOWS:  # execv on Windows spawns a new process and breaks the stdio pipes
        return subprocess.call(argv, env=child_env())
    os.execve(python, argv, child_env())
    return 1  # not reached


def run_cli(args):
    python = find_python()
    if python is None:
        sys.stderr.write(missing_message() + "\n")
        return 2
    return subprocess.call([python, "-m", "goldloop.cli", *args], env=child_env())


def _emit_setup_notice(event):
    """SessionStart without an environment: start setup and tell the model what is going on."""
    started = start_setup()
    note = missing_message()
    if started:
        note += " Setup started in the background (log: " + os.path.join(data_dir(), "setup.log") + ")."
    out = {"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "goldloop: " + note}}
    if event == "SessionStart":
        _write(json.dumps(out))
    else:
        _write(json.dumps({"systemMessage": "goldloop hook skipped: " + note}))
    return 0


def _write(text):
    """Hook output as UTF-8 bytes: Claude Code reads UTF-8, whatever the locale (a Windows
    pipe defaults to cp1252 / cp932, which cannot even encode every character we print)."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def run_hook(name):
    """Run ``goldloop.hooks`` handler ``name`` on the JSON event from stdin."""
    raw = sys.stdin.buffer.read()
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    try:
        from goldloop.hooks import dispatch  # stdlib-only guards run right here, fast
    except ImportError:
        dispatch = None
    if dispatch is not None:
        try:
            out, code = dispatch(name, raw.decode("utf-8", errors="replace"))
        except ImportError as exc:  # the handler needs a dependency this interpreter lacks
            if getattr(exc, "name", "") and str(exc.name).startswith("goldloop"):
                raise
        else:
            _write(out)
            return code
    python = find_python()
    if python is None or os.path.abspath(python) == os.path.abspath(sys.executable):
        try:
            event = json.loads(raw or b"{}").get("hook_event_name", "")
        except ValueError:
            event = ""
        return _emit_setup_notice(event)
    done = subprocess.run([python, "-m", "goldloop.hooks", name], input=raw, env=child_env(),
                          stdout=subprocess.PIPE)
    sys.stdout.buffer.write(done.stdout)  # already UTF-8 (the child writes bytes too)
    sys.stdout.flush()
    return done.returncode


def start_setup():
    """Start ``setup`` detached unless an environment exists or a setup is running."""
    if find_python() is not None:
        return False
    folder = data_dir()
    os.makedirs(folder, exist_ok=True)
    lock = os.path.join(folder, "setup.lock")
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    log = open(os.path.join(folder, "setup.log"), "ab")
    flags = {"creationflags": 0x00000008 | 0x00000200} if WINDOWS else {"start_new_session": True}
    subprocess.Popen([sys.executable, os.path.abspath(__file__), "setup"], stdin=subprocess.DEVNULL,
                     stdout=log, stderr=log, **flags)
    return True


def setup():
    """Create ``<plugin data>/venv`` and install goldloop (with its dependencies) into it."""
    folder = data_dir()
    venv = os.path.join(folder, "venv")
    try:
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([_venv_python(venv), "-m", "pip", "install", "-q", ROOT + "[offline]"])
    finally:
        try:
            os.remove(os.path.join(folder, "setup.lock"))
        except OSError:
            pass
    return 0


def main(argv):
    command = argv[1] if len(argv) > 1 else "where"
    if command == "mcp":
        return run_mcp()
    if command == "hook" and len(argv) > 2:
        return run_hook(argv[2])
    if command == "cli":
        return run_cli(argv[2:])
    if command == "setup":
        return setup()
    if command == "where":
        print(find_python() or missing_message())
        return 0
    sys.stderr.write("usage: launch.py mcp | hook NAME | cli ARGS... | setup | where\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
