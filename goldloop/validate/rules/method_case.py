"""method_case: ``s.UPPER()``, ``model.Fit()`` — a known method name with the wrong case.

Python attribute lookup is case-sensitive, so these crash with AttributeError only when the
cell runs, often after minutes of training. Calls on a module (``pd.Index``, ``nn.Linear``)
are classes, not methods, and are left alone, as are names the notebook defines itself.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from goldloop.validate.astutil import dotted
from goldloop.validate.registry import rule

# Methods of str, list/dict, pandas, numpy, sklearn estimators, torch, xgboost and optuna
# that notebooks call on objects. A data table: extend it, do not add branches.
KNOWN_METHODS = frozenset("""
upper lower title capitalize casefold strip lstrip rstrip split rsplit splitlines join replace
startswith endswith find rfind index rindex count format zfill isdigit isalpha isalnum isnumeric
encode decode append extend insert remove pop clear copy sort reverse keys values items get
update setdefault add discard union intersection difference
head tail describe info fillna dropna isna isnull notna notnull ffill bfill interpolate shift
diff pct_change rolling expanding ewm resample groupby agg aggregate apply map transform merge
join concat pivot pivot_table melt stack unstack sort_values sort_index reset_index set_index
reindex rename drop drop_duplicates duplicated astype to_numpy to_frame to_dict to_list tolist
to_csv to_parquet to_json to_pickle to_datetime read_csv read_parquet loc iloc mean median sum
std var min max cumsum cumprod cummax cummin prod abs round clip corr cov quantile rank
nlargest nsmallest value_counts unique nunique idxmax idxmin any all where mask isin between
explode sample query eval assign dot filter first_valid_index last_valid_index tz_localize
tz_convert strftime asfreq squeeze item
reshape ravel flatten transpose argmax argmin argsort nonzero cumsum astype fill tobytes
fit predict predict_proba predict_log_proba fit_predict fit_transform inverse_transform
score decision_function get_params set_params partial_fit split get_n_splits staged_predict
backward step zero_grad forward parameters named_parameters state_dict load_state_dict
train cuda cpu numpy detach view unsqueeze permute contiguous requires_grad_ to
float double long int half bool size dim eval_set get_booster get_score save_model
load_model set_param get_fscore evals_result inplace_predict
optimize suggest_float suggest_int suggest_categorical enqueue_trial trials_dataframe
should_prune report
savefig subplots plot scatter hist legend set_title set_xlabel set_ylabel show close
""".split())

_BY_LOWER = {name.lower(): name for name in KNOWN_METHODS}
# Libraries whose objects expose genuine CamelCase callables (Keras layers `layers.Flatten()`,
# keras-tuner `hp.Int()` / `hp.Float()`, TensorFlow `tf.keras.Model`): a capitalised name
# there is an API, not a typo.
CAMELCASE_LIBRARIES = {"keras", "tensorflow", "keras_tuner", "kerastuner", "tf_keras", "jax",
                       "flax", "pyspark", "torch_geometric"}
PANDAS_NAMES_FILE = Path(__file__).resolve().parent.parent / "pandas_names.json"


def _calls(ctx):
    """(cell, call, name) for method calls not on a module (pd.Index, nn.Linear are classes)."""
    for cell, node in ctx.nodes(ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr in ctx.defined:
            continue
        chain = dotted(func.value)
        if chain and chain.split(".")[0] in ctx.imported:
            continue
        yield cell, node, func.attr


def _case_hits(ctx, capitalised: bool):
    for cell, node, name in _calls(ctx):
        known = _BY_LOWER.get(name.lower())
        if known is None or known == name:
            continue
        if (name[:1].isupper() and name[1:] == name[1:].lower()) == capitalised:
            yield cell.number, node.lineno, f"`.{name}()` is not a method; did you mean `.{known}()`?"


@rule("GL201", "method_case", "error", "a method name with the wrong letter case",
      "use the lower-case method name shown; Python names are case-sensitive")
def wrong_case(ctx):
    yield from _case_hits(ctx, capitalised=False)


@rule("GL202", "method_case", "warning", "a capitalised call that looks like a known method",
      "if it is a method, use the lower-case name shown; a class or factory of the object "
      "(Keras `layers.Flatten()`, keras-tuner `hp.Int()`) is fine")
def capitalised(ctx):
    if ctx.imported_modules & CAMELCASE_LIBRARIES:
        return
    yield from _case_hits(ctx, capitalised=True)


@cache
def pandas_names() -> frozenset[str]:
    import json

    return frozenset(json.loads(PANDAS_NAMES_FILE.read_text(encoding="utf-8"))["names"])


@rule("GL203", "method_case", "error", "a misspelled pandas method",
      "use the pandas method named in the message (e.g. value_counts, not value_count)")
def misspelled_pandas(ctx):
    import difflib

    from goldloop.validate.rules.pandas_api import REMOVED, is_pandas

    names, removed = pandas_names(), {api.name for api in REMOVED}
    for cell, node, name in _calls(ctx):
        if name in names or name in removed or name.startswith("_") or not is_pandas(ctx, node.func.value):
            continue
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.85)
        if close and close[0].lower() != name.lower():
            yield (cell.number, node.lineno,
                   f"`.{name}()` is not a pandas method; did you mean `.{close[0]}()`? "
                   "(AttributeError when the cell runs)")
