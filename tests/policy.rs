//! The policy file: the shipped example loads and equals the built-in defaults; every
//! validation rule names the key with its line and column.

use cartera::policy::{Basis, Policy, Step, parse_policy};

fn problems(text: &str) -> Vec<String> {
    parse_policy(text, "p.toml")
        .unwrap_err()
        .into_iter()
        .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
        .collect()
}

#[test]
fn the_example_policy_loads_and_documents_the_defaults() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policy.example.toml"))
        .unwrap();
    let policy = parse_policy(&text, "policy.example.toml").unwrap();
    assert_eq!(
        policy,
        Policy {
            origin: "policy.example.toml".into(),
            // It writes the default currency out: chosen, so not warned of.
            default_currency_set: true,
            ..Policy::default()
        }
    );
}

#[test]
fn an_empty_policy_is_the_defaults() {
    assert_eq!(
        parse_policy("", "x").unwrap(),
        Policy {
            origin: "x".into(),
            ..Policy::default()
        }
    );
}

#[test]
fn keys_override_the_defaults() {
    let p = parse_policy(
        "[defaults]\ncurrency = \"COP\"\nterms_days = 0\n[aging]\nbasis = \"issue_date\"\n",
        "x",
    )
    .unwrap();
    assert_eq!(
        (p.default_currency.as_str(), p.terms_days, p.aging.basis),
        ("COP", 0, Basis::IssueDate)
    );
}

#[test]
fn an_unknown_key_is_located() {
    assert_eq!(
        problems("[defaults]\ncurency = \"COP\"\n"),
        ["2:1: unknown field `curency`, expected `currency` or `terms_days`"]
    );
    assert_eq!(
        problems("[aging]\n[[aging.buckets]]\nlabel = \"a\"\nmax_dias = 3\n"),
        ["4:1: unknown field `max_dias`, expected one of `label`, `max_days`, `provision_rate`"]
    );
    assert_eq!(
        problems("[riesgo]\n"),
        [
            "1:2: unknown field `riesgo`, expected one of `defaults`, `aging`, `allocation`, `risk`, `credit`, `input`"
        ]
    );
}

#[test]
fn wrong_types_are_located() {
    assert_eq!(
        problems("[defaults]\nterms_days = \"30\"\n"),
        ["2:14: terms_days: expected a whole number, found string \"30\""]
    );
}

#[test]
fn bad_values_are_located_and_all_reported() {
    assert_eq!(
        problems("[defaults]\ncurrency = \"pesos\"\nterms_days = -1\n[aging]\nbasis = \"due\"\n"),
        [
            "2:12: defaults.currency: \"pesos\" is not a currency code (expected 3 letters such as COP or USD)",
            "3:14: defaults.terms_days: -1 is out of range (expected days from 0 to 3650)",
            "5:9: aging.basis: \"due\" is not a basis (expected \"due_date\" or \"issue_date\")",
        ]
    );
}

#[test]
fn buckets_must_increase_end_open_and_have_unique_labels() {
    let text = "\
[[aging.buckets]]
label = \"a\"
max_days = 30
[[aging.buckets]]
label = \"b\"
max_days = 30
[[aging.buckets]]
label = \"A\"
[[aging.buckets]]
label = \"balance\"
max_days = 90
";
    assert_eq!(
        problems(text),
        [
            "6:12: aging.buckets[1].max_days: 30 is not greater than 30, the max_days of aging.buckets[0] (max_days must strictly increase)",
            "8:9: aging.buckets[2].label: \"A\" is already the label of aging.buckets[0] (labels must be unique)",
            "7:1: aging.buckets[2]: only the last bucket may leave out max_days (it is the open-ended one)",
            "10:9: aging.buckets[3].label: \"balance\" is the name of another output column; choose another label",
            "11:12: aging.buckets[3].max_days: the last bucket must leave out max_days, so that it takes every older invoice",
        ]
    );
}

#[test]
fn an_empty_bucket_list_is_refused() {
    assert_eq!(
        problems("[aging]\nbuckets = []\n"),
        ["2:11: aging.buckets: the list is empty (expected at least the open-ended bucket)"]
    );
}

#[test]
fn a_single_open_ended_bucket_is_allowed() {
    let p = parse_policy("[[aging.buckets]]\nlabel = \"all\"\n", "x").unwrap();
    assert_eq!(p.aging.bucket_for(-5), 0);
    assert_eq!(p.aging.bucket_for(5000), 0);
}

