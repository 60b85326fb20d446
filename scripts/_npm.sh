#!/usr/bin/env bash
# Called by scripts/_venv.sh: install the browser libraries package-lock.json pins (bpmn-js) into node_modules/.
# Runs npm ci only when node_modules/ is missing or package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
STAMP=node_modules/.motcua-lock.sha256
WANT="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "LỖI: không tìm thấy npm, cần có Node.js và npm để cài thư viện giao diện (bpmn-js)." >&2
    echo "     Trên Debian/Ubuntu: sudo apt-get install nodejs npm, rồi chạy lại lệnh này." >&2
    exit 1
fi
echo "==> Cài đặt thư viện giao diện (npm)"
npm ci --no-audit --no-fund --loglevel=error
echo "$WANT" > "$STAMP"
