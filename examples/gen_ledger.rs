//! A deterministic synthetic ledger in cartera's native format, for benchmarks.
//!
//!     cargo run --release --example gen_ledger -- --invoices 10000000 --customers 200000 --seed 1 -o ledger.csv
//!
//! Same arguments, same bytes: the only randomness is a splitmix64 generator seeded from
//! `--seed`, and every amount is computed in integer cents (no floating point, so no
//! platform's `exp` or rounding can change a byte).
//!
//! The file walks the days from 2023-01-01 to 2026-06-30. Each day issues its share of the
//! invoices (a few back-dated by 1-5 days, as late entries in a real export are) and emits
//! the payments and credit notes that earlier invoices scheduled for that day; whatever is
//! scheduled after 2026-06-30 is never written, so the open invoices are mostly the recent
//! ones. Each invoice draws one fate: paid in full by reference (some net of 2.5 %
//! withholding, some with a 2 % discount), in a customer's lump remittance without a
//! reference, in two partial payments, partly by a credit note, cancelled by a credit note,
//! by an unreferenced payment, overpaid, by a payment naming a mistyped invoice id, by an
//! advance paid before it was issued, or never. About 1.63 rows per invoice at 50 invoices per
//! customer (fewer invoices per customer: more rows, as the lump remittances hold fewer).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Days, NaiveDate};

const USAGE: &str = "\
usage: gen_ledger --invoices N --customers C [--seed S] [-o FILE]

Writes a deterministic synthetic ledger (cartera's native CSV) to FILE, or stdout.
  --invoices N    number of invoices (1 to 1000000000)
  --customers C   number of customers (1 to 10000000)
  --seed S        generator seed [default: 1]; the same seed gives the same bytes
  -o FILE         output file [default: stdout]";

const HEADER: &[u8] =
    b"type,id,customer_id,customer_name,date,due_date,amount,currency,ref,withholding,discount\n";
const CURRENCIES: [&[u8]; 3] = [b"COP", b"USD", b"EUR"];
const COP: u8 = 0;

struct Args {
    invoices: u64,
    customers: u32,
    seed: u64,
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("gen_ledger: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_ledger: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut raw: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut invoices, mut customers, mut seed, mut output) = (None, None, 1, None);
    while let Some(flag) = raw.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = raw.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |max: u64| match value.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(format!(
                "{flag}: expected a whole number from 1 to {max}, found {value:?}"
            )),
        };
        match flag.as_str() {
            "--invoices" => invoices = Some(number(1_000_000_000)?),
            "--customers" => customers = Some(number(10_000_000)? as u32),
            "--seed" => seed = number(u64::MAX)?,
            "-o" | "--output" => output = Some(PathBuf::from(&value)),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Args {
        invoices: invoices.ok_or("--invoices is required")?,
        customers: customers.ok_or("--customers is required")?,
        seed,
        output,
    })
}

fn run(args: &Args) -> io::Result<()> {
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(File::create(path).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
        })?),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    out.write_all(HEADER)?;
    let mut generator = Generator::new(args);
    let counts = generator.write_all(&mut out)?;
    out.flush()?;
    eprintln!(
        "gen_ledger: {} rows: {} invoices, {} payments, {} credit notes ({:.3} rows per invoice)",
        counts.iter().sum::<u64>(),
        counts[0],
        counts[1],
        counts[2],
        counts.iter().sum::<u64>() as f64 / counts[0] as f64
    );
    Ok(())
}

/// splitmix64: tiny, fast, and good enough to make a ledger look random.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by the multiply-shift reduction.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille` / 1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// What a customer is, fixed for the whole file, and its lump remittance being collected.
struct Customer {
    /// `customer_id,customer_name` already CSV-quoted, as a range of `Generator::names`.
    head: (u32, u32),
    currency: u8,
    second_currency: Option<u8>,
    /// What the remittance not yet paid has collected so far (cents; 0 when none).
    lump_cents: u64,
}

#[derive(Clone, Copy)]
enum Ref {
    None,
    Invoice(u64),
    /// A mistyped invoice number: `FV-0<n>` names no invoice (ids have no leading zeros).
    Mistyped(u64),
}

/// An invoice as it is written.
struct Invoice {
    customer: u32,
    number: u64,
    day: u32,
    due: Option<u32>,
    cents: u64,
    currency: u8,
}

