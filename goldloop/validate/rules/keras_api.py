"""keras_api: Keras arguments that Keras 3 (the version in Kaggle's image) refuses.

``tf.keras.optimizers.Adam(lr=1e-5)`` worked in Keras 2, warned (and ignored ``lr``) from 2.11,
and raises ``ValueError: Argument(s) not recognized: {'lr': …}`` in Keras 3 (philipperemy/keras-tcn
#284, keras-team/keras#19025). ``torch.optim.Adam(lr=…)`` is right and is not reported: only
optimizers reached through Keras are.
"""

from __future__ import annotations

import ast

from goldloop.validate.astutil import call_name, dotted, root_name
from goldloop.validate.registry import rule

OPTIMIZERS = {"Adam", "AdamW", "Adamax", "Nadam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Ftrl", "Lion"}


def _from_keras(ctx) -> set[str]:
    """Names bound by ``from <…keras…> import …``: ``Adam``, ``optimizers``."""
    return {a.asname or a.name for _, node in ctx.nodes(ast.ImportFrom)
            if node.module and "keras" in node.module for a in node.names}


@rule("GL1601", "keras_api", "error", "a Keras optimizer given lr=",
      "write learning_rate= (Keras 3 raises ValueError: Argument(s) not recognized: {'lr': …})")
def optimizer_lr(ctx):
    keras_names = _from_keras(ctx)
    for cell, node in ctx.nodes(ast.Call):
        if call_name(node) not in OPTIMIZERS or not any(k.arg == "lr" for k in node.keywords):
            continue
        chain = dotted(node.func)
        if "keras" in chain.split(".") or root_name(node.func) in keras_names:
            yield cell.number, node.lineno, f"`{chain or call_name(node)}(lr=…)`: Keras 3 has no lr argument"
