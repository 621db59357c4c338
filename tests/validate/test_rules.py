"""For every rule: a failing fixture that triggers it and a passing near-miss that does not."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from goldloop.validate import validate_path
from goldloop.validate.registry import all_rules
from tests.validate.kernels import PATH_HELPER, metadata, notebook, write_kernel

IMPORTS = "import numpy as np\nimport pandas as pd\n"


@dataclass
class Case:
    cells: list[str] = field(default_factory=lambda: ["x = 1"])
    meta: dict | None = field(default_factory=dict)  # overrides; None → single notebook
    outputs: dict | None = None
    nb_metadata: dict | None = None
    raw: bytes | None = None  # write these bytes as the notebook instead
    cell: int | None = None  # expected cell of the finding (failing case)
    line: int | None = None
    files: dict | None = None  # extra files in the kernel folder


def K(*cells: str, cell: int | None = None, line: int | None = None, files: dict | None = None,
      **meta) -> Case:
    return Case(cells=list(cells), meta=meta, cell=cell, line=line, files=files)


OUTPUT = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
ERROR_OUT = [{"output_type": "error", "ename": "KeyError", "evalue": "'Close'",
              "traceback": ["KeyError: 'Close'"]}]

CASES: dict[str, tuple[Case, Case]] = {
    "GL100": (Case(raw=b'{"cells": [ oops'), Case(cells=["x = 1"])),
    "GL101": (K("x = 1", "def f(:\n    pass", cell=2, line=1),
              K("x = 1", "%matplotlib inline\n!pip list\nfor i in range(2):\n    %time y = i")),
    "GL102": (K(""), K("x = 1")),
    "GL103": (K("x = 1", "# ask\n%%time\nres = 2", cell=2, line=2),
              K("%%time\nres = 2", "%%bash\necho '%%time'\n  %%notmagic")),
    "GL201": (K("s = 'gold'\nprint(s.UPPER())", "from sklearn.linear_model import Ridge\n"
                "m = Ridge().Fit([[0]], [0])", cell=1, line=2),
              K("import torch\nfrom torch import nn\nlayer = nn.Linear(2, 2)\n"
                "import pandas as pd\nidx = pd.Index([1])\nclass A:\n    def Fit(self):\n"
                "        return 1\nA().Fit()\ns = 'x'.upper()")),
    "GL202": (K("from sklearn.linear_model import Ridge\nm = Ridge().Fit([[0]], [0])", line=2),
              K("from tensorflow import keras\ndef build(hp):\n    units = hp.Int('units', 8, 64)\n"
                "    layers = keras.layers\n    return layers.Flatten()")),
    "GL203": (K(IMPORTS + "df = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/v.csv')\n"
                "counts = df['side'].value_count()", line=4),
              K(IMPORTS + "df = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/v.csv')\n"
                "counts = df['side'].value_counts()\nclass Box:\n    def value_count(self):\n"
                "        return 1\nBox().value_count()")),
    "GL301": (K("import shap\nimport xgboost as xgb\nm = xgb.XGBRegressor()\n"
                "explainer = shap.TreeExplainer(m)", line=4),
              K("import xgboost as xgb\nimport shap\nbooster = xgb.XGBRegressor().get_booster()\n"
                "contribs = booster.predict(xgb.DMatrix([[1]]), pred_contribs=True)\n"
                "e = shap.TreeExplainer")),
    "GL401": (K("import pandas as pd\n"
                "df = pd.read_csv('/kaggle/input/datasets/other/prices/p.csv')\n"
                "v = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/vix.csv')", line=2),
              K("import pandas as pd\n"
                "v = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/vix.csv')\n"
                "c = pd.read_csv('/kaggle/input/titanic/train.csv')",
                competition_sources=["titanic"])),
    "GL402": (K("import pandas as pd\nv = pd.read_csv('/kaggle/input/gold-vix-data/vix.csv')",
                line=2),
              K(PATH_HELPER + "\nv = input_file('tester/gold-vix-data', 'vix.csv')\n"
                "w = '/kaggle/input/gold-vix-data/vix.csv'")),
    "GL404": (K("import os\nfor p in ['/kaggle/input/datasets/tester/gold-vix-data/v.csv',\n"
                "          '/kaggle/input/other-data/v.csv']:\n    if os.path.exists(p):\n        break",
                line=3),
              K("import glob\nfiles = glob.glob('/kaggle/input/**/v.csv', recursive=True)\n"
                "x = '/kaggle/input/datasets/tester/gold-vix-data/v.csv'")),
    "GL405": (K("import pandas as pd\nv = pd.read_csv('gold-vix-data/vix.csv')", line=2),
              K("import pandas as pd\nv = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/vix.csv')\n"
                "w = pd.read_csv('../input/gold-vix-data/vix.csv')\nz = pd.read_csv('scratch/out.csv')")),
    "GL406": (K("import pandas as pd\nv = pd.read_csv('C:/Users/me/Desktop/vix.csv')", line=2),
              K("import os\nimport pandas as pd\nif os.path.exists('/kaggle/input'):\n"
                "    v = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/vix.csv')\n"
                "else:\n    v = pd.read_csv('C:/Users/me/Desktop/vix.csv')")),
    "GL407": (K("import pandas as pd\ndf = pd.read_csv('Crop_recommendation.csv')", line=2),
              K("import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('crop.csv')\ndf = pd.read_csv('crop.csv')")),
    "GL408": (K("import os\nimport pandas as pd\nhere = os.path.dirname(os.path.abspath(__file__))\nlabels = os.path.join(here, \"labels.csv\")\ndf = pd.read_csv(labels)", line=5),
              K("import os\nimport torch\nhere = os.path.dirname(__file__)\nckpt = os.path.join(here, \"best.pth\")\ntorch.save({}, ckpt)")),
    "GL403": (K("x = 1", dataset_sources=["tester/gold-vix-data", "tester/unused-data"]),
              K("SOURCE = 'tester/gold-vix-data'\nx = 1")),
    "GL501": (Case(meta={"__raw__": "{not json"}), K("x = 1")),
    "GL502": (K("x = 1", language="julia", dataset_sources=["no-owner"]),
              K("x = 1", is_private="true", enable_gpu="false")),
    "GL503": (K("x = 1", title="Gold VIX attempt one"), K("x = 1", title="Gold VIX 1")),
    "GL504": (K("x = 1", code_file="missing.ipynb"), K("x = 1")),
    "GL505": (K("x = 1", enable_gpus=True), K("x = 1", keywords=["gold"])),
    "GL506": (Case(cells=["x = 1"], nb_metadata={}),
              Case(cells=["x = 1"], nb_metadata={"kernelspec": {"name": "python3"}})),
    "GL507": (K("x = 1", kernel_type="script"), K("x = 1", kernel_type="notebook")),
    "GL508": (K("x = 1", id="YOUR_KAGGLE_USERNAME/gold-vix-1"), K("x = 1", id="tester/your-gold-vix")),
    "GL1601": (K("import tensorflow as tf\nopt = tf.keras.optimizers.Adam(lr=1e-5)", line=2),
               K("import torch\nopt = torch.optim.Adam([], lr=1e-5)\nk = __import__(\"keras\")")),
    "GL601": (K("print(price)", cell=1, line=1), K("price = 1", "print(price, display, len)")),
    "GL602": (K("print(total)", "total = 3", cell=1, line=1),
              K("def f():\n    return total", "total = 3\nprint(f())")),
    "GL603": (K("%run helpers.py\nprint(load_prices())", line=2),
              K("%run helpers.py\nprices = 1\nprint(prices)")),
    "GL604": (K("import numpy as np\nimport matplotlib.pyplot as plt\nx = np.arange(3)\n"
                "plt.heatmap([[1, 2]])", line=4),
              K("import numpy as np\nimport matplotlib.pyplot as plt\nfrom numpy import linalg as la\n"
                "x = np.arange(3)\nv = np.NaN\nr = np.random.default_rng(0)\nplt.imshow([[1, 2]])\n"
                "n = la.norm(x)")),
    "GL701": (K(IMPORTS + "df = pd.DataFrame({'a': [1]})\ndf = df.append({'a': 2}, "
                "ignore_index=True)\nm = df.resample('M').mean()", line=4),
              K(IMPORTS + "rows = []\nrows.append(1)\ndf = pd.DataFrame({'a': rows})\n"
                "m = df.resample('ME').mean()\np = df.index.to_period('M')\n"
                "a = np.swapaxes(np.ones((2, 3)), 0, 1)")),
    "GL702": (K(IMPORTS + "df = pd.DataFrame({'a': [1.0]})\ndf['a'][0] = 2.0", line=4),
              K(IMPORTS + "df = pd.DataFrame({'a': [1.0]})\ndf.loc[0, 'a'] = 2.0\n"
                "grid = [[0]]\ngrid[0][0] = 1\nstore = {'k': [0]}\nstore['k'][0] = 1")),
    "GL801": (K("def objective(trial):\n    a = trial.suggest_int('depth', 2, 4)\n"
                "    b = trial.suggest_int('depth', 2, 8)\n    return a + b", line=3),
              K("def xgb_obj(trial):\n    return trial.suggest_int('depth', 2, 4)\n"
                "def lgb_obj(trial):\n    return trial.suggest_int('depth', 2, 8)")),
    "GL802": (K("def objective(trial):\n    n = trial.suggest_int('n_layers', 1, 3)\n"
                "    for i in range(n):\n        trial.suggest_int(f'units_{i}', 4, 64)\n"
                "    return n", line=4),
              K("SPACE = {'a': (1, 2), 'b': (3, 4)}\ndef objective(trial):\n"
                "    return sum(trial.suggest_int(k, *v) for k, v in SPACE.items())")),
    "GL803": (K("def objective(trial):\n    return trial.suggest_uniform('x', 0, 1)", line=2),
              K("def objective(trial):\n    return trial.suggest_float('x', 0, 1)")),
    "GL901": (K("import yfinance as yf\ngold = yf.download('GC=F')\nclose = gold['Close']",
                line=3, enable_internet=True, dataset_sources=[]),
              K("import yfinance as yf\ngold = yf.download('GC=F')\nif gold.empty:\n"
                "    raise SystemExit('no data')\nclose = gold['Close']",
                enable_internet=True, dataset_sources=[])),
    "GL1001": (K("import torch\nx = torch.zeros(3).cuda()", line=2, dataset_sources=[]),
               K("import torch\ndev = 'cuda' if torch.cuda.is_available() else 'cpu'\n"
                 "x = torch.zeros(3, device=dev)\nif torch.cuda.is_available():\n"
                 "    x = x.cuda()", dataset_sources=[])),
    "GL1002": (K("x = 1", enable_gpu=True, dataset_sources=[]),
               K("import torch\nx = torch.zeros(1, device='cuda')", enable_gpu=True,
                 dataset_sources=[])),
    "GL1003": (K("params = {'tree_method': 'gpu_hist', 'max_depth': 2}", line=1,
                 enable_gpu=True, dataset_sources=[]),
               K("params = {'tree_method': 'hist', 'device': 'cuda'}", enable_gpu=True,
                 dataset_sources=[])),
    "GL1101": (K("import os\nos.environ['KAGGLE_KEY'] = '0123abcd4567ef890123abcd4567ef89'",
                 line=2, is_private=False),
               K("import os\nkey = os.environ.get('KAGGLE_KEY', 'your-kaggle-key-here')")),
    "GL1102": (Case(cells=["print(token)"], meta={}, outputs={0: [{
                   "output_type": "stream", "name": "stdout",
                   "text": ["sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv123456\n"]}]}),
               Case(cells=["print('ok')"], meta={}, outputs={0: OUTPUT})),
    "GL1103": (Case(cells=["x = 1"], meta={},
                    nb_metadata={"kernelspec": {"name": "python3"},
                                 "kaggle": {"key": "0123abcd4567ef890123abcd4567ef89"}}),
               Case(cells=["x = 1"], meta={},
                    nb_metadata={"kernelspec": {"name": "python3"}, "kaggle": {"accelerator": "none"}})),
    "GL1201": (K("!pip install -q hmmlearn", line=1),
               K("!pip install --no-index --find-links /kaggle/input/wheels shap")),
    "GL1202": (K("import requests\nr = requests.get('https://example.com')", line=2),
               K("import requests\nr = requests.get('https://example.com')",
                 enable_internet=True)),
    "GL1501": (K("from src.utils import hello\nhello()", line=1, files={"src/utils.py": "def hello():\n    pass\n"}),
               K("import pandas as pd\nfrom gold_helpers import load\n", kernel_sources=["tester/gold-helpers"],
                 files={"gold_helpers.py": "def load():\n    pass\n", "notes/readme.txt": "x"})),
    "GL1502": (K("from sklearn.cross_validation import train_test_split", line=1),
               K("from sklearn.model_selection import train_test_split\nimport joblib")),
    "GL1301": (Case(cells=["print('x')"], meta={}, outputs={0: OUTPUT}),
               Case(cells=["print('x')"], meta={})),
    "GL1302": (Case(cells=["print('x')"], meta={}, outputs={0: ERROR_OUT}),
               Case(cells=["print('x')"], meta={}, outputs={0: OUTPUT})),
    "GL1303": (Case(cells=["print('x')"], meta={}, outputs={0: [{
                   "output_type": "stream", "name": "stdout", "text": "x" * (6 * 1024 * 1024)}]}),
               Case(cells=["print('x')"], meta={}, outputs={0: [{
                   "output_type": "stream", "name": "stdout", "text": "x" * (1024 * 1024)}]})),
    "GL1401": (K("import pandas as pd\npd.DataFrame().to_csv('/kaggle/input/gold-vix-data/o.csv')"
                 "\nx = 'gold-vix-data'", line=2),
               K(PATH_HELPER + "import pandas as pd\npd.DataFrame().to_csv(WORKING / 'o.csv')\n"
                 "open('/tmp/scratch.txt', 'w').close()\n"
                 "text = open('/kaggle/input/gold-vix-data/readme.txt').read()")),
    "GL1402": (Case(cells=["x = 1"], meta={},
                    nb_metadata={"kernelspec": {"name": "python3"},
                                 "goldloop": {"outputs": ["output.csv"]}}),
               Case(cells=["import pandas as pd\npd.DataFrame().to_csv('output.csv')"], meta={},
                    nb_metadata={"kernelspec": {"name": "python3"},
                                 "goldloop": {"outputs": ["output.csv"]}})),
}


def materialize(tmp_path: Path, case: Case) -> Path:
    if case.raw is not None:
        path = tmp_path / "nb.ipynb"
        path.write_bytes(case.raw)
        return path
    kwargs = {"outputs": case.outputs, "nb_metadata": case.nb_metadata}
    if case.meta is None:
        path = tmp_path / "nb.ipynb"
        path.write_text(json.dumps(notebook(case.cells, **kwargs)), encoding="utf-8")
        return path
    if "__raw__" in case.meta:
        folder = write_kernel(tmp_path / "k", case.cells, metadata(), **kwargs)
        (folder / "kernel-metadata.json").write_text(case.meta["__raw__"], encoding="utf-8")
        return folder
    meta = metadata(**case.meta)
    folder = tmp_path / "k"
    write_kernel(folder, case.cells, meta, **kwargs)
    if meta.get("code_file") == "missing.ipynb":
        (folder / "missing.ipynb").unlink()
    for name, text in (case.files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_every_rule_has_cases():
    assert set(CASES) == set(all_rules())


@pytest.mark.parametrize("code", sorted(CASES))
def test_failing_fixture_triggers_rule(tmp_path, code):
    case = CASES[code][0]
    report = validate_path(materialize(tmp_path, case))
    hits = [f for f in report.findings if f.rule == code]
    assert hits, f"{code} not reported; got {[f.rule for f in report.findings]}"
    rule = all_rules()[code]
    assert hits[0].severity == rule.severity and hits[0].category == rule.category
    assert hits[0].hint
    assert report.ok is (not any(f.severity == "error" for f in report.findings))
    if case.line is not None:
        assert hits[0].line == case.line
        assert f"line {case.line}" in hits[0].message
    if case.cell is not None:
        assert hits[0].cell == case.cell
        assert f"cell {case.cell}" in hits[0].message


@pytest.mark.parametrize("code", sorted(CASES))
def test_near_miss_does_not_trigger_rule(tmp_path, code):
    report = validate_path(materialize(tmp_path, CASES[code][1]))
    assert [f.message for f in report.findings if f.rule == code] == []
