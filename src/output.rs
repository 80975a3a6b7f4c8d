//! Where a report goes: stdout through a buffer, or a file written atomically (a temporary
//! file beside it, synced, then renamed over it), so a cron job never leaves a half-written
//! report and an existing one survives any failure untouched. cartera refuses to write over
//! one of its inputs.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{CliError, io_reason};
use crate::input::Source;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

/// Runs `write` against the target and commits the bytes; `write` must produce the whole
/// report (everything that can fail on the data has failed before this is called).
pub fn write_output(
    target: &Target,
    inputs: &[Source],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    match target {
        Target::Stdout => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| write_failed(e, "stdout"))
        }
        Target::File(path) => write_file(path, inputs, write),
    }
}

fn write_file(
    path: &Path,
    inputs: &[Source],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    let shown = path.display().to_string();
    let cannot = |why: String| CliError::CantCreate {
        message: format!("cannot write {shown}: {why}"),
    };
    if path.is_dir() {
        return Err(cannot("it is a directory".into()));
    }
    for input in inputs.iter().filter_map(|s| s.path.as_deref()) {
        if same_file::is_same_file(path, input).unwrap_or(false) {
            return Err(cannot(format!(
                "it is the input {}; choose another output file",
                input.display()
            )));
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cartera-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| cannot(io_reason(&e)))?;
    {
        let mut out = BufWriter::new(tmp.as_file_mut());
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| write_failed(e, &shown))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| write_failed(e, &shown))?;
    if let Ok(meta) = fs::metadata(path) {
        // Replacing a report keeps the permissions it had (a shared folder stays shared).
        let _ = fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| cannot(io_reason(&e.error)))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all(); // make the rename durable; not every platform allows this
    }
    Ok(())
}

fn write_failed(e: io::Error, what: &str) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        CliError::BrokenPipe
    } else {
        CliError::Io {
            message: format!("cannot write {what}: {}", io_reason(&e)),
        }
    }
}