impl Invoice {
    /// A payment of this invoice in full, by reference (the template of its credits).
    fn payment(&self) -> Credit {
        Credit {
            kind: Kind::Payment,
            customer: self.customer,
            currency: self.currency,
            reference: Ref::Invoice(self.number),
            cents: self.cents,
            withholding: 0,
            discount: 0,
        }
    }
}

/// A payment or credit note scheduled for a day; a lump takes its amount when it is written.
#[derive(Clone, Copy)]
struct Credit {
    kind: Kind,
    customer: u32,
    currency: u8,
    reference: Ref,
    cents: u64,
    withholding: u64,
    discount: u64,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Payment,
    CreditNote,
    Lump,
}

struct Generator {
    rng: Rng,
    invoices: u64,
    customers: Vec<Customer>,
    names: Vec<u8>,
    /// `YYYY-MM-DD` of day index 0 (2023-01-01) and on; `last_day` is 2026-06-30; nothing
    /// is dated after it but due dates.
    dates: Vec<[u8; 10]>,
    last_day: u32,
    schedule: Vec<Vec<Credit>>,
    next_id: [u64; 3],
    counts: [u64; 3],
    line: Vec<u8>,
}

impl Generator {
    fn new(args: &Args) -> Generator {
        let mut rng = Rng(args.seed);
        let first = NaiveDate::from_ymd_opt(2023, 1, 1).expect("a valid date");
        let last = NaiveDate::from_ymd_opt(2026, 6, 30).expect("a valid date");
        let last_day = (last - first).num_days() as u32;
        // Due dates run up to 90 days past the last day.
        let dates = (0..=u64::from(last_day) + 90)
            .map(|d| {
                let text = (first + Days::new(d)).format("%Y-%m-%d").to_string();
                text.as_bytes().try_into().expect("ISO dates have 10 bytes")
            })
            .collect();
        let mut names = Vec::new();
        let customers = (0..args.customers)
            .map(|i| new_customer(i, &mut rng, &mut names))
            .collect();
        Generator {
            rng,
            invoices: args.invoices,
            customers,
            names,
            dates,
            last_day,
            schedule: vec![Vec::new(); last_day as usize + 1],
            next_id: [1, 1, 1],
            counts: [0; 3],
            line: Vec::with_capacity(256),
        }
    }

    /// Writes every row; returns the counts of invoices, payments and credit notes.
    fn write_all(&mut self, out: &mut impl Write) -> io::Result<[u64; 3]> {
        let days = u64::from(self.last_day) + 1;
        for day in 0..=self.last_day {
            for credit in std::mem::take(&mut self.schedule[day as usize]) {
                self.write_credit(out, day, credit)?;
            }
            let from = self.invoices * u64::from(day) / days;
            let to = self.invoices * (u64::from(day) + 1) / days;
            for _ in from..to {
                self.invoice(out, day)?;
            }
        }
        Ok(self.counts)
    }

    /// Half the invoices go to a customer drawn uniformly, half to one drawn with density
    /// falling as 1/sqrt(index): a few customers are large, as in any real ledger.
    fn pick_customer(&mut self) -> u32 {
        let n = self.customers.len() as u64;
        let u = self.rng.below(n);
        let index = if self.rng.below(2) == 0 { u } else { u * u / n };
        index as u32
    }

    fn invoice(&mut self, out: &mut impl Write, today: u32) -> io::Result<()> {
        let customer = self.pick_customer();
        let c = &self.customers[customer as usize];
        let currency = match c.second_currency {
            Some(second) if self.rng.chance(250) => second,
            _ => c.currency,
        };
        let back = if self.rng.chance(20) {
            self.rng.range(1, 5) as u32
        } else {
            0
        };
        let day = today.saturating_sub(back);
        let terms = [30, 30, 30, 60, 60, 90][self.rng.below(6) as usize];
        let invoice = Invoice {
            customer,
            number: self.take_id(0),
            day,
            due: self.rng.chance(900).then_some(day + terms),
            cents: amount_cents(&mut self.rng, currency),
            currency,
        };
        let fate = self.rng.below(1000);
        if (10..20).contains(&fate) {
            let advance = day.saturating_sub(self.rng.below(11) as u32);
            let unreferenced = Credit {
                reference: Ref::None,
                ..invoice.payment()
            };
            self.write_credit(out, advance, unreferenced)?;
        }
        self.write_invoice(out, &invoice)?;
        self.settle(fate, &invoice);
        Ok(())
    }

