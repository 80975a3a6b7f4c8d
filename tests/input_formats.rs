//! Foreign exports: encodings, delimiters, decimal commas, date formats, Spanish headers and
//! type values, through the policy's [input] and through the flags.

mod common;

use common::{cartera, csv_rows, stdout_of};

const AS_OF: &str = "2026-06-30";
const ES_EXPORT: &str = "examples/export-es-cp1252.csv";
const ES_POLICY: &str = "examples/mappings/spanish-cp1252.toml";

#[test]
fn a_spanish_cp1252_semicolon_export_reads_with_its_mapping() {
    let out = stdout_of(cartera().args([
        "aging", ES_EXPORT, "--policy", ES_POLICY, "--as-of", AS_OF, "--format", "csv",
    ]));
    assert_eq!(
        out,
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance\n\
         800987654,\"Ferretería El Tornillo, Ltda.\",COP,0.00,0.00,2000000.00,0.00,0.00,0.00,0.00,2000000.00\n\
         830555111,Comercializadora Núñez & Hijos,COP,0.00,0.00,0.00,0.00,0.00,5140000.00,0.00,5140000.00\n\
         900123456,Distribuidora Andina S.A.S.,COP,0.00,0.00,0.00,5355000.00,0.00,0.00,0.00,5355000.00\n"
    );
    // Both withholding columns (ReteFuente, ReteICA) settled FV-1001 with the cash.
    let dir = tempfile::tempdir().unwrap();
    let alloc = dir.path().join("a.csv");
    cartera()
        .args([
            "reconcile",
            ES_EXPORT,
            "--policy",
            ES_POLICY,
            "--as-of",
            AS_OF,
            "--allocations",
        ])
        .arg(&alloc)
        .assert()
        .success();
    assert_eq!(
        csv_rows(&std::fs::read_to_string(alloc).unwrap())[1],
        [
            "RC-501",
            "FV-1001",
            "900123456",
            "COP",
            "11567500.00",
            "332500.00",
            "0.00",
            "reference"
        ]
    );
}

#[test]
fn without_the_encoding_a_cp1252_file_gets_a_hint() {
    let out = cartera()
        .args(["aging", ES_EXPORT, "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: examples/export-es-cp1252.csv:1: the header's column 2 is not valid UTF-8 (hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")\n\
         error: 1 problem in the input; no report was written\n"
    );
}

#[test]
fn flags_read_a_locale_export_without_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    // Spanish words for the types, `|` between columns, day/month/year, decimal commas.
    let text = "Tipo|Factura|Cliente|Fecha|Vencimiento|Importe|Moneda|Referencia\n\
                Factura|F-1|C1|15/ene/2026|14/feb/2026|$ 1.500,50|COP|\n\
                Recibo de caja|R-1|C1|20/feb/2026 00:00:00||500,50|COP|F-1\n\
                Nota crédito|N-1|C1|01/mar/2026||(200,00)|COP|\n";
    std::fs::write(dir.path().join("x.csv"), text).unwrap();
    let args = [
        "aging",
        "x.csv",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
        "--decimal-mark",
        ",",
        "--date-format",
        "%d/%b/%Y",
    ];
    let out = common::cartera_in(dir.path()).args(args).output().unwrap();
    // The credit note's amount is written negative: an error that says so.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: x.csv:4: column \"Importe\": \"(200,00)\" is negative (amounts are positive; the type gives the direction, so record a refund or reversal as a credit_note or payment)\n\
         error: 1 problem in the input; no report was written\n"
    );
    std::fs::write(dir.path().join("x.csv"), text.replace("(200,00)", "200,00")).unwrap();
    let out = stdout_of(common::cartera_in(dir.path()).args(args));
    assert_eq!(
        csv_rows(&out)[1],
        [
            "C1", "", "COP", "0.00", "0.00", "0.00", "0.00", "0.00", "800.00", "0.00", "800.00"
        ]
    );
}

#[test]
fn an_ambiguous_header_lists_its_candidates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("h.csv"),
        "tipo,numero,nit,fecha,valor,total\nfactura,F1,C1,2026-01-01,1,1\n",
    )
    .unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "h.csv", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: h.csv:1: columns \"valor\" (column 5) and \"total\" (column 6) could each be the amount (hint: name the right one in the policy: [input.columns] amount = \"…\")\n\
         error: 1 problem in the input; no report was written\n"
    );
}

