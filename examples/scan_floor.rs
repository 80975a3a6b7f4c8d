//! The floor for reading a ledger: the csv crate counting records into one reused
//! `ByteRecord`, on one thread, with no UTF-8 check, parsing or allocation per row. Any
//! report cartera computes from the same file reads at least this much.
//!
//!     cargo run --release --example scan_floor -- ledger.csv
//!
//! Prints the number of records (the header not counted).

use std::process::ExitCode;

const USAGE: &str = "usage: scan_floor FILE\n\nCounts the CSV records of FILE (header excluded).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("scan_floor: expected one file\n\n{USAGE}");
        return ExitCode::from(2);
    };
    match count(path) {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scan_floor: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn count(path: &str) -> Result<u64, csv::Error> {
    let mut reader = csv::ReaderBuilder::new().from_path(path)?;
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    while reader.read_byte_record(&mut record)? {
        n += 1;
    }
    Ok(n)
}
