//! The header of a native ledger: which column holds which field.
//!
//! Names are matched after trimming and ignoring letter case; columns cartera does not know
//! are ignored (they stay in the file for whoever else reads it).

use std::collections::BTreeMap;

use csv::ByteRecord;

use super::Role;
use crate::policy::fold;

/// Column indices of the fields of a native ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// Invoice lists with settlement: the date the invoice was paid (the row is then an
    /// invoice plus a payment of it on that date), and how much was paid (else all of it).
    pub paid_date: Option<usize>,
    pub paid_amount: Option<usize>,
    /// Open-items lists: the open balance, which is then the invoice's amount.
    pub balance: Option<usize>,
    /// Header names as written (trimmed), for messages.
    pub names: Vec<String>,
    /// The same, folded (to recognise the header repeated at a page break).
    pub folded: Vec<String>,
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

/// Built-in header names (folded) of each of the first nine fields, English and Spanish.
const ALIASES: [&[&str]; 9] = [
    &[
        "type",
        "tipo",
        "tipodocumento",
        "tipodedocumento",
        "tipodoc",
        "clase",
        "doctype",
        "documenttype",
    ],
    &[
        "id",
        "numero",
        "numerodocumento",
        "numerodedocumento",
        "documento",
        "nodocumento",
        "factura",
        "numerofactura",
        "nofactura",
        "invoicenumber",
        "invoiceno",
        "documentnumber",
        "folio",
    ],
    &[
        "customerid",
        "customer",
        "cliente",
        "nit",
        "idcliente",
        "codigocliente",
        "customercode",
        "nitcliente",
        "identificacion",
    ],
    &[
        "customername",
        "name",
        "nombre",
        "razonsocial",
        "nombrecliente",
        "nombredelcliente",
        "clientname",
    ],
    &[
        "date",
        "fecha",
        "fechaemision",
        "fechadeemision",
        "fechadocumento",
        "fechafactura",
        "invoicedate",
        "issuedate",
        "documentdate",
    ],
    &[
        "duedate",
        "vencimiento",
        "fechavencimiento",
        "fechadevencimiento",
        "due",
    ],
    &[
        "amount",
        "valor",
        "importe",
        "monto",
        "total",
        "valortotal",
        "invoiceamount",
        "totalamount",
    ],
    &["currency", "moneda", "divisa", "invoicecurrency"],
    &[
        "ref",
        "reference",
        "referencia",
        "aplicaa",
        "facturaaplicada",
        "appliesto",
        "invoiceref",
    ],
];

/// Header names (folded) of the `paid_date` column.
const PAID_DATE: &[&str] = &[
    "paiddate",
    "settleddate",
    "settlementdate",
    "cleardate",
    "clearingdate",
    "fechapago",
    "fechadepago",
    "paymentdate",
];

/// Header names (folded) of the `paid_amount` column.
const PAID_AMOUNT: &[&str] = &["paidamount", "amountpaid", "valorpagado", "montopagado"];

/// Header names (folded) of the `balance` column.
const BALANCE: &[&str] = &[
    "balance",
    "saldo",
    "saldopendiente",
    "openbalance",
    "openamount",
    "totalopenamount",
    "amountdue",
    "outstanding",
];

/// The message for a field that several columns could answer to.
fn ambiguous(field: &str, columns: &[usize], names: &[String]) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|&i| {
            format!(
                "\"{}\" (column {})",
                crate::error::sanitize(&names[i]),
                i + 1
            )
        })
        .collect();
    format!(
        "columns {} could each be the {field} (hint: name the right one in the policy: [input.columns] {field} = \"…\")",
        list.join(" and ")
    )
}

/// The fields of the other input shapes: an invoice list with settlement, open items.
pub const SHAPE_FIELDS: [&str; 3] = ["paid_date", "paid_amount", "balance"];

/// Plans the columns from a header record, or says what is wrong with it. `mapping` (the
/// policy's `[input.columns]`, canonical field → header) wins over the built-in names.
pub fn plan_columns(
    header: &ByteRecord,
    role: Role,
    mapping: &BTreeMap<String, String>,
) -> Result<Columns, String> {
    let mut names = Vec::with_capacity(header.len());
    for (i, cell) in header.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(cell) else {
            return Err(format!(
                "the header's column {} is not valid UTF-8 (hint: save the file as \"CSV UTF-8\", or read it with --encoding windows-1252 or the policy's [input] encoding = \"windows-1252\")",
                i + 1
            ));
        };
        names.push(text.trim().trim_start_matches('\u{feff}').to_string());
    }
    let folded: Vec<String> = names.iter().map(|n| fold(n)).collect();
    let shown_header = || crate::error::sanitize(&names.join(", "));
    let mut found: [Option<usize>; 9] = [None; 9];
    let mapped: Vec<String> = mapping.values().map(|h| fold(h)).collect();
    for (f, field) in FIELDS[..9].iter().enumerate() {
        let candidates: Vec<usize> = match mapping.get(*field) {
            Some(h) => {
                let want = fold(h);
                let hits: Vec<usize> = (0..names.len()).filter(|&i| folded[i] == want).collect();
                if hits.is_empty() {
                    return Err(format!(
                        "[input.columns] maps {field} to \"{}\", but the header has no such column (the header has: {})",
                        crate::error::sanitize(h),
                        shown_header()
                    ));
                }
                hits
            }
            None => (0..names.len())
                .filter(|&i| {
                    ALIASES[f].contains(&folded[i].as_str()) && !mapped.contains(&folded[i])
                })
                .collect(),
        };
        match candidates.as_slice() {
            [] => {}
            [one] => found[f] = Some(*one),
            [a, b, ..] if folded[*a] == folded[*b] => {
                return Err(format!(
                    "column \"{field}\" appears twice in the header (columns {} and {})",
                    a + 1,
                    b + 1
                ));
            }
            many => return Err(ambiguous(field, many, &names)),
        }
    }
    let pick = |field: &str, aliases: &[&str]| -> Vec<usize> {
        match mapping.get(field) {
            Some(h) => (0..names.len()).filter(|&i| folded[i] == fold(h)).collect(),
            None => (0..names.len())
                .filter(|&i| aliases.contains(&folded[i].as_str()) && !mapped.contains(&folded[i]))
                .collect(),
        }
    };
    let (withholding, discount) = (pick("withholding", WITHHOLDING), pick("discount", DISCOUNT));
    let single = |field: &str, aliases: &[&str]| -> Result<Option<usize>, String> {
        match pick(field, aliases).as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(ambiguous(field, many, &names)),
        }
    };
    let paid_date = single("paid_date", PAID_DATE)?;
    let paid_amount = single("paid_amount", PAID_AMOUNT)?;
    let balance = single("balance", BALANCE)?;
    if balance.is_some() {
        found[6] = balance; // the open balance is the invoice's amount; the original is kept for information
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
        } else {
            message.push_str(&format!(
                "; hint: name this export's own columns in a policy's [input.columns], such as {} = \"<its column>\", and pass it with --policy",
                missing[0]
            ));
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
        paid_date,
        paid_amount,
        balance,
        names,
        folded,
    })
}
