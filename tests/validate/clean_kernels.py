"""Clean kernels in the style of real Kaggle notebooks; the validator must find no errors.

Each entry: name → (code cells, kernel-metadata overrides). Used by the tests and, multiplied
with small variations, by bench/bench_validate.py as its corpus.
"""

from __future__ import annotations

from tests.validate.kernels import PATH_HELPER

LOAD_EDA = [
    "import os\nimport numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n\n"
    "for dirname, _, filenames in os.walk('/kaggle/input'):\n"
    "    for filename in filenames:\n        print(os.path.join(dirname, filename))",
    "DATA = '/kaggle/input/datasets/tester/gold-vix-data'\n"
    "df = pd.read_csv(f'{DATA}/vix.csv', parse_dates=['date'])\n"
    "df = df.sort_values('date').set_index('date')\ndf.head()",
    "df.describe()\nprint(df.isna().sum())",
    "fig, ax = plt.subplots(figsize=(12, 4))\ndf['vix'].plot(ax=ax, title='VIX')\n"
    "fig.savefig('/kaggle/working/vix.png', dpi=100)\nplt.close(fig)",
    "monthly = df['vix'].resample('ME').mean()\nmonthly.to_csv('monthly_vix.csv')",
]

FEATURES = [
    PATH_HELPER,
    "import numpy as np\nimport pandas as pd\n\n"
    "prices = pd.read_csv(input_file('tester/gold-vix-data', 'prices.csv'), "
    "parse_dates=['date'], index_col='date')\nprices = prices.ffill().dropna()",
    "def add_features(frame: pd.DataFrame, windows=(5, 20, 60)) -> pd.DataFrame:\n"
    "    out = frame.copy()\n    ret = np.log(out['gold']).diff()\n    out['ret'] = ret\n"
    "    for w in windows:\n        out[f'ret_mean_{w}'] = ret.rolling(w).mean()\n"
    "        out[f'ret_std_{w}'] = ret.rolling(w).std()\n"
    "        out[f'z_{w}'] = (out['gold'] - out['gold'].rolling(w).mean()) / "
    "out['gold'].rolling(w).std()\n"
    "    out['target'] = ret.shift(-1) * 100\n    return out.dropna()",
    "features = add_features(prices)\nfeatures.loc[features['z_20'] > 3, 'z_20'] = 3\n"
    "weekly = features.resample('W-FRI').last()\nprint(features.shape, weekly.shape)",
    "output = features.drop(columns=['gold']).reset_index()\n"
    "output['date'] = output['date'].dt.strftime('%Y-%m-%d')\n"
    "output.to_csv(WORKING / 'output.csv', index=False)",
]

XGB = [
    PATH_HELPER,
    "import json\nimport numpy as np\nimport pandas as pd\nimport xgboost as xgb\n"
    "from sklearn.metrics import mean_absolute_error",
    "data = pd.read_csv(input_file('tester/gold-vix-data', 'features.csv'), parse_dates=['date'])\n"
    "train = data[data['date'] <= '2018-12-31']\nvalid = data[data['date'] > '2018-12-31']\n"
    "cols = [c for c in data.columns if c not in ('date', 'target')]",
    "model = xgb.XGBRegressor(n_estimators=500, max_depth=2, min_child_weight=25, "
    "subsample=0.48,\n                         learning_rate=0.03, tree_method='hist', "
    "early_stopping_rounds=50)\n"
    "model.fit(train[cols], train['target'], eval_set=[(valid[cols], valid['target'])], "
    "verbose=False)\npred = model.predict(valid[cols])",
    "metrics = {'train_loss': float(mean_absolute_error(train['target'], "
    "model.predict(train[cols]))),\n"
    "           'val_loss': float(mean_absolute_error(valid['target'], pred))}\n"
    "with open(WORKING / 'metrics.json', 'w') as fh:\n    json.dump(metrics, fh, indent=2)\n"
    "model.save_model('/kaggle/working/model.json')",
]

TORCH = [
    "import os\nimport numpy as np\nimport pandas as pd\nimport torch\nfrom torch import nn\n"
    "from torch.utils.data import DataLoader, TensorDataset",
    "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
    "torch.manual_seed(0)\nprint('device', device)",
    "candidates = ['/kaggle/input/datasets/tester/gold-vix-data/panel.csv',\n"
    "              '/kaggle/input/gold-vix-data/panel.csv']\n"
    "path = next(p for p in candidates if os.path.exists(p))\n"
    "frame = pd.read_csv(path, index_col='date', parse_dates=True).dropna()",
    "class Net(nn.Module):\n    def __init__(self, n_in, hidden=32):\n        super().__init__()\n"
    "        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)\n"
    "        self.head = nn.Linear(hidden, 1)\n\n    def forward(self, x):\n"
    "        out, _ = self.lstm(x)\n        return self.head(out[:, -1]).squeeze(-1)",
    "X = torch.tensor(frame.drop(columns='target').values, dtype=torch.float32).unsqueeze(1)\n"
    "y = torch.tensor(frame['target'].values, dtype=torch.float32)\n"
    "loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)\n"
    "model = Net(X.shape[-1]).to(device)\n"
    "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\nloss_fn = nn.MSELoss()",
    "for epoch in range(5):\n    model.train()\n    total = 0.0\n    for xb, yb in loader:\n"
    "        xb, yb = xb.to(device), yb.to(device)\n        optimizer.zero_grad()\n"
    "        loss = loss_fn(model(xb), yb)\n        loss.backward()\n        optimizer.step()\n"
    "        total += loss.item() * len(xb)\n    print(epoch, total / len(X))\n"
    "torch.save(model.state_dict(), '/kaggle/working/model.pt')",
]

