# Sourced by scripts/demo and scripts/test: make .venv and install what requirements ask for.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "==> Tạo môi trường ảo .venv"
    "$PYTHON" -m venv .venv
fi
STAMP=.venv/.requirements.sha256
WANT="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "==> Cài đặt thư viện"
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
    echo "$WANT" > "$STAMP"
fi
export FLASK_APP=webapp:create_app
bash "$ROOT/scripts/_npm.sh"
