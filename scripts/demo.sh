#!/usr/bin/env bash
# `make demo`: the main jobs on the bundled example company, no credentials, no network.
# Runs inside the workspace environment (`uv run`), so `ledgerlink` is on PATH.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/ledgerlink-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A throw-away config and data directory: the demo never touches the user's own.
export LEDGERLINK_CONFIG_DIR="$work/config" LEDGERLINK_DATA_DIR="$work/data"

example=$(python -c "from ledgerlink_core.examples import example_company_path as p; print(p())")
step() { printf '\n$ %s\n' "$*"; "$@"; }

echo "== ledgerlink demo: the bundled example company ($(basename "$example"))"
step ledgerlink backends
step ledgerlink check "$example"
step ledgerlink pull "$example"
step ledgerlink pull "$example" -o "$work/copy.se"
step ledgerlink check "$work/copy.se" --json
# Year-end adjustments back into the books: vouchers as SIE 4I, exactly once.
python - "$example" "$work/adjustments.si" <<'PY'
import sys
from ledgerlink_core.sie import read_sie, write_sie

book = read_sie(sys.argv[1]).bookkeeping
adjustments = book.model_copy(update={"vouchers": book.vouchers[:3]})
write_sie(adjustments, sys.argv[2], sie_type="4I")
PY
step ledgerlink push --to sie_file --set "path=$work/out.si" "$work/adjustments.si" --dry-run
step ledgerlink push --to sie_file --set "path=$work/out.si" "$work/adjustments.si"
step ledgerlink push --to sie_file --set "path=$work/out.si" "$work/adjustments.si"

echo
echo "== the Fortnox flow against the local Fortnox emulator"
python "$(dirname "$0")/fortnox_demo.py"
echo
echo "demo finished"