    /// Schedules the payments and credit notes of an invoice by its fate (0..1000).
    fn settle(&mut self, fate: u64, inv: &Invoice) {
        let (day, due) = (inv.day, inv.due.unwrap_or(inv.day + 30));
        let late = match self.rng.below(100) {
            0..40 => self.rng.range(0, 10) as u32,
            40..75 => self.rng.range(10, 35) as u32,
            75..95 => self.rng.range(35, 95) as u32,
            _ => self.rng.range(95, 300) as u32,
        };
        let pay = (due + late).saturating_sub(5).max(day + 1);
        let (invoice, cents) = (inv.payment(), inv.cents);
        match fate {
            0..10 => {}  // never paid
            10..20 => {} // paid in advance, written before the invoice
            20..630 => self.lump(invoice, pay),
            630..670 => {
                let first = cents * self.rng.range(30, 70) / 100;
                let later = pay + self.rng.range(10, 45) as u32;
                self.schedule(
                    pay,
                    Credit {
                        cents: first,
                        ..invoice
                    },
                );
                self.schedule(
                    later,
                    Credit {
                        cents: cents - first,
                        ..invoice
                    },
                );
            }
            670..700 => {
                let note = (cents * self.rng.range(5, 30) / 100).max(1);
                let when = day + self.rng.range(3, 20) as u32;
                let kind = Kind::CreditNote;
                self.schedule(
                    when,
                    Credit {
                        kind,
                        cents: note,
                        ..invoice
                    },
                );
                self.schedule(
                    pay.max(when),
                    Credit {
                        cents: cents - note,
                        ..invoice
                    },
                );
            }
            700..710 => {
                let when = day + self.rng.range(1, 30) as u32;
                self.schedule(
                    when,
                    Credit {
                        kind: Kind::CreditNote,
                        ..invoice
                    },
                );
            }
            710..750 => self.schedule(
                pay,
                Credit {
                    reference: Ref::None,
                    ..invoice
                },
            ),
            750..762 => {
                let over = cents + (cents * self.rng.range(1, 10) / 100).max(1);
                self.schedule(
                    pay,
                    Credit {
                        cents: over,
                        ..invoice
                    },
                );
            }
            762..766 => {
                let mistyped = Ref::Mistyped(inv.number);
                self.schedule(
                    pay,
                    Credit {
                        reference: mistyped,
                        ..invoice
                    },
                );
            }
            _ => self.in_full(invoice, pay),
        }
    }

    /// Paid in full by reference: COP customers often withhold 2.5 % at source; a few take
    /// a 2 % prompt-payment discount.
    fn in_full(&mut self, invoice: Credit, pay: u32) {
        let cents = invoice.cents;
        let withholding = if invoice.currency == COP && self.rng.chance(350) {
            (cents * 25 + 500) / 1000
        } else {
            0
        };
        let discount = if self.rng.chance(50) {
            (cents * 2 + 50) / 100
        } else {
            0
        };
        let net = cents - withholding - discount;
        let credit = Credit {
            cents: net,
            withholding,
            discount,
            ..invoice
        };
        self.schedule(pay, credit);
    }

    /// Joins the customer's remittance not yet paid (one payment, no reference), or starts
    /// one due on `pay`; invoices in a customer's second currency are paid by reference.
    fn lump(&mut self, invoice: Credit, pay: u32) {
        let c = &mut self.customers[invoice.customer as usize];
        if invoice.currency != c.currency {
            return self.in_full(invoice, pay);
        }
        if c.lump_cents > 0 {
            c.lump_cents += invoice.cents;
            return;
        }
        c.lump_cents = invoice.cents;
        let lump = Credit {
            kind: Kind::Lump,
            reference: Ref::None,
            ..invoice
        };
        self.schedule(pay, lump);
    }

    fn schedule(&mut self, day: u32, credit: Credit) {
        if let Some(slot) = self.schedule.get_mut(day as usize) {
            slot.push(credit);
        }
    }

    fn take_id(&mut self, kind: usize) -> u64 {
        let id = self.next_id[kind];
        self.next_id[kind] += 1;
        self.counts[kind] += 1;
        id
    }

    fn write_invoice(&mut self, out: &mut impl Write, inv: &Invoice) -> io::Result<()> {
        self.line.clear();
        self.line.extend_from_slice(b"invoice,FV-");
        push_u64(&mut self.line, inv.number);
        self.push_head(inv.customer, inv.day);
        if let Some(due) = inv.due {
            self.line.extend_from_slice(&self.dates[due as usize]);
        }
        self.line.push(b',');
        push_cents(&mut self.line, inv.cents);
        self.line.push(b',');
        self.line
            .extend_from_slice(CURRENCIES[inv.currency as usize]);
        self.line.extend_from_slice(b",,,\n");
        out.write_all(&self.line)
    }

