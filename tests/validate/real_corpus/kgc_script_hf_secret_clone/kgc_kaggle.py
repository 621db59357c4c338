import os
import sys
import subprocess
from pathlib import Path

HF_TOKEN = os.environ.get('HF_TOKEN')
if not HF_TOKEN:
    try:
        from kaggle_secrets import UserSecretsClient
        HF_TOKEN = UserSecretsClient().get_secret('HF_TOKEN')
    except Exception:
        pass
if not HF_TOKEN:
    print('attach the HF_TOKEN secret to this kernel')
    sys.exit(1)


def run_step(cmd, cwd=None):
    if subprocess.run(cmd, shell=True, cwd=cwd).returncode != 0:
        sys.exit(1)


def main():
    base = Path('/kaggle/working/kgc')
    if not base.exists():
        run_step('git clone https://github.com/someone/kgc.git /kaggle/working/kgc')
    os.chdir(base)
    run_step('pip install -q transformers datasets huggingface_hub')
    matches = list(Path('/kaggle/working').rglob('subset.json'))
    run_step('python src/train.py --epochs 15', cwd=base)


if __name__ == '__main__':
    main()
