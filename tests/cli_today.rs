//! Without `--as-of`, the aging is as of today in the local time zone (`TZ` set here, so
//! the test does not depend on the zone of whoever runs it).

mod common;

use chrono::{Days, Utc};

#[test]
fn without_as_of_the_aging_is_as_of_today() {
    let before = Utc::now().date_naive();
    let dir = tempfile::tempdir().unwrap();
    let (issued, due, tomorrow) = (
        before - Days::new(45),
        before - Days::new(40),
        before + Days::new(1),
    );
    std::fs::write(
        dir.path().join("l.csv"),
        format!(
            "type,id,customer_id,date,due_date,amount,currency\n\
             invoice,F1,C1,{issued},{due},100.00,USD\n\
             invoice,F2,C1,{tomorrow},,50.00,USD\n\
             payment,P1,C1,{tomorrow},,100.00,USD\n"
        ),
    )
    .unwrap();
    let out = common::stdout_of(
        common::cartera_in(dir.path())
            .env("TZ", "UTC")
            .args(["aging", "l.csv", "--format", "json"]),
    );
    let after = Utc::now().date_naive();
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let as_of = json["as_of"].as_str().unwrap();
    assert!(
        as_of == before.to_string() || as_of == after.to_string(),
        "{as_of}"
    );
    assert_eq!(json["documents_after_as_of"], 2);
    assert_eq!(json["rows"][0]["31-60"], "100.00");
    assert_eq!(json["rows"][0]["balance"], "100.00");
}