    fn write_credit(
        &mut self,
        out: &mut impl Write,
        day: u32,
        mut credit: Credit,
    ) -> io::Result<()> {
        if credit.kind == Kind::Lump {
            let c = &mut self.customers[credit.customer as usize];
            credit.cents = std::mem::take(&mut c.lump_cents);
        }
        let (kind, prefix): (usize, &[u8]) = match credit.kind {
            Kind::CreditNote => (2, b"credit_note,NC-"),
            Kind::Payment | Kind::Lump => (1, b"payment,RC-"),
        };
        let id = self.take_id(kind);
        self.line.clear();
        self.line.extend_from_slice(prefix);
        push_u64(&mut self.line, id);
        self.push_head(credit.customer, day);
        self.line.push(b',');
        push_cents(&mut self.line, credit.cents);
        self.line.push(b',');
        self.line
            .extend_from_slice(CURRENCIES[credit.currency as usize]);
        self.line.push(b',');
        match credit.reference {
            Ref::None => {}
            Ref::Invoice(n) => push_invoice_id(&mut self.line, b"FV-", n),
            Ref::Mistyped(n) => push_invoice_id(&mut self.line, b"FV-0", n),
        }
        for extra in [credit.withholding, credit.discount] {
            self.line.push(b',');
            if extra > 0 {
                push_cents(&mut self.line, extra);
            }
        }
        self.line.push(b'\n');
        out.write_all(&self.line)
    }

    /// `,customer_id,customer_name,date,` (the due date follows).
    fn push_head(&mut self, customer: u32, day: u32) {
        let (from, to) = self.customers[customer as usize].head;
        self.line.push(b',');
        self.line
            .extend_from_slice(&self.names[from as usize..to as usize]);
        self.line.push(b',');
        self.line.extend_from_slice(&self.dates[day as usize]);
        self.line.push(b',');
    }
}

/// Amounts spread over three orders of magnitude: COP 50,000 to 50,000,000 (mostly whole
/// pesos), USD and EUR 50.00 to 50,000.00.
fn amount_cents(rng: &mut Rng, currency: u8) -> u64 {
    let scale = [1, 1, 10, 10, 10, 100][rng.below(6) as usize];
    if currency == COP {
        let pesos = rng.range(50_000, 500_000) * scale;
        let cents = if rng.chance(100) { rng.below(100) } else { 0 };
        pesos * 100 + cents
    } else {
        rng.range(5_000, 50_000) * scale
    }
}

const NAME_PREFIXES: [&str; 16] = [
    "Distribuidora",
    "Ferretería",
    "Comercializadora",
    "Hotel",
    "Panadería",
    "Constructora",
    "Inversiones",
    "Droguería",
    "Almacén",
    "Transportes",
    "Importadora",
    "Café",
    "Textiles",
    "Agropecuaria",
    "Laboratorios",
    "Supermercado",
];
const NAME_CORES: [&str; 18] = [
    "Andina",
    "Núñez & Hijos",
    "São Paulo",
    "Bolívar",
    "El Tornillo",
    "La Candelaria",
    "del Valle",
    "Santa Fe",
    "Caribe",
    "Los Andes",
    "Peñíscola",
    "Gómez",
    "Martínez",
    "El Dorado",
    "La 14",
    "Antioquia",
    "Pacífico",
    "Orión",
];
const NAME_SUFFIXES: [&str; 6] = ["S.A.S.", "Ltda.", "S.A.", "E.U.", "& Cía. S. en C.", ""];