#[test]
fn an_invoice_list_with_settled_dates_ages_as_of_any_date() {
    let args = [
        "aging",
        "--invoices",
        "tests/fixtures/formats/ibm_like.csv",
        "--policy",
        "examples/mappings/ibm-ar.toml",
        "--format",
        "csv",
        "--as-of",
    ];
    // On 2013-02-28 the first invoice is settled, the second open (3 days past due), the
    // third not issued yet; by 2013-03-31 only the second is settled.
    let feb = stdout_of(cartera().args(args).arg("2013-02-28"));
    assert_eq!(
        csv_rows(&feb)[1..],
        [[
            "8976-AMJEO",
            "",
            "USD",
            "0.00",
            "61.74",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "0.00",
            "61.74"
        ]]
    );
    let mar = stdout_of(cartera().args(args).arg("2013-03-31"));
    assert_eq!(csv_rows(&mar).len(), 1, "nothing open");
    let jul = stdout_of(cartera().args(args).arg("2013-07-15").arg("--detail"));
    assert_eq!(csv_rows(&jul)[1][4], "0000132032", "leading zeros kept");
}

#[test]
fn an_open_items_list_takes_the_balance_as_the_amount() {
    let out = stdout_of(cartera().args([
        "aging",
        "--invoices",
        "tests/fixtures/formats/highradius_like.csv",
        "--policy",
        "examples/mappings/highradius.toml",
        "--as-of",
        "2020-05-22",
        "--format",
        "csv",
    ]));
    assert_eq!(
        out,
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance\n\
         0140105686,SYSC llc,CAD,0.00,0.00,2309.79,0.00,0.00,0.00,0.00,2309.79\n\
         0200706844,WINC co,USD,0.00,100.00,0.00,8734.71,0.00,0.00,0.00,8834.71\n"
    );
}

#[test]
fn the_encoding_flag_reads_a_cp1252_file_and_refuses_an_unknown_label() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("l.csv"),
        b"type,id,customer_id,customer_name,date,amount\ninvoice,F1,C1,Peq\xf1o,2026-06-01,5\n",
    )
    .unwrap();
    let out = stdout_of(common::cartera_in(dir.path()).args([
        "aging",
        "l.csv",
        "--encoding",
        "windows-1252",
        "--as-of",
        AS_OF,
        "--format",
        "csv",
    ]));
    assert_eq!(csv_rows(&out)[1][1], "Pequño".replace("qu", "q"));
    let bad = common::cartera_in(dir.path())
        .args(["aging", "l.csv", "--encoding", "klingon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8(bad.stderr)
            .unwrap()
            .contains("\"klingon\" is not an encoding")
    );
}

/// The policy a fixture is read with, if it needs one.
fn policy_for(path: &str) -> Option<&'static str> {
    match path {
        p if p.ends_with("ibm_like.csv") => Some("examples/mappings/ibm-ar.toml"),
        p if p.ends_with("highradius_like.csv") => Some("examples/mappings/highradius.toml"),
        p if p.ends_with("export-es-cp1252.csv") => Some(ES_POLICY),
        _ => None,
    }
}

#[test]
fn every_row_of_every_fixture_is_used_set_aside_or_skipped() {
    let root = common::root();
    let mut files: Vec<String> = Vec::new();
    for dir in [
        "tests/fixtures",
        "tests/fixtures/reconcile",
        "tests/fixtures/formats",
        "examples",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") && name != "customers.csv" {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    let scratch = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for file in &files {
        let rejects = scratch.path().join("rejects.csv");
        // Invoice lists are read as invoices, payment files as payments, the rest as ledgers.
        let role: &[&str] = match file.as_str() {
            f if f.contains("/formats/") || f.ends_with("invoices.csv") => &["--invoices"],
            f if f.ends_with("payments.csv") => &["--payments"],
            _ => &[],
        };
        let mut cmd = cartera();
        cmd.arg("aging")
            .args(role)
            .arg(file)
            .args(["--as-of", AS_OF, "--format", "json", "--rejects"])
            .arg(&rejects);
        if let Some(p) = policy_for(file) {
            cmd.args(["--policy", p]);
        }
        let out = cmd.output().unwrap();
        if out.status.code() != Some(0) {
            continue; // the file cannot be read at all (no header, bad header): no rows to count
        }
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let n = |k: &str| json[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("rows_used") + n("rows_rejected") + n("rows_skipped"),
            "{file}"
        );
        let set_aside = csv_rows(&std::fs::read_to_string(&rejects).unwrap()).len() - 1;
        assert_eq!(set_aside as u64, n("rows_rejected"), "{file}");
        checked += 1;
    }
    assert!(
        checked >= 25,
        "only {checked} of {} fixtures could be checked",
        files.len()
    );
}

