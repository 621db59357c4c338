"""The validator on real kernels (real_corpus/, our reproductions of public kernel folders): the
issue's goals on each half, the marked causes, and one test per cause the issue lists."""

from __future__ import annotations

import json

import pytest

from goldloop.validate import validate_path
from tests.validate import real_scores
from tests.validate.kernels import metadata, notebook, write_kernel


def test_corpus_is_sourced_and_split():
    every = real_scores.kernels(found=None)
    assert len(real_scores.kernels()) >= 100
    assert all(k["source"] and k["reason"] for k in every)
    assert {k["half"] for k in real_scores.kernels()} == {"A", "B"}
    folders = {p.name for p in real_scores.CORPUS.iterdir() if p.is_dir()}
    assert folders == {k["name"] for k in every}


@pytest.mark.parametrize("half", ["A", "B"])
def test_goals_on_each_half(half):
    outcomes = real_scores.run([k for k in real_scores.kernels() if k["half"] == half])
    s = real_scores.summary(outcomes)
    assert s["found"] / s["problems"] >= 0.90, [o.kernel["name"] for o in outcomes
                                                 for p in o.kernel.get("problems", []) if not o.found(p)]
    assert s["clean_with_false_error"] / s["clean"] <= 0.04, [
        (o.kernel["name"], o.messages) for o in outcomes if not o.kernel.get("problems") and o.false_errors]


def test_marked_causes_without_public_kernel():
    for outcome in real_scores.run(real_scores.kernels(found=False)):
        assert all(outcome.found(p) for p in outcome.kernel.get("problems", [])), outcome.messages
        assert not outcome.false_errors, (outcome.kernel["name"], outcome.messages)


# ---------------------------------------------------------------- one test per listed cause

def _check(tmp_path, cells, **meta):
    folder = write_kernel(tmp_path / "k", cells, metadata(**meta))
    report = validate_path(folder)
    return report, {f.rule for f in report.findings if f.severity == "error"}


def test_glob_wildcards_are_not_slugs(tmp_path):
    _, errors = _check(tmp_path, ["import glob\na = glob.glob('/kaggle/input/**/train.csv', recursive=True)\n"
                                  "b = glob.glob('/kaggle/input/*/x/*.csv')\nc = glob.glob('/kaggle/input/datasets/**/d.csv')"])
    assert not errors


def test_probed_fallback_paths_are_warnings(tmp_path):
    report, errors = _check(tmp_path, [
        "import os\nROOT = '/kaggle/input/old-name'\nif not os.path.exists(ROOT):\n    ROOT = '/kaggle/input/datasets/tester/gold-vix-data'\n"
        "def find(default):\n    return default if os.path.isdir(default) else None\nfind('/kaggle/input/other-name')\n"])
    assert not errors and {"GL404"} <= {f.rule for f in report.findings}


def test_keras_and_keras_tuner_camelcase_are_apis(tmp_path):
    _, errors = _check(tmp_path, ["from tensorflow.keras import layers\ndef build(hp):\n"
                                  "    return layers.Dense(hp.Int('u', 8, 64))(layers.Flatten()(hp.Float('d', 0, 1)))"])
    assert not errors


def test_run_and_time_magics_define_names(tmp_path):
    report, errors = _check(tmp_path, ["%run helpers.py\n%time prices = load_prices()\n", "%%time\ntotal = prices.sum()\n",
                                       "print(total, prices, helper_value)"])
    assert not errors
    assert [f.rule for f in report.findings if "helper_value" in f.message] == ["GL603"]


def test_magic_filter_keeps_lines_whole(tmp_path):
    _, errors = _check(tmp_path, ["pip install -q shap\n", "%time model = sum([1,\n               2])\nprint(model)\n",
                                  "!pip install \\\n    lightgbm\nx = 1"], enable_internet=True)
    assert not errors


def test_list_append_is_not_dataframe_append(tmp_path):
    _, errors = _check(tmp_path, ["import pandas as pd\ndf_list = []\nfor i in range(2):\n    df_list.append(pd.DataFrame({'a': [i]}))\n"
                                  "df = pd.concat(df_list)"])
    assert not errors