/// A customer: a tax id (one in 40 with leading zeros, `0042…`), a name (some quoted, some
/// with a comma), a currency (COP 80 %, USD 15 %, EUR 5 %) and for 5 % a second one.
fn new_customer(index: u32, rng: &mut Rng, names: &mut Vec<u8>) -> Customer {
    let from = names.len() as u32;
    if index % 40 == 7 {
        write!(names, "0042{index:07}").expect("writing to a Vec");
    } else {
        let nit = 800_000_000 + (u64::from(index) * 48_271 + 12_345) % 100_000_000;
        write!(names, "{nit}").expect("writing to a Vec");
    }
    names.push(b',');
    let prefix = NAME_PREFIXES[rng.below(16) as usize];
    let core = NAME_CORES[rng.below(18) as usize];
    let suffix = NAME_SUFFIXES[rng.below(6) as usize];
    let core = if rng.chance(80) {
        format!("\"{core}\"")
    } else {
        core.to_string()
    };
    let name = match (suffix, rng.chance(200)) {
        ("", _) => format!("{prefix} {core}"),
        (_, true) => format!("{prefix} {core}, {suffix}"),
        (_, false) => format!("{prefix} {core} {suffix}"),
    };
    push_csv_field(names, &name);
    let currency = match rng.below(100) {
        0..80 => 0,
        80..95 => 1,
        _ => 2,
    };
    let second_currency = rng
        .chance(50)
        .then(|| (currency + 1 + rng.below(2) as u8) % 3);
    Customer {
        head: (from, names.len() as u32),
        currency,
        second_currency,
        lump_cents: 0,
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (quotes doubled).
fn push_csv_field(out: &mut Vec<u8>, field: &str) {
    if !field.contains([',', '"', '\n', '\r']) {
        out.extend_from_slice(field.as_bytes());
        return;
    }
    out.push(b'"');
    for b in field.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn push_invoice_id(out: &mut Vec<u8>, prefix: &[u8], number: u64) {
    out.extend_from_slice(prefix);
    push_u64(out, number);
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `1234.50`: cents as a plain decimal with two places.
fn push_cents(out: &mut Vec<u8>, cents: u64) {
    push_u64(out, cents / 100);
    let frac = (cents % 100) as u8;
    out.extend_from_slice(&[b'.', b'0' + frac / 10, b'0' + frac % 10]);
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    /// The ledger of `invoices` invoices, `customers` customers and `seed`, and its counts.
    fn ledger(invoices: u64, customers: u32, seed: u64) -> (Vec<u8>, [u64; 3]) {
        let args = Args {
            invoices,
            customers,
            seed,
            output: None,
        };
        let mut out = HEADER.to_vec();
        let counts = Generator::new(&args).write_all(&mut out).unwrap();
        (out, counts)
    }

    fn cents(text: &str) -> u64 {
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        let frac = format!("{frac:0<2}");
        int.parse::<u64>().unwrap() * 100 + frac.parse::<u64>().unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes_and_another_seed_others() {
        let (a, counts) = ledger(2_000, 40, 1);
        assert_eq!(a, ledger(2_000, 40, 1).0);
        assert_ne!(a, ledger(2_000, 40, 2).0);
        // Pinned: a change to the generator changes these, and the benchmark's ledger.
        assert_eq!(counts, [2_000, 1_177, 71]);
        assert_eq!(a.len(), 295_214);
    }

    #[test]
    fn the_ledger_holds_every_case_the_issue_asks_for() {
        let (bytes, counts) = ledger(20_000, 400, 1);
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let mut invoices: HashMap<String, u64> = HashMap::new();
        let (mut paid_by_ref, mut unreferenced, mut notes) = (HashMap::new(), 0, 0);
        let mut currencies = HashSet::new();
        let mut rows = 0;
        for record in reader.records() {
            let r = record.unwrap();
            rows += 1;
            currencies.insert(r[7].to_string());
            match &r[0] {
                "invoice" => {
                    invoices.insert(r[1].to_string(), cents(&r[6]));
                }
                kind => {
                    notes += u64::from(kind == "credit_note");
                    if r[8].is_empty() {
                        unreferenced += 1;
                    } else {
                        let paid: &mut Vec<u64> = paid_by_ref.entry(r[8].to_string()).or_default();
                        paid.push(cents(&r[6]));
                    }
                }
            }
        }
        assert_eq!(rows, counts.iter().sum::<u64>());
        assert_eq!(invoices.len() as u64, counts[0]);
        assert_eq!(notes, counts[2]);
        let known = |id: &String| invoices.contains_key(id);
        let partial = paid_by_ref
            .iter()
            .filter(|(id, p)| known(id) && p.len() >= 2)
            .count();
        let overpaid = (paid_by_ref.iter())
            .filter(|(id, p)| known(id) && p.iter().sum::<u64>() > invoices[*id])
            .count();
        let mistyped = paid_by_ref.keys().filter(|id| !known(id)).count();
        let quoted = bytes.windows(2).filter(|w| w == b",\"").count();
        // Exact for this seed; each one of the issue's cases is there.
        assert_eq!(
            (partial, overpaid, mistyped, unreferenced, notes, quoted),
            (1_286, 247, 61, 4_965, 787, 7_328),
        );
        assert_eq!(
            currencies,
            HashSet::from(["COP", "USD", "EUR"].map(String::from))
        );
    }
}
