#!/usr/bin/env bash
# Runs the shipped mappings on the public accounts-receivable files in ../shared/data/real
# (beside this checkout; their licences are unknown, so they are never copied here).
# Usage: examples/run-real.sh [path to cartera] — default: cargo run --release.
set -euo pipefail
cd "$(dirname "$0")/.."
real=../shared/data/real
cartera=("${1:-cargo}")
[ "${1:-}" ] || cartera=(cargo run --quiet --release --locked --)
echo "== IBM accounts receivable (invoice list with SettledDate), as of 2013-06-30"
"${cartera[@]}" aging --invoices "$real/WA_Fn-UseC_-Accounts-Receivable.csv" --policy examples/mappings/ibm-ar.toml --as-of 2013-06-30 | tail -4
echo "== HighRadius open items (balance, USD and CAD), as of 2020-05-22"
"${cartera[@]}" aging --invoices "$real/highradius_open_invoices_data2.csv" --policy examples/mappings/highradius.toml --as-of 2020-05-22 | tail -6
