//! Where a problem in the policy is (line and column), and serde's wording of a type
//! mismatch put in words a policy author uses.

/// serde's wording of a type mismatch (`invalid type: string "30", expected i64`) with the
/// key it is about and the type in words: `terms_days: expected a whole number, found …`.
pub(super) fn plain_toml_message(text: &str, offset: usize, message: &str) -> String {
    let message = message.trim_end();
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return message.to_string();
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let whole_line = text
        .get(offset..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    let line = text
        .get(..offset)
        .and_then(|t| t.rsplit('\n').next())
        .unwrap_or("");
    // The key is the word just before the `=` that precedes the value (inline tables
    // included); in an array, the key of the line; at a table header, the table's name.
    let before = line.trim_end();
    let key = match before.strip_suffix('=') {
        Some(k) => k.trim_end().rsplit([' ', '{', ',']).next().unwrap_or(""),
        None if before.is_empty() && whole_line.starts_with('[') => {
            whole_line.trim_matches(['[', ']', ' '])
        }
        None => line.split_once('=').map_or("", |(k, _)| k.trim()),
    };
    let expected = match expected {
        "i64" | "u32" | "u64" => "a whole number",
        "a string" => "text in double quotes",
        "a sequence" => "a list",
        e if e.starts_with("struct ") => "a table",
        other => other,
    };
    let found = match found {
        "map" => "a table".to_string(),
        f if f.ends_with(" as i128") => "a number too large".to_string(),
        f => f.to_string(),
    };
    let prefix = if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    };
    let hint = if key == "aging.buckets" && found == "a table" {
        " (hint: write [[aging.buckets]], with double brackets, once per bucket)"
    } else {
        ""
    };
    format!("{prefix}expected {expected}, found {found}{hint}")
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
