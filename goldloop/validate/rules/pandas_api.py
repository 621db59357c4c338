"""pandas_api: APIs removed from pandas 2.x/3.x, kept as a data table (API, removed in, fix).

Kaggle's image carries pandas 2.2 and the local backend runs pandas 3, so anything removed
by 3.0 crashes one of the two: those rows are errors (GL701). Silent behaviour changes under
Copy-on-Write (chained assignment, ``inplace=`` on a column) are warnings (GL702).

Methods whose names other libraries share (``list.append``, ``ndarray.swapaxes``,
``str.pad``) are only reported on values known to be pandas objects: names assigned from
``pd.*``/``yf.download``, derived from those, or conventionally named ``df``/``*_df``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from goldloop.validate.astutil import call_name, const_str, dotted, keyword, root_name
from goldloop.validate.registry import rule


@dataclass(frozen=True)
class Api:
    kind: str  # method | pandas_method | attribute | module_attr | kwarg | option
    name: str
    removed_in: str
    replacement: str
    calls: frozenset[str] = frozenset()  # kwarg rows: the calls the keyword belongs to


_READERS = frozenset({"read_csv", "read_table", "read_fwf", "read_excel"})

REMOVED = (
    Api("pandas_method", "append", "2.0", "pd.concat([df, other])"),
    Api("pandas_method", "as_matrix", "1.0", ".to_numpy()"),
    Api("method", "iteritems", "2.0", ".items()"),
    Api("method", "mad", "2.0", "(x - x.mean()).abs().mean()"),
    Api("pandas_method", "lookup", "2.0", ".melt() + .loc, or numpy indexing"),
    Api("pandas_method", "swapaxes", "3.0", ".transpose() / .T"),
    Api("method", "applymap", "3.0", "DataFrame.map"),
    Api("pandas_method", "bool", "3.0", "bool(x.item())"),
    Api("pandas_method", "backfill", "3.0", ".bfill()"),
    Api("pandas_method", "pad", "3.0", ".ffill()"),
    Api("attribute", "ix", "1.0", ".loc (labels) or .iloc (positions)"),
    Api("attribute", "is_monotonic", "2.0", ".is_monotonic_increasing"),
    Api("module_attr", "datetime", "2.0", "import datetime"),
    Api("module_attr", "np", "2.0", "import numpy as np"),
    Api("module_attr", "Int64Index", "2.0", "pd.Index(values, dtype='int64')"),
    Api("module_attr", "Float64Index", "2.0", "pd.Index(values, dtype='float64')"),
    Api("module_attr", "UInt64Index", "2.0", "pd.Index(values, dtype='uint64')"),
    Api("kwarg", "method", "3.0", ".ffill() / .bfill()", frozenset({"fillna"})),
    Api("kwarg", "date_parser", "3.0", "date_format=, or pd.to_datetime after reading", _READERS),
    Api("kwarg", "infer_datetime_format", "3.0", "drop it (formats are inferred)",
        _READERS | {"to_datetime"}),
    Api("kwarg", "line_terminator", "2.0", "lineterminator=", frozenset({"to_csv"})),
    Api("kwarg", "squeeze", "2.0", ".squeeze('columns') after reading", _READERS),
    Api("kwarg", "delim_whitespace", "3.0", r"sep=r'\s+'", _READERS),
    Api("kwarg", "keep_date_col", "3.0", "parse the columns after reading", _READERS),
    Api("kwarg", "axis", "3.0", "transpose first, or group the columns explicitly",
        frozenset({"groupby"})),
    Api("option", "use_inf_as_na", "3.0", "df.replace([np.inf, -np.inf], np.nan)"),
)

# Offset aliases removed in pandas 3.0 (deprecated in 2.2) and what replaced them.
FREQ_ALIASES = {
    "M": "ME", "H": "h", "T": "min", "S": "s", "L": "ms", "U": "us", "N": "ns", "A": "YE",
    "Y": "YE", "Q": "QE", "BM": "BME", "BQ": "BQE", "BA": "BYE", "BY": "BYE", "SM": "SME",
    "BH": "bh", "CBH": "cbh", "CBM": "CBME", "AS": "YS", "BAS": "BYS",
}
_FREQ = re.compile(r"^(\d*)([A-Z]+)(-[A-Z]{3})?$")
_FREQ_CALLS = {"resample", "asfreq", "rolling"}  # frequency as first positional argument
_PERIOD_CALLS = {"period_range", "to_period", "Period", "PeriodIndex"}  # 'M', 'Q' are valid
_PANDAS_NAME = re.compile(r"^(df|df_\w+|\w+_df|\w+_df_\w+)$")


def pandas_names(ctx) -> set[str]:
    """Names bound to pandas objects, as far as assignments show."""
    if "pandas_names" in ctx.memo:
        return ctx.memo["pandas_names"]
    aliases = {"pd", "pandas"} | {
        a.asname or a.name for _, n in ctx.nodes(ast.Import) for a in n.names
        if a.name == "pandas"
    }
    yf = {"yf", "yfinance"}
    known: set[str] = set()
    assigns = [n for _, n in ctx.nodes(ast.Assign)]
    for _ in range(3):  # propagate df2 = df.dropna() chains a few steps
        for node in assigns:
            root = root_name(node.value)
            is_yf = isinstance(node.value, ast.Call) and call_name(node.value) in {
                "download", "history"} and (root in yf or call_name(node.value) == "history")
            if root in aliases or root in known or is_yf:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        known.add(target.id)
    ctx.memo["pandas_names"] = known
    return known


_CONTAINERS = (ast.List, ast.ListComp, ast.Tuple, ast.Set, ast.SetComp, ast.Dict, ast.DictComp)
_CONTAINER_CALLS = {"list", "dict", "set", "tuple", "defaultdict", "deque", "OrderedDict"}


def container_names(ctx) -> set[str]:
    """Names bound to a list/dict/set (``df_list = []``): their .append is list.append."""
    if "container_names" not in ctx.memo:
        ctx.memo["container_names"] = {
            target.id for _, node in ctx.nodes(ast.Assign, ast.AnnAssign)
            if node.value is not None and (isinstance(node.value, _CONTAINERS) or (
                isinstance(node.value, ast.Call) and call_name(node.value) in _CONTAINER_CALLS))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
    return ctx.memo["container_names"]


def is_pandas(ctx, node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "str":
        return False  # the .str accessor: .str.pad() is fine
    root = root_name(node)
    if root is None or (root in container_names(ctx) and root == dotted(node)):
        return False
    if dotted(node) == root and root in ctx.imported:
        return False  # a module (np.swapaxes), not a value
    return root in pandas_names(ctx) or bool(_PANDAS_NAME.match(root)) or root in {"pd", "pandas"}


def _message(api: Api, what: str) -> str:
    return f"{what} was removed in pandas {api.removed_in}; use {api.replacement}"


def _method_hits(ctx, api: Api):
    for cell, node in ctx.nodes(ast.Call):
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != api.name:
            continue
        receiver = func.value
        if api.kind == "method":
            chain = dotted(receiver)
            if chain and chain.split(".")[0] in ctx.imported and chain == root_name(receiver):
                continue
        elif not (is_pandas(ctx, receiver) or (api.name == "append" and (
                keyword(node, "ignore_index") is not None or _reassigned(ctx, node))
                and root_name(receiver) not in container_names(ctx))):
            continue
        yield cell.number, node.lineno, _message(api, f"`.{api.name}()`")


def _reassigned(ctx, call: ast.Call) -> bool:
    """``x = x.append(...)``: list.append returns None, so this is DataFrame.append."""
    return any(node.value is call for _, node in ctx.nodes(ast.Assign))


def _hits(ctx, api: Api):
    if api.kind in {"method", "pandas_method"}:
        yield from _method_hits(ctx, api)
    elif api.kind == "attribute":
        for cell, node in ctx.nodes(ast.Attribute):
            if node.attr == api.name and root_name(node.value) not in ctx.imported:
                yield cell.number, node.lineno, _message(api, f"`.{api.name}`")
    elif api.kind == "module_attr":
        for cell, node in ctx.nodes(ast.Attribute):
            if node.attr == api.name and isinstance(node.value, ast.Name) and node.value.id in {
                    "pd", "pandas"}:
                yield cell.number, node.lineno, _message(api, f"`pd.{api.name}`")
    elif api.kind == "kwarg":
        for cell, node in ctx.nodes(ast.Call):
            if call_name(node) in api.calls and keyword(node, api.name) is not None:
                yield (cell.number, node.lineno,
                       _message(api, f"`{call_name(node)}({api.name}=...)`"))
    elif api.kind == "option":
        for cell, node in ctx.nodes(ast.Constant):
            if isinstance(node.value, str) and node.value.split(".")[-1] == api.name:
                yield cell.number, node.lineno, _message(api, f"option {node.value!r}")


def _freq_hits(ctx):
    for cell, node in ctx.nodes(ast.Call):
        name = call_name(node)
        if name in _PERIOD_CALLS:
            continue
        values = [keyword(node, "freq"), keyword(node, "rule")]
        if name in _FREQ_CALLS and node.args:
            values.append(node.args[0])
        for value in values:
            text = const_str(value)
            match = _FREQ.match(text) if text else None
            if match and match.group(2) in FREQ_ALIASES:
                new = f"{match.group(1)}{FREQ_ALIASES[match.group(2)]}{match.group(3) or ''}"
                yield (cell.number, node.lineno,
                       f"frequency alias {text!r} was removed in pandas 3.0; use {new!r}")


@rule("GL701", "pandas_api", "error", "an API removed in pandas 2.x/3.x",
      "use the replacement named in the message (works on pandas 2.2 and 3.x)")
def removed_api(ctx):
    for api in REMOVED:
        yield from _hits(ctx, api)
    yield from _freq_hits(ctx)


@rule("GL702", "pandas_api", "warning", "a write that has no effect under Copy-on-Write",
      "assign through one indexer: df.loc[rows, 'col'] = value, or df['col'] = df['col'].fillna(v)")
def copy_on_write(ctx):
    for cell, node in ctx.nodes(ast.Assign, ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Subscript)
                    and const_str(target.value.slice) is not None
                    and is_pandas(ctx, target.value.value)):
                yield (cell.number, node.lineno,
                       "chained assignment df[col][rows] = … changes a copy in pandas 3; "
                       "the DataFrame is not modified")
    for cell, node in ctx.nodes(ast.Call):
        inplace = keyword(node, "inplace")
        func = node.func
        if (isinstance(inplace, ast.Constant) and inplace.value is True
                and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Subscript)
                and const_str(func.value.slice) is not None and is_pandas(ctx, func.value.value)):
            yield (cell.number, node.lineno,
                   f"df[col].{func.attr}(inplace=True) changes a copy in pandas 3; the "
                   "DataFrame is not modified")
