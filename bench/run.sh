#!/usr/bin/env bash
# Benchmarks cartera on a synthetic ledger against the csv floor and DuckDB (bench/README.md).
#
#   bench/run.sh [N_INVOICES] [CUSTOMERS]     default 1000000 20000; the big run: 10000000 200000
#   bench/run.sh linear [SMALL_N] [BIG_N]     aging at 1M and 10M invoices (50 per customer)
#
# Environment: BENCH_DIR (ledgers and outputs, default /tmp/cartera-bench), BENCH_RUNS (runs
# per job, default 3; the median is reported), BENCH_SEED (default 1), BENCH_JOBS (default
# "scan aging reconcile risk duckdb"), BENCH_AS_OF (default 2026-06-30), BENCH_PAUSE (seconds
# to wait before each run, default 0: on a virtual machine whose host takes back the memory
# let go, a pause of 3 starts every job as a nightly one would, not with the memory the job
# before it let go; see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${BENCH_DIR:-/tmp/cartera-bench}
runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-1}
as_of=${BENCH_AS_OF:-2026-06-30}
pause=${BENCH_PAUSE:-0}
jobs=${BENCH_JOBS:-scan aging reconcile risk duckdb}
cartera=target/release/cartera
time_bin=/usr/bin/time

if [ ! -x "$time_bin" ]; then
    echo "bench: $time_bin is missing (GNU time; on Debian or Ubuntu: apt-get install time)" >&2
    exit 1
fi
mkdir -p "$dir"

build() {
    echo "== building (release)" >&2
    cargo build --release --locked --quiet --bin cartera --example gen_ledger --example scan_floor
}

# The ledger for N invoices and C customers, generated once per (N, C, seed).
ledger() {
    local n=$1 c=$2 file="$dir/ledger-$1-$2-s$seed.csv"
    if [ ! -s "$file" ]; then
        echo "== generating $file" >&2
        target/release/examples/gen_ledger --invoices "$n" --customers "$c" --seed "$seed" \
            -o "$file.tmp"
        mv "$file.tmp" "$file"
    fi
    echo "$file"
}

have_duckdb() { python3 -c 'import duckdb' 2>/dev/null; }

# The command line of a job on a ledger.
job_command() {
    local job=$1 file=$2
    case $job in
        scan) echo target/release/examples/scan_floor "$file" ;;
        aging | reconcile | risk)
            echo "$cartera" "$job" "$file" --as-of "$as_of" --no-config -q --format csv \
                -o "$dir/out-$job.csv" ;;
        duckdb) echo python3 bench/duckdb_aging.py "$file" "$as_of" "$dir/out-duckdb.csv" 2 ;;
        *) echo "bench: unknown job $job" >&2; exit 2 ;;
    esac
}

# Runs one job once; appends "seconds KiB" to $dir/times-<name> (name: the job's, unless
# given).
measure() {
    local job=$1 file=$2 name=${3:-$1}
    sleep "$pause"
    # shellcheck disable=SC2046 # the command is split into words on purpose (no spaces in paths)
    if ! "$time_bin" -f '%e %M' -o "$dir/time.tmp" $(job_command "$job" "$file") \
        >"$dir/stdout-$job.txt" 2>"$dir/stderr-$job.txt"; then
        echo "bench: job $job failed:" >&2
        cat "$dir/stderr-$job.txt" >&2
        exit 1
    fi
    tail -n 1 "$dir/time.tmp" >>"$dir/times-$name"
}

# Median of column $2 (1 seconds, 2 KiB) of $dir/times-<job>.
median() {
    sort -n -k "$2" "$dir/times-$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'
}