OPTUNA = [
    PATH_HELPER,
    "import json\nimport numpy as np\nimport pandas as pd\nimport optuna\nimport xgboost as xgb\n"
    "from sklearn.model_selection import TimeSeriesSplit",
    "data = pd.read_csv(input_file('tester/gold-vix-data', 'features.csv'), index_col='date')\n"
    "X, y = data.drop(columns='target'), data['target']",
    "def objective(trial):\n    params = {\n"
    "        'max_depth': trial.suggest_int('max_depth', 2, 4),\n"
    "        'min_child_weight': trial.suggest_int('min_child_weight', 5, 30),\n"
    "        'subsample': trial.suggest_float('subsample', 0.4, 0.9),\n"
    "        'learning_rate': trial.suggest_float('learning_rate', 1e-3, 0.1, log=True),\n"
    "    }\n    scores = []\n    for tr, te in TimeSeriesSplit(n_splits=4).split(X):\n"
    "        model = xgb.XGBRegressor(n_estimators=200, tree_method='hist', **params)\n"
    "        model.fit(X.iloc[tr], y.iloc[tr])\n"
    "        scores.append(np.mean(np.abs(model.predict(X.iloc[te]) - y.iloc[te])))\n"
    "    return float(np.mean(scores))",
    "study = optuna.create_study(direction='minimize', "
    "sampler=optuna.samplers.TPESampler(seed=0))\n"
    "study.optimize(objective, n_trials=20)\nprint(study.best_params)",
    "final = xgb.XGBRegressor(n_estimators=200, tree_method='hist', **study.best_params)\n"
    "final.fit(X, y)\n(WORKING / 'best_params.json').write_text(json.dumps(study.best_params))",
]

HMM = [
    PATH_HELPER,
    "import numpy as np\nimport pandas as pd\nfrom hmmlearn.hmm import GaussianHMM",
    "vix = pd.read_csv(input_file('tester/gold-vix-data', 'vix.csv'), parse_dates=['date'], "
    "index_col='date')['vix']\nchanges = np.log(vix).diff().dropna()",
    "train = changes[:'2010-12-31'].to_numpy().reshape(-1, 1)\n"
    "hmm = GaussianHMM(n_components=3, covariance_type='full', n_iter=200, random_state=0)\n"
    "hmm.fit(train)\nprobs = hmm.predict_proba(changes.to_numpy().reshape(-1, 1))",
    "out = pd.DataFrame(probs, index=changes.index, columns=[f'vix_regime_{i}' "
    "for i in range(3)])\nout.index.name = 'date'\nout.to_csv('output.csv')",
]

YFINANCE = [
    "import yfinance as yf\nimport pandas as pd",
    "gold = yf.download('GC=F', start='2015-01-01', progress=False, auto_adjust=True)\n"
    "if gold.empty:\n    raise RuntimeError('no data for GC=F')\nclose = gold['Close'].squeeze()",
    "hist = yf.Ticker('^VIX').history(period='5y')\nassert not hist.empty, 'no VIX data'\n"
    "vix = hist['Close']",
    "frame = pd.concat({'gold': close, 'vix': vix}, axis=1).dropna()\n"
    "frame.to_csv('/kaggle/working/prices.csv')",
]

SECRETS = [
    "from kaggle_secrets import UserSecretsClient\nimport os\nimport pandas as pd",
    "secrets = UserSecretsClient()\nos.environ['FRED_API_KEY'] = "
    "secrets.get_secret('FRED_API_KEY')",
    "from fredapi import Fred\nfred = Fred(api_key=os.environ['FRED_API_KEY'])\n"
    "dfii10 = fred.get_series('DFII10')\nif len(dfii10) == 0:\n    raise RuntimeError('empty')\n"
    "dfii10.to_frame('real_rate').to_csv('real_rate.csv')",
]

GPU_TORCH = [
    "import torch\nfrom torch import nn",
    "model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1)).cuda()\n"
    "x = torch.randn(64, 8, device='cuda')\nprint(model(x).shape)",
]

PANDAS_IDIOMS = [
    "import numpy as np\nimport pandas as pd\n"
    "frame = pd.read_csv('/kaggle/input/datasets/tester/gold-vix-data/panel.csv', "
    "parse_dates=['date'])",
    "rows = []\nfor year, group in frame.groupby(frame['date'].dt.year):\n"
    "    rows.append({'year': year, 'n': len(group)})\nsummary = pd.DataFrame(rows)",
    "frame = pd.concat([frame, frame.tail(1)], ignore_index=True)\n"
    "frame = frame.ffill().bfill()\nframe['vix'] = frame['vix'].fillna(0)\n"
    "for name, col in frame.items():\n    print(name, col.dtype)",
    "arr = np.arange(12).reshape(3, 4)\narr = np.swapaxes(arr, 0, 1)\n"
    "period = frame['date'].dt.to_period('M')\nq = pd.period_range('2020', periods=4, freq='Q')\n"
    "hourly = pd.date_range('2020-01-01', periods=24, freq='h')\n"
    "frame.map(str).to_csv('/kaggle/working/strings.csv')",
]

CLEAN: dict[str, tuple[list[str], dict]] = {
    "load_eda": (LOAD_EDA, {}),
    "features": (FEATURES, {}),
    "xgboost_train": (XGB, {}),
    "torch_lstm": (TORCH, {}),
    "optuna_xgb": (OPTUNA, {}),
    "hmm_regime": (HMM, {}),
    "yfinance_download": (YFINANCE, {"enable_internet": True, "dataset_sources": []}),
    "fred_with_secrets": (SECRETS, {"enable_internet": True, "dataset_sources": []}),
    "gpu_torch": (GPU_TORCH, {"enable_gpu": True, "dataset_sources": []}),
    "pandas_idioms": (PANDAS_IDIOMS, {}),
}
