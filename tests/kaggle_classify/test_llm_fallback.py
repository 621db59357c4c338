"""The Claude fallback for `unknown`, against a local server that speaks the Messages API."""

from __future__ import annotations

import pytest

from goldloop.kaggle.classify import classify_log, classify_text
from tests.kaggle_classify.messages_api import MessagesAPI

KEY = "sk-ant-api03-localtestkey0123456789abcdefghijklmnop"
LOG = """Loading panel
[goldloop] KAGGLE_KEY=KGAT_0123456789abcdef0123456789abcdef
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 88, in <module>
    model.fit(X_train, y_train)
ValueError: Input X contains infinity or a value too large for dtype('float32').
"""


@pytest.fixture()
def api(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no workspace .env around
    for name in ("GOLDLOOP_WORKSPACE", "CLAUDE_PROJECT_DIR", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with MessagesAPI(KEY) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        yield server


def test_no_key_no_call(api):
    result = classify_text(LOG, llm=True)
    assert (result.error_type, result.source) == ("unknown", "patterns")
    assert api.requests == []


def test_known_classes_never_ask(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    assert classify_text("ModuleNotFoundError: No module named 'shap'\n", llm=True).error_type == "module_not_found"
    assert api.requests == []


def test_unknown_is_refined_with_a_structured_answer(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    api.error_type, api.fix = "pandas_compat", "Replace inf by NaN and drop those rows before fitting."
    result = classify_text(LOG, llm=True)
    assert (result.error_type, result.source, result.terminal) == ("pandas_compat", "llm", True)
    assert result.evidence.startswith("ValueError: Input X contains infinity")
    assert result.route["agent"] == "builder_model"
    assert result.route["instruction"].endswith("Suggested fix: Replace inf by NaN and drop those rows before fitting.")
    assert result.details["patterns_said"] == "unknown"
    (request,) = api.requests
    body = request["body"]
    schema = body["output_config"]["format"]["schema"]
    assert set(schema["required"]) == {"error_type", "evidence", "fix"}
    assert "none" not in schema["properties"]["error_type"]["enum"]
    assert "oom" in schema["properties"]["error_type"]["enum"]
    sent = body["messages"][0]["content"]
    assert "ValueError: Input X contains infinity" in sent
    assert "KGAT_0123456789abcdef" not in sent and "[REDACTED]" in sent  # credentials never leave


def test_invented_evidence_is_not_kept(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    api.error_type, api.evidence_override = "oom", "Killed (this line is not in the log)"
    result = classify_text(LOG, llm=True)
    assert result.error_type == "oom"
    assert result.evidence.startswith("ValueError: Input X contains infinity")


@pytest.mark.parametrize("mode", ["error500", "overloaded", "bad_class", "not_json"])
def test_api_failures_keep_unknown(api, monkeypatch, mode):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    api.mode = mode
    result = classify_text(LOG, llm=True)
    assert (result.error_type, result.source) == ("unknown", "patterns")
    assert result.details["llm_error"]


def test_wrong_key_keeps_unknown(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-wrongwrongwrongwrongwrongwrong")
    result = classify_text(LOG, llm=True)
    assert result.error_type == "unknown" and "401" in result.details["llm_error"]


def test_log_file_with_workspace_env_key(api, ws, monkeypatch):
    (ws.root / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\n", encoding="utf-8")
    monkeypatch.chdir(ws.root)
    log = ws.root / "run.log"
    log.write_text(LOG, encoding="utf-8")
    api.error_type = "unknown"
    api.fix = "Look at the feature scaling cell."
    result = classify_log(log, llm=True)
    assert result.source == "llm" and result.error_type == "unknown"
    assert len(api.requests) == 1


def test_the_run_status_decides_whether_claude_is_asked(api, monkeypatch):
    """A failed run whose log shows no error (real_corpus/failed_silent_status_only.txt): without
    the status it reads as `none` and nobody is asked; with status="error" it is `unknown`, Claude
    is asked, and its answer can only be a failure class (the schema has no `none`)."""
    from tests.kaggle_classify.real_scores import CORPUS

    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    log = CORPUS / "failed_silent_status_only.txt"
    assert classify_log(log, llm=True).error_type == "none" and api.requests == []
    api.error_type, api.fix = "timeout_limit", "Split the run or checkpoint it."
    result = classify_log(log, status="error", llm=True)
    assert (result.error_type, result.source) == ("timeout_limit", "llm")
    assert len(api.requests) == 1
