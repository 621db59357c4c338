"""Find goldloop's Python environment and run a hook or the MCP server in it.

Claude Code starts hooks and the MCP server with whatever ``python3`` (or ``python``) is on
PATH, which usually lacks goldloop's dependencies. This file uses the standard library
only (any Python 3.8+) and picks the environment, first match wins:

1. ``GOLDLOOP_PYTHON`` (an interpreter path you set),
2. ``<plugin root>/.venv`` (``make install`` in a clone of the repository),
3. ``<plugin data>/venv`` once ``setup`` finished it (a ready marker, written only after its
   dependencies imported; a half-made venv never counts),
4. the interpreter running this file, when it already has goldloop's dependencies.

``setup`` installs from the same lock as ``make install``: uv (pinned like the Makefile, in a
small venv of its own) runs ``uv sync --frozen --extra offline --no-install-project`` into
``<plugin data>/venv``; goldloop itself runs from the plugin root through PYTHONPATH, so a
read-only plugin root is fine. Only SessionStart starts ``setup`` (never the MCP spawn:
Claude Code waits for the server at most MCP_CONNECT_TIMEOUT_MS), in the background. A failed
setup is reported with its log's last lines and retried after a growing pause
(``BACKOFF_S``); a setup killed half-way is noticed by its pid.

Usage: ``python3 launch.py mcp`` | ``hook NAME`` | ``setup`` | ``where``.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WINDOWS = os.name == "nt"
NEEDED = ("pydantic", "mcp", "filelock")  # a sample that tells a goldloop environment apart
UV_VERSION = "0.13.9"  # the Makefile's pin
EXTRAS = ("--extra", "offline")
READY = ".goldloop-ready"  # in the venv: written last, after the import check passed
IMPORT_CHECK = "import pydantic, mcp, filelock, fastjsonschema, psutil, goldloop.cli, mcp_server.server"
BACKOFF_S = (60, 300, 1800, 3600)  # pause before retry after the 1st, 2nd, 3rd, later failures
STALE_SETUP_S = 1800  # a "running" setup older than this is taken as dead (Windows: no pid check)
LOG_TAIL_LINES = 8


def _venv_python(venv):
    return os.path.join(venv, "Scripts", "python.exe") if WINDOWS else os.path.join(venv, "bin", "python")


def data_dir():
    """Per-plugin persistent data: ``CLAUDE_PLUGIN_DATA`` from Claude Code, else ~/.goldloop."""
    return os.environ.get("CLAUDE_PLUGIN_DATA") or os.path.join(os.path.expanduser("~"), ".goldloop")


def venv_dir():
    return os.path.join(data_dir(), "venv")


def lock_hash():
    try:
        with open(os.path.join(ROOT, "uv.lock"), "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def ready_marker():
    """The setup venv's marker ({"lock": …}) or None when setup never finished."""
    try:
        with open(os.path.join(venv_dir(), READY), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def candidates():
    explicit = os.environ.get("GOLDLOOP_PYTHON")
    if explicit:
        yield explicit
    yield _venv_python(os.path.join(ROOT, ".venv"))
    if ready_marker() is not None:  # an older lock still works while setup re-syncs
        yield _venv_python(venv_dir())


def _has_deps():
    return all(importlib.util.find_spec(name) is not None for name in NEEDED)


def find_python():
    """The interpreter to run goldloop with, or None when no environment exists yet."""
    for path in candidates():
        if path and os.path.isfile(path):
            return path
    return sys.executable if _has_deps() else None


def manifest_path():
    """The MCP handshake recorded by setup for its venv (mcp_server/manifest.py)."""
    return os.path.join(data_dir(), "mcp-manifest.json")


def child_env():
    env = dict(os.environ)
    # The plugin's own copy of goldloop wins over any installed one.
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env.setdefault("GOLDLOOP_MCP_MANIFEST", manifest_path())  # the MCP server's fast start
    if not os.access(ROOT, os.W_OK):  # a read-only plugin root: keep compiled code in plugin data
        env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(data_dir(), "pycache"))
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
        # Exiting would make Claude Code skip this server for 15 minutes (a failed plugin
        # server is cached as "needs auth"), so the session after setup would have no tools.
        return serve_setup_stub()
    argv = [python, "-m", "mcp_server"]
    if WINDOWS:  # execv on Windows spawns a new process and breaks the stdio pipes
        return subprocess.call(argv, env=child_env())
    os.execve(python, argv, child_env())
    return 1  # not reached