def test_relative_input_path_is_an_error(tmp_path):
    _, errors = _check(tmp_path, ["import pandas as pd\nv = pd.read_csv('gold-vix-data/vix.csv')\nw = pd.read_csv('input/x.csv')"])
    assert errors == {"GL405"}


def _folder(tmp_path, meta: dict, files: dict[str, str]):
    """A kernel folder whose files are written as given (names, case, scripts)."""
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "kernel-metadata.json").write_text(json.dumps(metadata(**meta)), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_code_file_case_mismatch_still_checks_the_code(tmp_path):
    folder = _folder(tmp_path, {"code_file": "train.ipynb"},
                     {"Train.ipynb": json.dumps(notebook(["import pandas as pd\nx = pd.DataFrame().as_matrix()"]))})
    errors = {f.rule for f in validate_path(folder).findings if f.severity == "error"}
    assert {"GL504", "GL701"} <= errors


def test_as_matrix_is_removed(tmp_path):
    _, errors = _check(tmp_path, ["import pandas as pd\ndf = pd.DataFrame({'a': [1]})\nm = df.as_matrix()"])
    assert errors == {"GL701"}


def test_shap_explainer_on_xgboost(tmp_path):
    _, errors = _check(tmp_path, ["import shap\nimport xgboost as xgb\nm = xgb.XGBRegressor()\ne = shap.Explainer(m)"])
    assert errors == {"GL301"}


def test_misspelled_method(tmp_path):
    _, errors = _check(tmp_path, ["import pandas as pd\ndf = pd.DataFrame({'a': [1]})\nc = df['a'].value_count()"])
    assert errors == {"GL203"}


def test_one_syntax_error_does_not_hide_the_rest_of_a_script(tmp_path):
    folder = _folder(tmp_path, {"code_file": "run.py", "kernel_type": "script"},
                     {"run.py": "import pandas as pd\ndef broken(:\n    pass\ndf = pd.DataFrame()\n"
                                "m = df.as_matrix()\nprint(missing_name)\n"})
    findings = validate_path(folder).findings
    assert {("GL101", 2), ("GL701", 5), ("GL601", 6)} <= {(f.rule, f.line) for f in findings}


def test_legacy_mount_is_a_warning_with_the_helper_as_fix(tmp_path):
    report, errors = _check(tmp_path, ["import pandas as pd\nv = pd.read_csv('/kaggle/input/gold-vix-data/vix.csv')"])
    legacy = [f for f in report.findings if f.rule == "GL402"]
    assert not errors and legacy and legacy[0].severity == "warning" and "tries" in legacy[0].hint


def test_findings_say_what_where_why_and_fix(tmp_path):
    report, _ = _check(tmp_path, ["x = 1", "import pandas as pd\nc = pd.DataFrame()['a'].value_count()"])
    finding = next(f for f in report.findings if f.rule == "GL203")
    assert (finding.cell, finding.line) == (2, 2) and "cell 2, line 2" in finding.message
    assert "value_counts" in finding.message and "AttributeError" in finding.message and finding.hint


# ---------------------------------------------------------------- causes found in the 32 kernels added last

def test_placeholder_owner_is_an_error(tmp_path):
    _, errors = _check(tmp_path, ["print(1)"], id="YOUR_KAGGLE_USERNAME/k", dataset_sources=["REPLACE_WITH_KAGGLE_USERNAME/d"])
    assert "GL508" in errors
    _, errors = _check(tmp_path / "ok", ["print(1)"], id="tester/your-model", dataset_sources=[])
    assert "GL508" not in errors


def test_local_from_pretrained_needs_no_internet(tmp_path):
    _, errors = _check(tmp_path, ["from transformers import AutoTokenizer\nMODEL = '/kaggle/input/llm/transformers/default/1'\n"
                                  "a = AutoTokenizer.from_pretrained(MODEL)\n"
                                  "def load(path):\n    return AutoTokenizer.from_pretrained(path, local_files_only=True)\n"],
                       dataset_sources=[], model_sources=["tester/llm/transformers/default/1"])
    assert "GL1202" not in errors
    _, errors = _check(tmp_path / "hub", ["from transformers import AutoTokenizer\nt = AutoTokenizer.from_pretrained('bert-base-uncased')"])
    assert errors == {"GL1202"}


def test_torchvision_weights_need_internet(tmp_path):
    _, errors = _check(tmp_path, ["from torchvision import models\nm = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)"])
    assert errors == {"GL1202"}
    _, errors = _check(tmp_path / "none", ["from torchvision import models\nm = models.resnet18(weights=None)"])
    assert not errors


def test_install_shell_lines_create_no_data_file(tmp_path):
    _, errors = _check(tmp_path, ["!nvidia-smi\n!kaggle kernels push -p .\n", "import pandas as pd\nx = pd.read_csv('players.csv')"],
                       enable_internet=True)
    assert errors == {"GL407"}
    _, errors = _check(tmp_path / "w", ["!wget -q https://example.org/players.csv\n", "import pandas as pd\nx = pd.read_csv('players.csv')"],
                       enable_internet=True)
    assert not errors


def test_placeholder_and_author_paths_passed_to_any_call(tmp_path):
    _, errors = _check(tmp_path, ["from torchvision import datasets\nd = datasets.ImageFolder('/path/to/dataset/train')\n"
                                  "from pathlib import Path\nroot = Path('D:/data/lungs')\nprint(root)\n"])
    assert errors == {"GL406"}


def test_keras_text_preprocessing_is_gone(tmp_path):
    _, errors = _check(tmp_path, ["from keras.preprocessing.text import Tokenizer"])
    assert errors == {"GL1502"}


def test_installing_what_the_image_has_needs_no_internet(tmp_path):
    """pip finds unpinned packages of Kaggle's image installed and never asks the index."""
    _, errors = _check(tmp_path, ["!pip install --quiet torch transformers peft pandas tqdm\n!pip install kaggle\n"])
    assert "GL1201" not in errors
    for line in ("!pip install -U shap", "!pip install torch==2.4.1", "!pip install hmmlearn", "!pip install -r requirements.txt"):
        _, errors = _check(tmp_path / line.split()[-1].replace("=", "_").replace(".", "_"), [line])
        assert "GL1201" in errors, line


def test_keras_optimizer_lr_is_an_error_torch_lr_is_not(tmp_path):
    _, errors = _check(tmp_path, ["from tensorflow.keras.optimizers import Adam\nfrom keras import optimizers\n"
                                  "a = Adam(lr=1e-3)\nb = optimizers.SGD(lr=0.1)\n"])
    assert errors == {"GL1601"}
    _, errors = _check(tmp_path / "ok", ["import torch\nimport tensorflow as tf\nm = torch.nn.Linear(2, 1)\n"
                                         "a = torch.optim.Adam(m.parameters(), lr=1e-3)\nb = tf.keras.optimizers.Adam(learning_rate=1e-3)\n"])
    assert not errors


def test_file_beside_the_script_is_not_uploaded(tmp_path):
    folder = _folder(tmp_path, {"code_file": "run.py", "kernel_type": "script"},
                     {"run.py": "from pathlib import Path\nimport json\nHERE = Path(__file__).parent\n"
                                "CONFIG = HERE / 'config.json'\ncfg = json.load(open(CONFIG))\n"})
    assert [(f.rule, f.line) for f in validate_path(folder).findings if f.severity == "error"] == [("GL408", 5)]


def test_a_short_password_literal_is_a_secret(tmp_path):
    report, errors = _check(tmp_path, ["def login(**kw):\n    return kw\nDB_PASSWORD = 'tr41n-h4rd'\nlogin(password='s3cr3t-99')\n"])
    assert errors == {"GL1101"} and not any("tr41n-h4rd" in f.message for f in report.findings)
    _, errors = _check(tmp_path / "ok", ["import os\ndef login(**kw):\n    return kw\nPASSWORD = '<your password>'\npwd = 'changeme1'\nlogin(password=os.environ['PW'])\n"])
    assert not errors
