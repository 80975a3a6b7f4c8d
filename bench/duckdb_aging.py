"""Runs bench/aging.sql on a ledger with DuckDB and writes the aging as CSV.

usage: python3 bench/duckdb_aging.py LEDGER AS_OF OUT.csv [THREADS]
"""
import pathlib
import sys

import duckdb


def main() -> None:
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    ledger, as_of, out = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) == 5 else 2
    sql = (pathlib.Path(__file__).with_name("aging.sql").read_text()
           .replace("{ledger}", ledger.replace("'", "''"))
           .replace("{as_of}", as_of))
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"COPY ({sql}) TO '{out.replace(chr(39), chr(39) * 2)}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