def serve_setup_stub():
    """A minimal MCP server (standard library, JSON-RPC over stdio) with one tool that tells
    how goldloop's setup stands, served while no environment exists."""
    tool = {"name": "setup_status", "inputSchema": {"type": "object", "properties": {}},
            "description": "goldloop's Python environment is not ready yet: how its setup stands and what to do."}

    def answer(request):
        method = request.get("method")
        if method == "initialize":
            version = (request.get("params") or {}).get("protocolVersion") or "2025-06-18"
            return {"protocolVersion": version, "capabilities": {"tools": {}},
                    "serverInfo": {"name": "goldloop-setup", "version": "0"},
                    "instructions": "goldloop is being set up; its tools arrive in a later session."}
        if method == "tools/list":
            return {"tools": [tool]}
        if method == "tools/call":
            note = setup_report(setup_phase())
            return {"content": [{"type": "text", "text": note}], "isError": False}
        if method == "ping":
            return {}
        raise LookupError(method)

    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if not isinstance(request, dict) or "id" not in request:
            continue  # a notification
        reply = {"jsonrpc": "2.0", "id": request["id"]}
        try:
            reply["result"] = answer(request)
        except LookupError:
            reply["error"] = {"code": -32601, "message": f"method not found: {request.get('method')}"}
        _write(json.dumps(reply) + "\n")
    return 0


def run_cli(args):
    python = find_python()
    if python is None:
        sys.stderr.write(missing_message() + "\n")
        return 2
    return subprocess.call([python, "-m", "goldloop.cli", *args], env=child_env())


def _emit_setup_notice(event, problem=None):
    """No usable environment: SessionStart (re)starts setup and says how it stands; other hooks
    skip with a notice. Standard library only, so it works in any python3."""
    if event == "SessionStart":
        note = "goldloop: " + (problem + " " if problem else "") + setup_report(start_setup())
        _write(json.dumps({"systemMessage": note,
                           "hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": note}}))
    else:
        note = problem or missing_message()
        _write(json.dumps({"systemMessage": "goldloop hook skipped: " + note}))
    return 0