# A job's time over the aging's, run by run (the runs alternate, so each pair ran within a
# minute of each other, through the same slow or fast spell of the machine): the median,
# the range, and how many pairs are within 1.2×.
paired() {
    paste -d' ' "$dir/times-$1" "$dir/times-aging" | awk '{ print $1 / $3 }' | sort -n |
        awk '{ v[NR] = $1; if ($1 <= 1.2) k++ }
            END { printf "paired run by run: median %.2f×, %.2f-%.2f×, %d of %d within 1.2×", v[int((NR + 1) / 2)], v[1], v[NR], k, NR }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# The order of the jobs given after $1 in run $1 (from 1): a Williams design, so that over
# twice as many runs as jobs (as many, for an even number of jobs) each job comes right after
# each other job equally often. A job may run slower or faster for what the job before it
# left behind (memory let go, a replaced file's blocks); in one fixed order, whatever that is
# falls on the same job every run (bench/README.md). Run 1 starts with the first job given.
run_order() {
    local run=$1 n j k lo hi
    shift
    n=$#
    ((n > 0)) || return 0
    local -a jobs=("$@") first=(0) row=()
    lo=1 hi=$((n - 1))
    for ((j = 1; j < n; j++)); do
        if ((j % 2 == 1)); then first+=("$lo"); lo=$((lo + 1)); else first+=("$hi"); hi=$((hi - 1)); fi
    done
    k=$(((run - 1) % (n % 2 == 0 ? n : 2 * n)))
    for ((j = 0; j < n; j++)); do row+=("${jobs[$(((first[j] + k % n) % n))]}"); done
    if ((k >= n)); then
        for ((j = n - 1; j >= 0; j--)); do echo "${row[j]}"; done
    else
        printf '%s\n' "${row[@]}"
    fi
}

# Runs every job $runs times, alternating between jobs in a balanced order (`run_order`: the
# machine is noisy, and a job may be affected by the one before it), after a warm-up read of
# the file into the page cache.
run_jobs() {
    local file=$1 run job
    shift
    cat "$file" >/dev/null
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    for job in "$@"; do rm -f "$dir/times-$job"; done
    for run in $(seq "$runs"); do
        for job in $(run_order "$run" "$@"); do
            echo "== run $run/$runs: $job" >&2
            measure "$job" "$file"
        done
    done
}

report() {
    local n=$1 c=$2 file=$3 job s m
    shift 3
    local -A sec kib
    for job in "$@"; do
        sec[$job]=$(median "$job" 1)
        kib[$job]=$(median "$job" 2)
    done
    echo
    echo "ledger: $file ($n invoices, $c customers, $(($(wc -l <"$file") - 1)) rows, $(du -m "$file" | cut -f1) MB)"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
    echo "median of $runs runs, alternating in a balanced order; peak RSS is the median of the runs' maximum resident sets"
    echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the times)"
    echo
    printf '| %-10s | %7s | %8s | %8s | %10s | %12s |\n' job seconds "peak MiB" "÷ scan" "÷ DuckDB s" "÷ DuckDB MiB"
    echo "|------------|---------|----------|----------|------------|--------------|"
    for job in "$@"; do
        s=${sec[$job]} m=${kib[$job]}
        printf '| %-10s | %7s | %8s | %8s | %10s | %12s |\n' "$job" "$s" "$(mib "$m")" \
            "$(ratio "$s" "${sec[scan]:-0}")" "$(ratio "$s" "${sec[duckdb]:-0}")" \
            "$(ratio "$m" "${kib[duckdb]:-0}")"
    done
    echo
    [ -n "${sec[aging]:-}" ] && for job in reconcile risk; do
        [ -n "${sec[$job]:-}" ] && echo "$job / aging: $(ratio "${sec[$job]}" "${sec[aging]}") × time, $(ratio "${kib[$job]}" "${kib[aging]}") × memory; $(paired "$job")"
    done
    if [ -n "${sec[aging]:-}" ] && [ -n "${sec[duckdb]:-}" ]; then
        if cmp -s "$dir/out-aging.csv" "$dir/out-duckdb.csv"; then
            echo "DuckDB's aging CSV is byte-identical to cartera's"
        else
            echo "DuckDB's aging CSV differs from cartera's: diff $dir/out-aging.csv $dir/out-duckdb.csv"
        fi
    fi
    return 0
}

main_run() {
    local n=${1:-1000000} c=${2:-20000} file job
    local selected=()
    build
    file=$(ledger "$n" "$c")
    for job in $jobs; do
        if [ "$job" = duckdb ] && ! have_duckdb; then
            echo "== skipping DuckDB: python3 cannot import duckdb (pip install duckdb)" >&2
            continue
        fi
        selected+=("$job")
    done
    run_jobs "$file" "${selected[@]}"
    report "$n" "$c" "$file" "${selected[@]}"
}

# Aging (and the scan floor) on a small and a big ledger of 50 invoices per customer, the
# four jobs alternating in a balanced order too (`run_order`; the machine's load varies from
# minute to minute).
linear() {
    local small=${1:-1000000} big=${2:-10000000} n job run item
    local -A sec kib file
    build
    for n in "$small" "$big"; do
        file[$n]=$(ledger "$n" $((n / 50)))
        cat "${file[$n]}" >/dev/null
        for job in scan aging; do rm -f "$dir/times-$job-$n"; done
    done
    for run in $(seq "$runs"); do
        for item in $(run_order "$run" "scan-$small" "aging-$small" "scan-$big" "aging-$big"); do
            job=${item%-*} n=${item##*-}
            echo "== run $run/$runs: $job, $n invoices" >&2
            measure "$job" "${file[$n]}" "$job-$n"
        done
    done
    for n in "$small" "$big"; do
        for job in scan aging; do
            sec[$job-$n]=$(median "$job-$n" 1)
            kib[$job-$n]=$(median "$job-$n" 2)
        done
    done
    echo
    echo "linearity: median of $runs runs; $small and $big invoices (50 per customer)"
    for job in scan aging; do
        echo "$job: ${sec[$job-$small]} s, $(mib "${kib[$job-$small]}") MiB → ${sec[$job-$big]} s, $(mib "${kib[$job-$big]}") MiB;" \
            "big/small: $(ratio "${sec[$job-$big]}" "${sec[$job-$small]}") × time," \
            "$(ratio "${kib[$job-$big]}" "${kib[$job-$small]}") × memory (ideal $(ratio "$big" "$small"))"
    done
}

if [ "${1:-}" = linear ]; then
    shift
    linear "$@"
else
    main_run "$@"
fi
