"""Precedence rules, the pattern table, push-time answers and streaming."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from goldloop.errors import GoldloopError
from goldloop.kaggle import classify as cl
from goldloop.kaggle.classify import classify_log, classify_push_error, classify_text


def kaggle_log(*entries: tuple[str, str]) -> str:
    return "[" + "\n,".join(json.dumps({"stream_name": s, "time": i * 0.5, "data": d})
                            for i, (s, d) in enumerate(entries)) + "\n]"


# ---------------------------------------------------------------- the table

def test_every_row_classifies_its_own_example():
    table = cl.load_table()
    assert len({p.id for p in table.patterns}) == len(table.patterns)
    for pattern in table.patterns:
        got = cl.match_line(pattern.example)
        assert got is not None and (got.error_class, got.kind) == (pattern.error_class, pattern.kind), pattern.id


def test_bad_table_is_refused(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text('[[pattern]]\nid = "x"\nclass = "no_such_class"\nkind = "error"\nregex = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_class"):
        cl.load_table(bad)
    bad.write_text('[[pattern]]\nid = "x"\nclass = "oom"\nkind = "error"\nregex = "(unclosed"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad regex"):
        cl.load_table(bad)


# ---------------------------------------------------------------- precedence

def test_warning_of_one_class_then_failure_of_another():
    text = ("/tmp/ipykernel_1/1.py:3: FutureWarning: Series.fillna with 'method' is deprecated and will raise in a future version.\n"
            "E0000 00:00:1.0  1 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory\n"
            "ModuleNotFoundError: No module named 'hmmlearn'\n")
    result = classify_text(text)
    assert result.error_type == "module_not_found"
    assert result.details["warnings"] == {"pandas_compat": 1, "cuda_error": 1}


def test_warnings_alone_are_none():
    result = classify_text("UserWarning: CUDA initialization: Found no NVIDIA driver on your system.\nall done\n")
    assert (result.error_type, result.terminal) == ("none", False)
    assert "CUDA initialization" in result.evidence


def test_root_cause_wins_over_its_cascade():
    text = ("FileNotFoundError: [Errno 2] No such file or directory: '/kaggle/input/x/a.csv'\n"
            "NameError: name 'df' is not defined\nValueError: Found array with 0 sample(s)\n"
            "NameError: name 'model' is not defined\n")
    assert classify_text(text).error_type == "dataset_missing"


def test_first_known_error_wins_over_later_known_error():
    text = "ModuleNotFoundError: No module named 'shap'\nFileNotFoundError: [Errno 2] No such file or directory: 'a.csv'\n"
    assert classify_text(text).error_type == "module_not_found"


def test_fatal_wins_over_earlier_errors():
    text = "FileNotFoundError: [Errno 2] No such file or directory: 'a.csv'\nbuilding features\nKilled\n"
    result = classify_text(text)
    assert (result.error_type, result.evidence) == ("oom", "Killed")


def test_dead_kernel_defers_to_an_earlier_cause():
    text = "RuntimeError: CUDA error: an illegal memory access was encountered\nDeadKernelError: Kernel died\n"
    assert classify_text(text).error_type == "cuda_error"
    assert classify_text("training...\nDeadKernelError: Kernel died\n").error_type == "oom"


def test_progress_after_an_error_means_it_was_handled():
    handled = "requests.exceptions.ReadTimeout: Read timed out. (read timeout=15)\nEpoch 1/3 loss 0.9\nEpoch 3/3 loss 0.8\n"
    assert classify_text(handled).error_type == "none"
    assert classify_text(handled + "ValueError: bad shape\n").error_type == "unknown"


def test_same_line_highest_priority_decides():
    assert classify_text("RuntimeError: CUDA error: out of memory\n").error_type == "oom"
    assert classify_text("TimeoutError: the run exceeded its time limit of 60 seconds\n").error_type == "timeout_limit"
    assert classify_text("AttributeError: 'MessageFactory' object has no attribute 'GetPrototype'\n").error_type == "none"


def test_generic_exception_beats_cascade_as_evidence():
    result = classify_text("NameError: name 'x' is not defined\nKeyError: 'Close'\n")
    assert (result.error_type, result.evidence) == ("unknown", "KeyError: 'Close'")
    assert classify_text("NameError: name 'x' is not defined\n").evidence.startswith("NameError")


def test_exception_text_that_is_not_raised_does_not_count():
    text = ("----> 3 df = pd.read_csv(path)  # FileNotFoundError: if missing\n"
            "print('FileNotFoundError: handled')\n"
            "    raise FileNotFoundError(f'{name} not found')\n")
    assert classify_text(text).error_type == "none"


def test_failure_message_is_authoritative_and_failed_flag():
    log = "Epoch 1/9\nEpoch 2/9\n"
    assert classify_text(log).error_type == "none"
    oom = classify_text(log, failure_message="Your notebook tried to allocate more memory than is available.")
    assert (oom.error_type, oom.source) == ("oom", "kaggle_status")
    unknown = classify_text(log, failed=True)
    assert (unknown.error_type, unknown.evidence) == ("unknown", "Epoch 2/9")


def test_ansi_colours_and_carriage_returns():
    log = kaggle_log(("stderr", "\x1b[0;31mSyntaxError\x1b[0m: invalid syntax\n"),
                     ("stderr", " 40%|████      | 4/10 [00:01<00:01]\r 50%|█████     | 5/10"),
                     ("stdout", "Killed\n"))
    result = classify_text(log)
    assert (result.error_type, result.evidence) == ("oom", "Killed")  # not glued to the progress bar


def test_json_lines_and_text_starting_with_a_bracket():
    jl = "\n".join(json.dumps({"stream_name": "stderr", "time": 1, "data": d}) for d in
                   ("Traceback (most recent call last):\n", "OSError: [Errno 28] No space left on device\n"))
    assert classify_text(jl).error_type == "disk_full"
    text = "[I 2025-01-01 00:00:00,000] A new study created\nIndentationError: unexpected indent\n"
    assert classify_text(text).error_type == "syntax_error"


def test_missing_log_file_is_a_clear_error(tmp_path):
    with pytest.raises(GoldloopError, match="Log file not found"):
        classify_log(tmp_path / "nope.log")


# ---------------------------------------------------------------- push time

@pytest.mark.parametrize(("status", "body", "expected"), [
    (401, '{"code": 401, "message": "Unauthenticated"}', "auth_error"),
    (403, '{"errors": ["Phone verification required to use GPUs"]}', "auth_error"),
    (409, '{"code": 409, "message": "The kernel is currently running"}', "api_conflict"),
    (429, "Too Many Requests", "network_timeout"),
    (503, "<html>Service Unavailable</html>", "network_timeout"),
    (404, '{"message": "Dataset goldloop/gold-vix-data not found"}', "dataset_missing"),
    (404, '{"message": "Not found"}', "unknown"),
    (400, "OSError: [Errno 28] No space left on device", "disk_full"),
])
def test_push_errors(status, body, expected):
    result = classify_push_error(status, body)
    assert (result.error_type, result.source, result.terminal) == (expected, "push", True)
    assert result.evidence.startswith(f"HTTP {status}: ")


# ---------------------------------------------------------------- streaming

def test_evidence_straddling_a_block_boundary(tmp_path):
    evidence = "FileNotFoundError: [Errno 2] No such file or directory: '/kaggle/input/gold-vix-data/vix.csv'"
    filler = "".join(f"Epoch {i}/999 - train_loss 0.9 - val_loss 0.9\n" for i in range(60_000))  # ~2.8 MB
    for chunk in (cl.CHUNK_CHARS, 4096):
        cut = chunk * 2 - len(filler) % chunk - 20  # the boundary falls inside the evidence
        head = filler
        pad = "x" * (cut % chunk) + "\n"
        plain = tmp_path / f"plain_{chunk}.txt"
        plain.write_text(head + pad + evidence + "\nNameError: name 'vix' is not defined\n", encoding="utf-8")
        start = len(head + pad)
        assert start // chunk != (start + len(evidence)) // chunk  # it really straddles
        result = classify_log(plain, chunk_chars=chunk)
        assert (result.error_type, result.evidence) == ("dataset_missing", evidence)
        # JSON: the evidence is also split across two entries of the same stream.
        js = tmp_path / f"kaggle_{chunk}.log"
        js.write_text(kaggle_log(("stdout", head), ("stderr", evidence[:30]), ("stderr", evidence[30:] + "\n")),
                      encoding="utf-8")
        result = classify_log(js, chunk_chars=chunk)
        assert (result.error_type, result.evidence) == ("dataset_missing", evidence)


def test_streaming_memory_stays_bounded(tmp_path):
    big = tmp_path / "big.log"
    line = json.dumps({"stream_name": "stdout", "time": 1.0, "data": "Epoch 1/9 - loss 0.93 - still training\n"})
    with big.open("w", encoding="utf-8") as fh:
        fh.write("[" + line)
        for _ in range(70_000):  # ~6.5 MB
            fh.write("\n," + line)
        fh.write("\n," + json.dumps({"stream_name": "stderr", "time": 9.0, "data": "Killed\n"}) + "\n]")
    assert big.stat().st_size > 6_000_000
    peaks = {}
    for chunk in (1 << 16, 1 << 18):
        tracemalloc.start()
        try:
            result = classify_log(big, chunk_chars=chunk)
            peaks[chunk] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.error_type == "oom"
    # Memory follows the block size, not the file size.
    assert peaks[1 << 16] < 2_000_000, peaks
    assert peaks[1 << 18] < 6_000_000, peaks