#[test]
fn labels_must_be_printable_and_not_formulas() {
    assert_eq!(
        problems(
            "[[aging.buckets]]\nlabel = \"=1+1\"\nmax_days = 0\n[[aging.buckets]]\nlabel = \"a\\u202Eb\"\nmax_days = 5\n[[aging.buckets]]\nlabel = \" \"\n"
        ),
        [
            "2:9: aging.buckets[0].label: \"=1+1\" starts with a character a spreadsheet reads as a formula; choose another label",
            "5:9: aging.buckets[1].label: a label must be non-empty printable text",
            "8:9: aging.buckets[2].label: a label must be non-empty printable text",
        ]
    );
}

#[test]
fn the_allocation_order_and_tolerance_are_read_and_checked() {
    let p = parse_policy(
        "[allocation]\norder = [\"reference\", \"exact_amount\", \"oldest_first\"]\ntolerance = { COP = \"100\", usd = \"0.05\" }\n",
        "x",
    )
    .unwrap();
    assert_eq!(
        p.allocation.order,
        [Step::Reference, Step::ExactAmount, Step::OldestFirst]
    );
    let tolerance: Vec<String> = p
        .allocation
        .tolerance
        .iter()
        .map(|(c, t)| format!("{c}={t}"))
        .collect();
    assert_eq!(tolerance, ["COP=100", "USD=0.05"]);
    assert_eq!(
        problems(
            "[allocation]\norder = [\"oldest_first\", \"reference\", \"fifo\", \"oldest_first\"]\ntolerance = { PESOS = \"1\", EUR = \"-1\", USD = 0.05 }\n"
        ),
        ["3:46: USD: expected text in double quotes, found floating point `0.05`"]
    );
    assert_eq!(
        problems(
            "[allocation]\norder = [\"oldest_first\", \"reference\", \"fifo\", \"oldest_first\"]\ntolerance = { PESOS = \"1\", EUR = \"-1\" }\n"
        ),
        [
            "2:26: allocation.order[1]: \"reference\" must come first (references are followed before any pool is applied)",
            "2:39: allocation.order[2]: \"fifo\" is not a step (expected \"reference\", \"exact_amount\" or \"oldest_first\")",
            "2:47: allocation.order[3]: \"oldest_first\" is listed twice",
            "3:13: allocation.tolerance: a write-off follows the referenced payments, so allocation.order must start with \"reference\"",
            "3:34: allocation.tolerance.EUR: \"-1\" is not an amount (expected a plain positive decimal in quotes, such as \"0.05\")",
            "3:15: allocation.tolerance: \"PESOS\" is not a currency code (expected 3 letters such as COP or USD)",
        ]
    );
}

#[test]
fn full_width_formula_labels_are_refused_too() {
    assert_eq!(
        problems("[[aging.buckets]]\nlabel = \"＝1+1\"\n"),
        [
            "2:9: aging.buckets[0].label: \"＝1+1\" starts with a character a spreadsheet reads as a formula; choose another label"
        ]
    );
}

#[test]
fn common_toml_mistakes_get_plain_messages() {
    assert_eq!(
        problems("[aging.buckets]\nlabel = \"x\"\n"),
        [
            "1:1: aging.buckets: expected a list, found a table (hint: write [[aging.buckets]], with double brackets, once per bucket)"
        ]
    );
    assert_eq!(
        problems("aging = 1\n"),
        ["1:9: aging: expected a table, found integer `1`"]
    );
    assert_eq!(
        problems("[defaults]\nterms_days = 99999999999999999999\n"),
        ["2:14: terms_days: expected a whole number, found a number too large"]
    );
}

