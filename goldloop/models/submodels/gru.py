"""A small GRU autoencoder (PyTorch): the latent state of a trailing window of returns.

The encoder reads the ``seq_len`` rows ending at t and emits a ``latent``-dimensional code;
the decoder reconstructs the window from it. The code at t sees rows ≤ t only. torch is an
optional extra: without it the submodel says so clearly and the tests skip it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from goldloop.models.submodels.base import Submodel, SubmodelError


def _torch():
    try:
        import torch
    except ImportError as exc:
        raise SubmodelError("the GRUAutoencoder submodel needs PyTorch, which is not installed",
                            "pip install 'goldloop[torch]', or pick a family without it") from exc
    return torch


def _windows(Z: np.ndarray, seq_len: int) -> np.ndarray:
    """Row t → the seq_len rows ending at t; the first rows are padded with zeros (the mean)."""
    padded = np.vstack([np.zeros((seq_len - 1, Z.shape[1])), Z])
    return np.lib.stride_tricks.sliding_window_view(padded, seq_len, axis=0).transpose(0, 2, 1)


class GRUAutoencoder(Submodel):
    DEFAULTS = {"seq_len": 20, "hidden": 16, "latent": 3, "epochs": 15, "lr": 0.01, "batch": 128}
    VARIATIONS = [{}, {"latent": 2}, {"seq_len": 40}, {"hidden": 32, "latent": 4}]
    REQUIRES = ("torch",)

    def output_columns(self, inputs: list) -> list:
        return [self._col(f"latent_{i}") for i in range(int(self.params["latent"]))]

    def _network(self, n_inputs: int):
        torch = _torch()
        nn = torch.nn
        hidden, latent, seq = int(self.params["hidden"]), int(self.params["latent"]), int(self.params["seq_len"])

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.GRU(n_inputs, hidden, batch_first=True)
                self.to_code = nn.Linear(hidden, latent)
                self.decoder = nn.Linear(latent, seq * n_inputs)

            def encode(self, x):
                _, h = self.encoder(x)
                return torch.tanh(self.to_code(h[-1]))

            def forward(self, x):
                return self.decoder(self.encode(x)).view(x.shape)

        return Net()

    def _tensor(self, X: pd.DataFrame):
        torch = _torch()
        Z = (self._check_input(X).to_numpy() - self.mean_) / self.scale_
        return torch.tensor(_windows(Z, int(self.params["seq_len"])), dtype=torch.float32)

    def fit(self, X: pd.DataFrame) -> GRUAutoencoder:
        torch = _torch()
        values = self._check_input(X).to_numpy()
        self.mean_, self.scale_ = values.mean(axis=0), values.std(axis=0) + 1e-12
        torch.manual_seed(self.seed)
        self.net_ = self._network(values.shape[1])
        data = self._tensor(X)
        opt = torch.optim.Adam(self.net_.parameters(), lr=float(self.params["lr"]))
        gen = torch.Generator().manual_seed(self.seed)
        for _ in range(int(self.params["epochs"])):
            for idx in torch.randperm(len(data), generator=gen).split(int(self.params["batch"])):
                opt.zero_grad()
                loss = torch.mean((self.net_(data[idx]) - data[idx]) ** 2)
                loss.backward()
                opt.step()
        self.fitted_ = True
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._require_fitted()
        torch = _torch()
        with torch.no_grad():
            codes = self.net_.encode(self._tensor(X)).numpy()
        names = self.output_columns(list(X.columns))
        return self._frame(X, dict(zip(names, codes.T, strict=True)))

    def loss(self, X: pd.DataFrame, rows) -> float:
        """Mean squared reconstruction error of the standardised windows."""
        self._require_fitted()
        torch = _torch()
        data = self._tensor(X)[torch.as_tensor(np.asarray(rows))]
        with torch.no_grad():
            return float(torch.mean((self.net_(data) - data) ** 2))
