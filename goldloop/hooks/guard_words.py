"""The words and programs the Bash and Write/Edit guards look for — data, not logic.

Adding a spelling means adding a word here (and a case to tests/secrets/spellings.toml).
"""

from __future__ import annotations

# Any of these in a command (as written, or with quotes, `+`, `\` and spaces squeezed out,
# so 'kag'+'gle' counts) means the command talks about Kaggle.
KAGGLE_WORDS = ("kaggle", "kagglesdk", "savekernel", "kernelsapiservice", "kernels_push",
                "kernel_push", "kernels_status", "getkernelsessionstatus")
# With a Kaggle word: a push (or a save, the web API's name for it) ...
PUSH_WORDS = ("push", "savekernel", "save_kernel", "kernels_push", "kernel_push", "createkernel")
# ... or a status poll, which also needs a kernel word (dataset status is fine).
POLL_WORDS = ("status", "getkernelsessionstatus", "kernels_status", "kernel_status")
KERNEL_WORDS = ("kernel", "kernels", " k ")

# Programs whose arguments only mention words: a command made of these alone (plus the goldloop
# CLI itself, which is the gate) may talk about `kaggle kernels push` — a commit message, a grep.
MENTION_PROGRAMS = {"echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "ack", "cat", "head",
                    "tail", "less", "more", "man", "which", "type", "wc", "ls", "cd", "pwd",
                    "true", "sort", "uniq", "cut", "diff", "goldloop", "claude"}
GIT_MENTION_SUBCOMMANDS = {"commit", "log", "show", "diff", "grep", "status", "add", "blame",
                           "stash", "tag", "branch", "rev-parse", "shortlog", "describe"}

# Programs that run code they are given (a file, -c/-e text, or stdin).
INTERPRETERS = {"sh", "bash", "zsh", "dash", "ksh", "fish", "csh", "tcsh", "busybox", "python",
                "python3", "py", "pypy", "pypy3", "ipython", "perl", "ruby", "node", "deno", "bun",
                "php", "lua", "rscript", "pwsh", "powershell", "cmd", "osascript", "jupyter",
                "uv", "uvx", "poetry", "pipenv", "conda"}
# Programs that run another command line: their arguments are a command again.
WRAPPERS = {"env", "nohup", "time", "timeout", "nice", "ionice", "sudo", "doas", "exec", "command",
            "builtin", "watch", "xargs", "parallel", "stdbuf", "setsid", "script", "eval", "source", ".",
            "su", "runuser", "chronic", "unbuffer", "flock", "strace", "ltrace"}
# Build tools and task runners: the recipe they run comes from a file in the folder.
TASK_FILES = {"make": ("GNUmakefile", "makefile", "Makefile"), "gmake": ("GNUmakefile", "makefile", "Makefile"),
              "just": ("justfile", "Justfile", ".justfile"), "npm": ("package.json",),
              "yarn": ("package.json",), "pnpm": ("package.json",), "task": ("Taskfile.yml", "Taskfile.yaml"),
              "invoke": ("tasks.py",), "nox": ("noxfile.py",), "tox": ("tox.ini",), "doit": ("dodo.py",)}
SCRIPT_SUFFIXES = (".py", ".sh", ".bash", ".zsh", ".ps1", ".js", ".mjs", ".ts", ".rb", ".pl", ".r",
                   ".cmd", ".bat", ".ipynb", ".mk")
# Decoders whose output, piped into an interpreter, cannot be read before it runs.
DECODERS = {"base64", "base32", "basenc", "xxd", "openssl", "uudecode", "gpg", "rev", "gunzip",
            "zcat", "bzcat", "xzcat", "unzip", "tr"}

# The state file: who writes it, and how code does.
ANY_ARG_WRITERS = {"tee", "rm", "truncate", "touch", "unlink", "shred", "sponge", "chmod", "chown",
                   "mv", "move", "ren", "rename", "del", "erase", "ln"}
DEST_WRITERS = {"cp", "install", "rsync", "scp", "copy", "xcopy", "robocopy"}
IN_PLACE_FLAGS = {"sed": ("-i", "--in-place"), "perl": ("-i", "-pi"), "ruby": ("-i",),
                  "gawk": ("-i",), "awk": ("-i",)}
GIT_STATE_WRITERS = {"checkout", "restore", "rm", "mv", "apply", "reset", "stash", "switch", "am",
                     "cherry-pick", "revert", "merge", "pull"}
WRITE_CODE = (r"open\([^)]*['\"][wax+]|write_text|write_bytes|\.write\(|json\.dump\(|unlink|os\.remove|"
              r"os\.replace|shutil\.|\.replace\(|rename|writeFile|Set-Content|Out-File|>|truncate|"
              r"\.touch\(|\.symlink_to|os\.symlink|os\.link|fs\.|File\.write|IO\.write")