#[test]
fn risk_levels_are_checked_with_their_line_and_column() {
    let text = "\
[[risk.levels]]
name = \"alto\"
overdue_share_over = \"1.5\"
[[risk.levels]]
name = \"bajo\"
[[risk.levels]]
name = \"medio\"
late_share_over = \"-0.1\"
[credit]
default_limit = { COP = \"cincuenta\" }
";
    assert_eq!(
        problems(text),
        [
            "3:22: risk.levels[0].overdue_share_over: \"1.5\" is not a share between 0 and 1",
            "6:1: risk.levels[2]: comes after risk.levels[1] \"bajo\", which has no conditions and so matches everyone; it must be last",
            "8:19: risk.levels[2].late_share_over: \"-0.1\" is not a share between 0 and 1 (write it in quotes, such as \"0.50\")",
            "10:25: credit.default_limit.COP: \"cincuenta\" is not an amount (expected a plain positive decimal in quotes, such as \"0.05\")",
        ]
    );
    assert_eq!(
        problems("[[risk.levels]]\nname = \"alto\"\nmax_days_over = 90\n"),
        [
            "3:1: unknown field `max_days_over`, expected one of `name`, `max_days_past_due_over`, `overdue_share_over`, `overdue_over`, `credit_use_over`, `avg_days_late_over`, `late_share_over`, `balance_over`"
        ]
    );
}

#[test]
fn the_shipped_risk_policies_load() {
    for name in ["policy-ifrs9.toml", "policy-colombia.toml"] {
        let text =
            std::fs::read_to_string(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        let p = parse_policy(&text, name).unwrap();
        assert!(
            p.risk
                .levels
                .last()
                .is_some_and(|l| l.conditions.is_empty()),
            "{name} ends with a catch-all level"
        );
        assert!(
            p.aging
                .buckets
                .iter()
                .all(|b| b.provision_rate <= rust_decimal::Decimal::ONE)
        );
    }
}

#[test]
fn allocation_footguns_are_refused() {
    assert_eq!(
        problems("[allocation]\norder = []\n"),
        [
            "2:9: allocation.order: the list is empty, so nothing would ever be applied (the default is [\"reference\", \"oldest_first\"])"
        ]
    );
    assert_eq!(
        problems("[allocation]\norder = [\"oldest_first\"]\ntolerance = { USD = \"1\" }\n"),
        [
            "3:13: allocation.tolerance: a write-off follows the referenced payments, so allocation.order must start with \"reference\""
        ]
    );
    assert_eq!(
        problems("[allocation]\ntolerance = { COP = \"100\", cop = \"5\", USD = \"0.001\" }\n"),
        [
            "2:45: allocation.tolerance.USD: \"0.001\" has more decimal places than USD has (2)",
            "2:28: allocation.tolerance: COP is given twice",
        ]
    );
}

#[test]
fn negative_day_thresholds_are_refused() {
    assert_eq!(
        problems(
            "[[risk.levels]]\nname = \"x\"\nmax_days_past_due_over = -1\navg_days_late_over = -5\n"
        ),
        [
            "3:26: risk.levels[0].max_days_past_due_over: -1 is negative (days past due and days late are 0 or more)",
            "4:22: risk.levels[0].avg_days_late_over: -5 is negative (days past due and days late are 0 or more)",
        ]
    );
}

#[test]
fn the_input_section_is_read_and_checked() {
    let p = parse_policy("[input]\nencoding = \"latin1\"\ndelimiter = \"tab\"\ndecimal_mark = \",\"\ndate_format = \"%d/%m/%Y\"\nskip_rows = 3\n[input.columns]\nid = \"Número\"\n[input.kinds]\ninvoice = [\"FV\"]\n", "x").unwrap();
    assert_eq!(
        (
            p.input.encoding.map(|e| e.name()),
            p.input.delimiter,
            p.input.decimal_mark,
            p.input.skip_rows
        ),
        (Some("windows-1252"), Some(b'\t'), Some(','), 3)
    );
    assert_eq!(
        (p.input.columns["id"].as_str(), p.input.kinds["fv"]),
        ("Número", cartera::model::DocKind::Invoice)
    );
    assert_eq!(
        problems(
            "[input]\nencoding = \"klingon\"\ndelimiter = \"::\"\ndecimal_mark = \"'\"\ndate_format = \"%Q\"\n[input.columns]\nnumero = \"x\"\n[input.kinds]\nreceipt = [\"R\"]\n"
        ),
        [
            "2:12: input.encoding: \"klingon\" is not an encoding (expected a label such as \"utf-8\" or \"windows-1252\")",
            "3:13: input.delimiter: \"::\" is not a delimiter (expected \",\", \";\", \"tab\" or \"|\")",
            "4:16: input.decimal_mark: \"'\" is not a decimal mark (expected \".\" or \",\")",
            "5:15: input.date_format: \"%Q\" is not a date format (expected strftime codes such as \"%d/%m/%Y\")",
            "7:1: input.columns: \"numero\" is not a field (expected one of type, id, customer_id, customer_name, date, due_date, amount, currency, ref, withholding, discount, paid_date, paid_amount, balance)",
            "9:1: input.kinds: \"receipt\" is not a type (expected invoice, payment or credit_note)",
        ]
    );
}
