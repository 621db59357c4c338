"""The scanner on today's key formats and places, and on text that only looks like them."""

from __future__ import annotations

import base64

import pytest

from goldloop.redaction import REDACTED, redact
from goldloop.secrets import find_secrets, scan_file

HEX32 = "3b9f0c2e7a514d6e8f10a2b3c4d5e6f7"
# (label, text, the value that must disappear). Shapes from each service's documented format.
FORMATS = [
    ("kaggle legacy key, bare, kaggle nearby", f"kaggle_user = 'tester'\nkey = '{HEX32}'", HEX32),
    ("kaggle.json", f'{{"username": "tester", "key": "{HEX32}"}}', HEX32),
    ("os.environ assignment", f"os.environ['KAGGLE_KEY'] = '{HEX32}'", HEX32),
    ("os.getenv default", f"key = os.getenv('KAGGLE_KEY', '{HEX32}')", HEX32),
    ("KGAT token", "token: KGAT_0a1b2c3d4e5f6a7b8c9d", "KGAT_0a1b2c3d4e5f6a7b8c9d"),
    ("short KGAT token", "KGAT_9f8e7d6c", "KGAT_9f8e7d6c"),
    ("FRED URL in a traceback", f"HTTPError: 400 for url: https://api.stlouisfed.org/fred/series/"
                                f"observations?series_id=DGS10&api_key={HEX32}&file_type=json", HEX32),
    ("Fred client", f"fred = Fred('{HEX32}')", HEX32),
    ("Fred keyword", f"fred = Fred(api_key=\"{HEX32}\")", HEX32),
    ("FRED env line", f"FRED_API_KEY={HEX32}", HEX32),
    ("anthropic", "ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345-_x",
     "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345-_x"),
    ("openai project key", "client = OpenAI(api_key='sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78')",
     "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"),
    ("github classic", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
    ("github fine-grained", "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJ",
     "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEFGHIJ"),
    ("aws access key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPL3", "AKIAIOSFODNN7EXAMPL3"),
    ("aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY9",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY9"),
    ("google api key", "GOOGLE_KEY = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'",
     "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    ("hugging face", "login(token='hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567')", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),
    ("wandb", "wandb.login(key='0123456789abcdef0123456789abcdef01234567')", "0123456789abcdef0123456789abcdef01234567"),
    ("JSON api_key", '{"api_key": "Zx9Kq2LmN8pR4tVw7Yb1"}', "Zx9Kq2LmN8pR4tVw7Yb1"),
    ("URL userinfo", "postgresql://gold:S3cr3tPassw0rd9@db.example.com/gold", "S3cr3tPassw0rd9"),
    ("private key block", "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY-----"),
    ("split over two literals", 'token = ("KGAT_0a1b2c3d"\n         "4e5f6a7b8c9d")', None),
    ("+-joined", 'api_key = "Zx9Kq2Lm" + "N8pR4tVw7Yb1"', None),
    ("base64 of a token", f"t = base64.b64decode('{base64.b64encode(b'KGAT_0a1b2c3d4e5f').decode()}')",
     base64.b64encode(b"KGAT_0a1b2c3d4e5f").decode()),
]
NOT_SECRETS = [
    "git commit -m 'never use kaggle kernels push; use kaggle_submit'",
    "Set KAGGLE_KEY in .env (never in the notebook); the FRED_API_KEY goes there too.",
    "key = os.environ.get('KAGGLE_KEY', 'your-kaggle-key-here')",
    "api_key = os.environ['FRED_API_KEY']",
    "fred = Fred(api_key=os.environ['FRED_API_KEY'])",
    "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased-1234')",
    "max_tokens = 1024",
    "path = '/kaggle/input/datasets/tester/gold-vix-data/table.csv'",
    "commit 9f2c1e0d4b7a6c5e3f2a1b0c9d8e7f6a5b4c3d2e (HEAD -> main)",
    "run_id = 'a3f1c2e4-5b6d-4e7f-8a9b-0c1d2e3f4a5b'",
    "df['vix_regime'] = hmm.predict(X)  # regime 0..2, window 20, seed 42",
    "password = getpass.getpass()",
    "url = 'https://user:{password}@host/db'",
    'secret_name = "FRED_API_KEY"  # read with UserSecretsClient().get_secret(secret_name)',
]


@pytest.mark.parametrize(("label", "text", "value"), FORMATS, ids=[f[0] for f in FORMATS])
def test_format_is_found_and_redacted(label, text, value):
    assert find_secrets(text), label
    masked = redact(text, [])
    assert REDACTED in masked
    if value:
        assert value not in masked


def test_all_formats_listed():
    assert len(FORMATS) >= 23


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_text_that_only_mentions_keys_is_not_a_secret(text):
    assert find_secrets(text) == []
    assert redact(text, []) == text


@pytest.mark.parametrize("spelling", [
    lambda v: v,
    lambda v: f'k = "{v[:7]}" + "{v[7:]}"',
    lambda v: f'k = ("{v[:5]}"\n     "{v[5:]}")',
    lambda v: base64.b64encode(f"key={v}".encode()).decode(),
    lambda v: base64.b64encode(f"xy{v}".encode()).decode(),
    lambda v: base64.urlsafe_b64encode(v.encode()).decode(),
])
def test_configured_value_is_found_split_joined_or_encoded(spelling):
    value = "Zq7-odd-Secret-9x1"  # no shape: only configuration says it is a secret
    text = f"print('ok')\n{spelling(value)}\n"
    assert any(h.kind.startswith("configured_secret") for h in find_secrets(text, [value]))


def test_configured_value_is_redacted_and_never_echoed():
    value = "Zq7-odd-Secret-9x1"
    masked = redact(f"token={value} and b64 {base64.b64encode(value.encode()).decode()}", [value])
    assert value not in masked and masked.count(REDACTED) == 2
    hits = find_secrets(f"x {value}", [value])
    assert hits and value not in repr(hits)


def test_scan_file_streams_and_keeps_line_numbers(tmp_path):
    from goldloop import secrets

    path = tmp_path / "big.ipynb"
    filler = "x = 1\n" * 1_500_000  # 9 MB: several chunks
    path.write_text(filler + f"KAGGLE_KEY={HEX32}\n" + filler + "token = 'KGAT_0a1b2c3d4e5f'\n", encoding="utf-8")
    hits = scan_file(path)
    assert {h.line for h in hits} == {1_500_001, 3_000_002}
    # a key cut by a chunk border is still seen whole
    border = secrets.CHUNK_CHARS - 10
    path.write_text("a" * border + " KGAT_0a1b2c3d4e5f6a7b\n", encoding="utf-8")
    assert [h.kind for h in scan_file(path)] == ["kaggle_token"]