def _write(text):
    """Hook output as UTF-8 bytes: Claude Code reads UTF-8, whatever the locale (a Windows
    pipe defaults to cp1252 / cp932, which cannot even encode every character we print)."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _elsewhere(python):
    """``python`` is an interpreter other than the one running this file."""
    return python is not None and os.path.abspath(python) != os.path.abspath(sys.executable)


def run_hook(name):
    """Run ``goldloop.hooks`` handler ``name`` on the JSON event from stdin."""
    raw = sys.stdin.buffer.read()
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    try:
        # stdlib-only guards run right here, fast
        from goldloop.hooks import NEEDS_ENVIRONMENT, dispatch
    except ImportError:
        dispatch, NEEDS_ENVIRONMENT = None, ()
    if name in NEEDS_ENVIRONMENT and _elsewhere(find_python()):
        dispatch = None  # goldloop's environment is another interpreter: go there directly
    if dispatch is not None:
        try:
            out, code = dispatch(name, raw.decode("utf-8", errors="replace"))
        except ImportError as exc:  # the handler needs a dependency this interpreter lacks
            if getattr(exc, "name", "") and str(exc.name).startswith("goldloop"):
                raise
        else:
            _write(out)
            return code
    try:
        event = json.loads(raw or b"{}").get("hook_event_name", "")
    except (ValueError, AttributeError):
        event = ""
    python = find_python()
    if not _elsewhere(python):
        return _emit_setup_notice(event)
    marker = ready_marker()
    if event == "SessionStart" and marker is not None and marker.get("lock") != lock_hash():
        start_setup()  # the plugin was updated: re-sync in the background, keep using this one
    done = subprocess.run([python, "-m", "goldloop.hooks", name], input=raw, env=child_env(),
                          capture_output=True)
    if done.returncode != 0 and (b"ModuleNotFoundError" in done.stderr or b"ImportError" in done.stderr):
        # The environment broke after setup (a package removed, a Python upgrade): never crash
        # the hook; forget the marker so the next SessionStart sets up again.
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        if os.path.abspath(python) == os.path.abspath(_venv_python(venv_dir())):
            _remove(os.path.join(venv_dir(), READY))
        return _emit_setup_notice(event, f"goldloop's environment {python} cannot import "
                                         f"its dependencies ({' '.join(last)}).")
    sys.stderr.buffer.write(done.stderr)
    sys.stdout.buffer.write(done.stdout)  # already UTF-8 (the child writes bytes too)
    sys.stdout.flush()
    return done.returncode


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _status_path():
    return os.path.join(data_dir(), "setup.json")


def setup_status():
    try:
        with open(_status_path(), encoding="utf-8") as handle:
            status = json.load(handle)
        return status if isinstance(status, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_status(status):
    os.makedirs(data_dir(), exist_ok=True)
    tmp = f"{_status_path()}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(status, handle)
    os.replace(tmp, _status_path())


def _alive(pid, since):
    if time.time() - since > STALE_SETUP_S:
        return False
    if WINDOWS:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def backoff_s(failures):
    """The pause after ``failures`` failed setups; GOLDLOOP_SETUP_BACKOFF_S sets one for all."""
    if not failures:
        return 0
    fixed = os.environ.get("GOLDLOOP_SETUP_BACKOFF_S")
    return float(fixed) if fixed else BACKOFF_S[min(failures, len(BACKOFF_S)) - 1]


def setup_phase():
    """"ready", "running", "waiting" (after a failure) or "needed"."""
    marker = ready_marker()
    if marker is not None and marker.get("lock") == lock_hash():
        return "ready"
    status = setup_status()
    if status.get("state") == "running" and _alive(status.get("pid", 0), status.get("started", 0)):
        return "running"
    if status.get("state") == "failed" and time.time() < status.get("finished", 0) + backoff_s(status.get("failures", 0)):
        return "waiting"
    return "needed"


def start_setup():
    """Start ``setup`` in the background unless it is not needed, running, or pausing after a
    failure. Returns what happened: "ready", "running", "waiting" or "started"."""
    phase = setup_phase()
    if phase != "needed":
        return phase
    status = setup_status()
    folder = data_dir()
    os.makedirs(folder, exist_ok=True)
    lock = os.path.join(folder, "setup.lock")  # two SessionStarts at once start one setup
    try:
        if time.time() - os.path.getmtime(lock) > 60:
            _remove(lock)  # left by a launcher killed between here and the status write
    except OSError:
        pass
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return "running"
    try:
        log = open(os.path.join(folder, "setup.log"), "ab")
        flags = {"creationflags": 0x00000008 | 0x00000200} if WINDOWS else {"start_new_session": True}
        child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "setup"], stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=log, **flags)
        _save_status(dict(status, state="running", pid=child.pid, started=time.time()))
    finally:
        _remove(lock)
    return "started"


def log_tail(lines=LOG_TAIL_LINES):
    try:
        with open(os.path.join(data_dir(), "setup.log"), "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8000))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(line for line in text.strip().splitlines()[-lines:])


def setup_report(outcome):
    """What SessionStart tells the model and the user about setup (outcome of start_setup)."""
    log = os.path.join(data_dir(), "setup.log")
    status = setup_status()
    failures = status.get("failures", 0)
    if outcome == "ready":
        return "goldloop's environment is ready; the goldloop tools work from the next session on."
    if outcome == "running":
        since = int(time.time() - status.get("started", time.time()))
        return (f"goldloop's Python environment is still being set up (running for {since} s, log: {log}); the "
                "goldloop tools and hooks work from the next session after it finishes.")
    head = "goldloop's Python environment is missing. "
    if failures:
        head = (f"goldloop's setup failed {failures} time(s), last: {status.get('error', 'unknown error')}. "
                f"Last lines of {log}:\n{log_tail()}\n")
    if outcome == "needed":
        return head + "A new Claude Code session starts setup in the background."
    if outcome == "waiting":
        wait = int(status.get("finished", 0) + backoff_s(failures) - time.time())
        command = f"{os.path.basename(sys.executable)} {os.path.abspath(__file__)} setup"
        return head + (f"It is retried automatically in a session that starts after {max(wait, 0)} s; to retry "
                       f"now, run `{command}` (or set GOLDLOOP_PYTHON to an interpreter that has goldloop's "
                       "dependencies).")
    return head + (f"Setup started in the background (1-3 minutes, log: {log}); the goldloop tools and hooks work "
                   "from the next session after it finishes.")


def _uv():
    """uv, pinned like the Makefile, in <plugin data>/uv (its own venv, as `make install` does)."""
    tool = os.path.join(data_dir(), "uv")
    uv = os.path.join(tool, "Scripts", "uv.exe") if WINDOWS else os.path.join(tool, "bin", "uv")
    done = subprocess.run([uv, "--version"], capture_output=True, text=True) if os.path.isfile(uv) else None
    if done is None or UV_VERSION not in done.stdout:
        subprocess.check_call([sys.executable, "-m", "venv", tool])
        subprocess.check_call([_venv_python(tool), "-m", "pip", "install", "-q", "uv==" + UV_VERSION])
    return uv


def setup():
    """Install goldloop's locked dependencies into ``<plugin data>/venv``; ready marker last."""
    venv = venv_dir()
    status = setup_status()
    _save_status(dict(status, state="running", pid=os.getpid(), started=time.time()))
    print(f"=== goldloop setup at {time.strftime('%Y-%m-%d %H:%M:%S')} (python {sys.version.split()[0]}) ===",
          flush=True)
    step = "starting"
    try:
        step = f"installing uv {UV_VERSION}"
        uv = _uv()
        step = "uv sync --frozen from uv.lock"
        python = sys.executable if sys.version_info >= (3, 11) else ">=3.11"  # uv finds or fetches one
        # compiled up front: the first MCP start must fit Claude Code's connect timeout (5 s)
        sync = [uv, "sync", "--frozen", "--no-install-project", "--compile-bytecode", "--project", ROOT,
                "--python", python, *EXTRAS]
        env = dict(os.environ, UV_PROJECT_ENVIRONMENT=venv)
        subprocess.check_call(sync, env=env, cwd=data_dir())
        step = "import check"
        if subprocess.call([_venv_python(venv), "-c", IMPORT_CHECK], env=child_env()) != 0:
            # files damaged behind intact metadata (uv sees nothing missing): reinstall everything
            step = "uv sync --reinstall after a failed import check"
            subprocess.check_call(sync + ["--reinstall"], env=env, cwd=data_dir())
            step = "import check"
            subprocess.check_call([_venv_python(venv), "-c", IMPORT_CHECK], env=child_env())
        subprocess.call([_venv_python(venv), "-m", "compileall", "-q", os.path.join(ROOT, "goldloop"),
                         os.path.join(ROOT, "mcp_server")], env=child_env())
        # the MCP handshake as this venv's SDK answers it: a Python other than the one the
        # packaged manifest was recorded on still gets the fast start (a failure only costs time)
        try:
            subprocess.call([_venv_python(venv), "-m", "mcp_server.manifest", manifest_path()], env=child_env(),
                            timeout=300)
        except subprocess.TimeoutExpired:
            print("recording the MCP handshake timed out; the server starts the SDK first", flush=True)
        with open(os.path.join(venv, READY), "w", encoding="utf-8") as handle:
            json.dump({"lock": lock_hash(), "at": time.time()}, handle)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"goldloop setup failed at {step}: {exc}", flush=True)
        _save_status(dict(status, state="failed", finished=time.time(), failures=status.get("failures", 0) + 1,
                          error=f"{step} failed ({exc.__class__.__name__})"))
        return 1
    print(f"goldloop setup finished: {venv} is ready", flush=True)
    _save_status({"state": "done", "finished": time.time(), "failures": 0})
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