#[test]
fn rejects_set_bad_rows_aside_and_max_rejects_stops_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("l.csv"), "type,id,customer_id,date,amount\ninvoice,F1,C1,2026-13-45,100\ninvoice,F2,C1,2026-01-01,1.234,50\ninvoice,F3,C1,2026-01-01,7\ninvoice,F3,C2,2026-01-01,8\n").unwrap();
    let out = common::cartera_in(dir.path())
        .args([
            "aging",
            "l.csv",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
            "--rejects",
            "bad.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: 1 document has no currency and was read as USD, the built-in default (first at l.csv:4; hint: choose the currency with [defaults] currency in a policy, or write it in a currency column)\n\
         cartera: 4 rows read: 1 used, 3 set aside (in bad.csv), 0 without data skipped\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.csv")).unwrap(),
        "file,line,code,reason,type,id,customer_id,date,amount,field_6\n\
         l.csv,2,bad_date,\"column \"\"date\"\": \"\"2026-13-45\"\" is not a day of the calendar (hint: check its day and month)\",invoice,F1,C1,2026-13-45,100,\n\
         l.csv,3,bad_width,\"the row has 6 fields but the header has 5 (hint: a value that contains a comma must be in double quotes, and every opening quote needs its closing one)\",invoice,F2,C1,2026-01-01,1.234,50\n\
         l.csv,5,duplicate_invoice,\"duplicate invoice id \"\"F3\"\" (first at l.csv:4)\",invoice,F3,C2,2026-01-01,8,\n"
    );
    let stopped = common::cartera_in(dir.path())
        .args([
            "aging",
            "l.csv",
            "--rejects",
            "bad2.csv",
            "--max-rejects",
            "2",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(stopped.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(stopped.stderr).unwrap(),
        "error: l.csv:5: more than 2 rows set aside (--max-rejects 2): the input is too broken to report on\n\
         error: 1 problem in the input; no report was written\n"
    );
    assert!(!dir.path().join("bad2.csv").exists());
}

#[test]
fn a_report_shaped_export_skips_titles_headings_totals_and_repeated_headers() {
    let out = cartera()
        .args([
            "aging",
            "--invoices",
            "tests/fixtures/formats/quickbooks_like.csv",
            "--policy",
            "examples/mappings/quickbooks-ar-aging-detail.toml",
        ])
        .args(["--as-of", AS_OF, "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "customer_id,customer_name,currency,current,1-30,31-60,61-90,91-120,120+,unapplied,balance\n\
         \"Alvarez, Dana\",,USD,1284.50,350.25,0.00,0.00,0.00,0.00,0.00,1634.75\n\
         Harbor Freight Co,,USD,0.00,900.00,0.00,0.00,3000.00,0.00,0.00,3900.00\n"
    );
    // 3 title lines, 3 period headings, 4 total rows and 1 repeated header: skipped, counted;
    // the four invoices add up to the report's own TOTAL, 5,534.75.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "cartera: 16 rows read: 4 used, 0 set aside, 12 without data skipped\n"
    );
}

#[test]
fn a_file_whose_header_is_not_among_the_first_lines_says_what_its_first_line_holds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.csv"),
        "Informe de cartera\nGenerado 2026-06-30\nx,y\n1,2\n",
    )
    .unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "t.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: t.csv:1: missing required columns \"type\", \"id\", \"customer_id\", \"date\", \"amount\" (the header has: Informe de cartera); hint: name this export's own columns in a policy's [input.columns], such as type = \"<its column>\", and pass it with --policy\n\
         error: 1 problem in the input; no report was written\n"
    );
}

