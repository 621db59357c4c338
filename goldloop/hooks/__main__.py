"""``python -m goldloop.hooks NAME`` < event.json: run one hook in this interpreter."""

import sys

from goldloop.hooks import dispatch

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python -m goldloop.hooks HOOK_NAME < event.json\n")
        sys.exit(2)
    out, code = dispatch(sys.argv[1], sys.stdin.buffer.read().decode("utf-8", errors="replace"))
    sys.stdout.buffer.write(out.encode("utf-8"))  # Claude Code reads UTF-8 whatever the locale
    sys.stdout.flush()
    sys.exit(code)
