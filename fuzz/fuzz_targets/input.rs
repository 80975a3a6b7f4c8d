//! Fuzzes the input layer and the engine behind it: any bytes, read under any of the
//! reading settings and roles, must give a ledger or located errors, never a panic; and a
//! ledger that reads must allocate with money in equal to money out.
#![no_main]

use cartera::input::{Collector, Role, read_source};
use cartera::policy::{Policy, parse_encoding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the settings; the rest is the file.
    let (settings, bytes) = data.split_first().map_or((0, data), |(s, b)| (*s, b));
    let mut policy = Policy::default();
    if settings & 1 != 0 {
        policy.input.decimal_mark = Some(',');
    }
    if settings & 2 != 0 {
        policy.input.date_format = Some("%d/%m/%Y".into());
    }
    if settings & 4 != 0 {
        policy.input.encoding = parse_encoding("windows-1252").expect("a known label");
    }
    if settings & 8 != 0 {
        policy.input.delimiter = Some(b';');
    }
    let role = [Role::Ledger, Role::Invoices, Role::Payments][usize::from(settings >> 4) % 3];
    let mut collector = Collector::new(&policy);
    if settings & 64 != 0 {
        collector.set_rows_aside(Some(3));
    }
    let _ = read_source(bytes, 0, "fuzz.csv".into(), role, &mut collector);
    if let Ok(ledger) = collector.finish() {
        let as_of = cartera::dates::parse_iso_date("2026-06-30").expect("a date");
        let alloc = cartera::allocate::allocate(&ledger, as_of, &policy.allocation);
        assert_eq!(
            cartera::allocate::check_conservation(&ledger, &alloc),
            Ok(())
        );
        let _ = cartera::aging::age(&ledger, &alloc, &policy.aging);
    }
});