#[test]
fn invoices_due_before_they_were_issued_are_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("l.csv"), "type,id,customer_id,date,due_date,amount\ninvoice,F1,C1,2026-03-01,2026-02-28,5\ninvoice,F2,C1,2026-03-01,2026-03-31,5\ninvoice,F3,C1,2026-03-05,2026-03-01,5\n").unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "l.csv", "--as-of", AS_OF, "-q", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: 3 documents have no currency and were read as USD, the built-in default (first at l.csv:2; hint: choose the currency with [defaults] currency in a policy, or write it in a currency column)\n\
         warning: 2 invoices fall due before they were issued (first at l.csv:2)\n"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["invoices_due_before_issue"], 2);
}

#[test]
fn excels_sep_line_sets_the_delimiter_and_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.csv"), "sep=;\r\ntype;id;customer_id;date;amount\r\ninvoice;F1;C1;2026-06-01;5\r\ninvoice;F2;C1;2026-13-01;5\r\n").unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "s.csv", "--as-of", AS_OF])
        .output()
        .unwrap();
    // The bad date is on line 4 of the file, as an editor counts it.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: s.csv:4: column \"date\": \"2026-13-01\" is not a day of the calendar (hint: check its day and month)\n\
         error: 1 problem in the input; no report was written\n"
    );
}

#[test]
fn without_settings_the_date_format_and_decimal_mark_are_inferred_per_column() {
    let dir = tempfile::tempdir().unwrap();
    // The first rows could be read two ways (05/03 and 250.000); later ones tell: day first,
    // decimal comma. The due dates are ISO: each column has its own format.
    let text = "Tipo;Número;NIT;Fecha;Vencimiento;Valor;Moneda\n\
                Factura;F-1;C1;05/03/2026;2026-04-04;250.000;COP\n\
                Factura;F-2;C1;25/03/2026;2026-04-24;1.234.567,89;COP\n\
                Pago;R-1;C1;02/04/2026;;250.000;COP\n";
    std::fs::write(dir.path().join("es.csv"), text).unwrap();
    let out = stdout_of(common::cartera_in(dir.path()).args([
        "aging", "--detail", "es.csv", "--as-of", AS_OF, "--format", "csv",
    ]));
    let rows = csv_rows(&out);
    assert_eq!(
        rows[1..]
            .iter()
            .map(|r| r[4..].to_vec())
            .collect::<Vec<_>>(),
        [[
            "F-2",
            "2026-03-25",
            "2026-04-24",
            "67",
            "61-90",
            "1234567.89"
        ]]
    );
}

