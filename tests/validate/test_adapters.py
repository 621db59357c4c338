"""The CLI (exit codes, --json) and the MCP tool over the real stdio client."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import PYTHON, mcp_call
from tests.validate.kernels import metadata, write_kernel, write_notebook


def goldloop(*args: str, env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "goldloop.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_cli_exit_codes_and_json(tmp_path, clean_env):
    clean = write_notebook(tmp_path / "clean.ipynb", ["x = 1"])
    warn = write_notebook(tmp_path / "warn.ipynb", ["x = 1"],
                          outputs={0: [{"output_type": "stream", "text": "1"}]})
    bad = write_kernel(tmp_path / "vix_1", ["import torch\nx = torch.ones(1).cuda()"],
                       metadata(dataset_sources=[]))
    broken = tmp_path / "broken.ipynb"
    broken.write_bytes(b"\x00\x01binary")

    assert goldloop("validate", str(clean), env=clean_env, cwd=tmp_path).returncode == 0
    assert goldloop("validate", str(warn), env=clean_env, cwd=tmp_path).returncode == 1
    run = goldloop("validate", str(bad), "--json", env=clean_env, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    [report] = json.loads(run.stdout)
    assert report["ok"] is False and report["findings"][0]["rule"] == "GL1001"
    assert report["findings"][0]["cell"] == 1 and report["findings"][0]["line"] == 2
    assert goldloop("validate", str(broken), env=clean_env, cwd=tmp_path).returncode == 3

    both = goldloop("validate", str(clean), str(warn), "--json", env=clean_env, cwd=tmp_path)
    assert both.returncode == 1 and [r["ok"] for r in json.loads(both.stdout)] == [True, True]
    ignored = goldloop("validate", str(bad), "--ignore", "gpu_consistency", env=clean_env,
                       cwd=tmp_path)
    assert ignored.returncode == 0, ignored.stdout

    human = goldloop("validate", str(bad), env=clean_env, cwd=tmp_path)
    assert "GL1001" in human.stdout and "cell 1, line 2" in human.stdout


def test_cli_unreadable_and_usage_errors_exit_2(tmp_path, clean_env):
    missing = goldloop("validate", str(tmp_path / "nope"), env=clean_env, cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    clean = write_notebook(tmp_path / "clean.ipynb", ["x = 1"])
    unknown = goldloop("validate", str(clean), "--select", "GL999", env=clean_env, cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr
    mixed = goldloop("validate", str(clean), str(tmp_path / "nope"), "--json", env=clean_env,
                     cwd=tmp_path)
    assert mixed.returncode == 2
    assert json.loads(mixed.stdout)[1]["error"] == "ValidationInputError"


def test_mcp_validate_notebook_over_stdio(ws, clean_env):
    write_kernel(ws.root / "notebooks" / "vix_1", ["print(undefined_price)"], metadata())

    tools, (found, only, missing) = mcp_call({**clean_env, "GOLDLOOP_WORKSPACE": str(ws.root)}, [
        ("validate_notebook", {"path": "notebooks/vix_1"}),
        ("validate_notebook", {"path": "notebooks/vix_1", "ignore": ["undefined_name"]}),
        ("validate_notebook", {"path": "notebooks/none_9"}),
    ])
    assert "validate_notebook" in tools
    assert not found.isError, found.content
    data = found.structuredContent
    assert data["ok"] is False and [f["rule"] for f in data["findings"]] == ["GL403", "GL601"]
    assert only.structuredContent["ok"] is True
    assert missing.isError and "does not exist" in missing.content[0].text
