//! The header of a native ledger: which column holds which field.
//!
//! Names are matched after trimming and ignoring letter case; columns cartera does not know
//! are ignored (they stay in the file for whoever else reads it).

use csv::ByteRecord;

use super::Role;

/// Column indices of the fields of a native ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    pub kind: Option<usize>,
    pub id: usize,
    pub customer: usize,
    pub name: Option<usize>,
    pub date: usize,
    pub due: Option<usize>,
    pub amount: usize,
    pub currency: Option<usize>,
    pub reference: Option<usize>,
    /// Payments: the parts of the invoice settled by tax withheld at source, one column per
    /// tax (ReteFuente, ReteIVA, ReteICA…); they add up.
    pub withholding: Vec<usize>,
    /// Payments: the parts settled by discounts (prompt payment, rebate); they add up.
    pub discount: Vec<usize>,
    /// Header names as written (trimmed), for messages.
    pub names: Vec<String>,
}

/// The columns of a native ledger, in the order cartera writes them (the last two only on
/// payments).
pub const FIELDS: [&str; 11] = [
    "type",
    "id",
    "customer_id",
    "customer_name",
    "date",
    "due_date",
    "amount",
    "currency",
    "ref",
    "withholding",
    "discount",
];

/// Header names (folded: lower case, no accents, letters and digits only) of withholding
/// columns, which may be several and add up.
const WITHHOLDING: &[&str] = &[
    "withholding",
    "withholdingtax",
    "taxwithheld",
    "wht",
    "retencion",
    "retenciones",
    "retencionenlafuente",
    "retefuente",
    "rtefte",
    "retfte",
    "reterenta",
    "reteiva",
    "rteiva",
    "reteica",
    "rteica",
];
/// Header names (folded) of discount columns, which add up too.
const DISCOUNT: &[&str] = &[
    "discount",
    "discounttaken",
    "descuento",
    "descuentos",
    "dcto",
    "descuentoprontopago",
];

/// Lower case, accents removed, only letters and digits: `Retención en la fuente` →
/// `retencionenlafuente`.
fn fold(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Plans the columns from a header record, or says what is wrong with it.
pub fn plan_columns(header: &ByteRecord, role: Role) -> Result<Columns, String> {
    let mut names = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(cell) else {
            return Err(format!(
                "the header's column {} is not valid UTF-8 (hint: save the file as \"CSV UTF-8\")",
                i + 1
            ));
        };
        names.push(text.trim().trim_start_matches('\u{feff}').to_string());
    }
    let mut found: [Option<usize>; 9] = [None; 9];
    let (mut withholding, mut discount) = (Vec::new(), Vec::new());
    for (i, name) in names.iter().enumerate() {
        let folded = fold(name);
        if WITHHOLDING.contains(&folded.as_str()) {
            withholding.push(i);
        } else if DISCOUNT.contains(&folded.as_str()) {
            discount.push(i);
        }
        let Some(f) = FIELDS[..9]
            .iter()
            .position(|f| f.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        if let Some(first) = found[f] {
            return Err(format!(
                "column \"{}\" appears twice in the header (columns {} and {})",
                FIELDS[f],
                first + 1,
                i + 1
            ));
        }
        found[f] = Some(i);
    }
    let type_required = role == Role::Ledger;
    let missing: Vec<&str> = FIELDS
        .iter()
        .zip(found)
        .filter(|(f, idx)| {
            idx.is_none()
                && (matches!(**f, "id" | "customer_id" | "date" | "amount")
                    || (**f == "type" && type_required))
        })
        .map(|(f, _)| *f)
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|m| format!("\"{m}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let noun = if missing.len() == 1 {
            "column"
        } else {
            "columns"
        };
        let shown = crate::error::sanitize(&names.join(", "));
        let mut message = format!("missing required {noun} {list} (the header has: {shown})");
        if names.len() == 1 && [";", "\t", "|"].iter().any(|d| names[0].contains(d)) {
            message.push_str("; hint: the columns are separated by ',' in a native ledger, and this header seems to use another delimiter");
        }
        return Err(message);
    }
    let req = |f: usize| found[f].expect("required columns were checked above");
    Ok(Columns {
        kind: found[0],
        id: req(1),
        customer: req(2),
        name: found[3],
        date: req(4),
        due: found[5],
        amount: req(6),
        currency: found[7],
        reference: found[8],
        withholding,
        discount,
        names,
    })
}