#[test]
fn a_column_no_value_tells_apart_asks_for_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let dates = "type,id,customer_id,date,amount\n\
                 invoice,F1,C1,05/03/2026,100.50\n\
                 invoice,F2,C1,01/02/2026,7\n";
    std::fs::write(dir.path().join("d.csv"), dates).unwrap();
    let amounts = "type;id;customer_id;date;amount\n\
                   invoice;F1;C1;2026-01-05;7\n\
                   invoice;F2;C1;2026-01-05;250.000\n\
                   invoice;F3;C1;2026-01-05;1.500\n";
    std::fs::write(dir.path().join("a.csv"), amounts).unwrap();
    let run = |file: &str, extra: &[&str]| {
        common::cartera_in(dir.path())
            .args(["aging", file, "--as-of", AS_OF, "--format", "csv"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run("d.csv", &[]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: d.csv:2: column \"date\": cannot tell how the dates are written: \"05/03/2026\" reads as 2026-03-05 (%d/%m/%Y) or 2026-05-03 (%m/%d/%Y), and no other date tells them apart (hint: set [input] date_format in the policy, or --date-format)\n\
         error: 1 problem in the input; no report was written\n"
    );
    let out = run("a.csv", &[]);
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: a.csv:3: column \"amount\": cannot tell the decimal mark: \"250.000\" reads as 250.000 (.) or 250000 (,), and no other amount tells them apart (hint: set [input] decimal_mark in the policy, or --decimal-mark)\n\
         error: 1 problem in the input; no report was written\n"
    );
    // The setting decides.
    let out = run("d.csv", &["--date-format", "%m/%d/%Y", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run("a.csv", &["--decimal-mark", ",", "-q"]);
    assert_eq!(
        csv_rows(&String::from_utf8(out.stdout).unwrap())[1][10],
        "251507.00"
    );
}

#[test]
fn excel_serial_dates_are_read_only_when_the_policy_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let text = "type,id,customer_id,date,due_date,amount\n\
                invoice,F1,C1,46054,46084,100\n";
    std::fs::write(dir.path().join("x.csv"), text).unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        "[input]\ndate_format = \"excel-serial\"\n",
    )
    .unwrap();
    let out = stdout_of(common::cartera_in(dir.path()).args([
        "aging", "--detail", "x.csv", "--policy", "p.toml", "--as-of", AS_OF, "--format", "csv",
    ]));
    assert_eq!(csv_rows(&out)[1][5..8], ["2026-02-01", "2026-03-03", "119"]);
    // Without the setting, a number is not a date.
    let out = common::cartera_in(dir.path())
        .args(["aging", "x.csv", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: x.csv:2: column \"date\": cannot read \"46054\" as a date (expected YYYY-MM-DD or DD/MM/YYYY; for other forms set [input] date_format)\n\
         error: x.csv:2: column \"due_date\": cannot read \"46084\" as a date (expected YYYY-MM-DD or DD/MM/YYYY; for other forms set [input] date_format)\n\
         error: 2 problems in the input; no report was written\n"
    );
}

#[test]
fn an_ambiguous_header_below_title_lines_is_named_and_a_code_must_match_the_currency() {
    let dir = tempfile::tempdir().unwrap();
    let titled = "Informe\n\nTipo,Número,NIT,Cliente,Fecha,Vencimiento,Valor,Moneda\n\
                  Factura,F-1,C1,Acme,2026-05-01,2026-05-31,100.00,USD\n";
    std::fs::write(dir.path().join("h.csv"), titled).unwrap();
    let coded = "type,id,customer_id,date,amount,currency\n\
                 invoice,F1,C1,2026-05-01,USD 1000.00,COP\n\
                 invoice,F2,C1,2026-05-01,COP 1000.00,COP\n";
    std::fs::write(dir.path().join("c.csv"), coded).unwrap();
    let stderr = |file: &str| {
        let out = common::cartera_in(dir.path())
            .args(["aging", file, "--as-of", AS_OF])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(65));
        String::from_utf8(out.stderr).unwrap()
    };
    assert_eq!(
        stderr("h.csv"),
        "error: h.csv:3: columns \"NIT\" (column 3) and \"Cliente\" (column 4) could each be the customer_id (hint: name the right one in the policy: [input.columns] customer_id = \"…\")\n\
         error: 1 problem in the input; no report was written\n"
    );
    assert_eq!(
        stderr("c.csv"),
        "error: c.csv:2: column \"amount\": \"USD 1000.00\" is in USD, but the row's currency is COP\n\
         error: 1 problem in the input; no report was written\n"
    );
}

#[test]
fn documents_without_a_currency_are_warned_of_unless_the_policy_chooses_it() {
    let dir = tempfile::tempdir().unwrap();
    // A native ledger (its header as cartera writes it): the streamed path leaves an empty
    // currency to the exact path, which warns of it.
    std::fs::write(
        dir.path().join("l.csv"),
        "type,id,customer_id,customer_name,date,due_date,amount,currency,ref,withholding,discount\n\
         invoice,F1,C1,,2026-03-01,,5,,,,\n\
         invoice,F2,C1,,2026-03-01,,5,COP,,,\n\
         invoice,F3,C1,,2026-03-02,,7,,,,\n",
    )
    .unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "l.csv", "--as-of", AS_OF, "--format", "csv", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: 2 documents have no currency and were read as USD, the built-in default (first at l.csv:2; hint: choose the currency with [defaults] currency in a policy, or write it in a currency column)\n"
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("\nC1,,USD,")
    );
    // Chosen by the policy: read so, and nothing said.
    std::fs::write(
        dir.path().join("p.toml"),
        "[defaults]\ncurrency = \"COP\"\n",
    )
    .unwrap();
    let out = common::cartera_in(dir.path())
        .args(["aging", "l.csv", "--as-of", AS_OF, "--format", "csv", "-q"])
        .args(["--policy", "p.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}"); // one row: all three in COP
    assert!(stdout.contains("\nC1,,COP,"), "{stdout}");
}
