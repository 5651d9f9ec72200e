#!/usr/bin/env bash
# Run checkov over terraform/ fully offline, from a dedicated virtualenv.
#
# - The virtualenv lives in .venv-checkov (checkov's pins conflict with Django's).
# - It is (re)built only when requirements/checkov.txt changes: a stamp file inside
#   the venv keeps the sha256 of the requirements file it was built from.
# - BC_SKIP_MAPPING=TRUE keeps checkov from calling the Bridgecrew/Prisma API
#   (without it, it prints a traceback trying to download a mapping).
# - Exits non-zero when any check fails (or checkov itself fails).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"

VENV_DIR="${CHECKOV_VENV:-.venv-checkov}"
REQS="requirements/checkov.txt"
STAMP="$VENV_DIR/.requirements.sha256"
PYTHON_BIN="${CHECKOV_PYTHON:-python3.11}"

want_sha="$(sha256sum "$REQS" | cut -d' ' -f1)"
have_sha="$(cat "$STAMP" 2>/dev/null || true)"

if [[ ! -x "$VENV_DIR/bin/checkov" || "$want_sha" != "$have_sha" ]]; then
    echo "checkov.sh: (re)creating $VENV_DIR from $REQS" >&2
    rm -rf "$VENV_DIR"
    "$PYTHON_BIN" -m venv "$VENV_DIR"
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
    echo "$want_sha" > "$STAMP"
fi

export BC_SKIP_MAPPING=TRUE
# No telemetry / no version check / no network lookups.
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
export SKIP_CHECKOV_VERSION_CHECK=true
export PYTHONWARNINGS=ignore

exec "$VENV_DIR/bin/checkov" -d terraform/ --framework terraform,secrets --compact --quiet "$@"
