//! Where a report goes: stdout through a buffer, or a file written atomically (a temporary
//! file beside it, synced, then renamed over it), so a cron job never leaves a half-written
//! report and an existing one survives any failure untouched. cartera refuses to write over
//! one of its inputs (ledgers and policy), and into anything but a regular file: renaming
//! over a device or waiting on a FIFO is never what a report run means.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{CliError, io_reason, show_path};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

/// Runs `write` against the target and commits the bytes; `write` must produce the whole
/// report (everything that can fail on the data has failed before this is called).
/// `inputs` are the files the run read (`None` for stdin), which the output may not replace.
pub fn write_output(
    target: &Target,
    inputs: &[Option<&Path>],
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
        Target::File(path) => stage_file(path, inputs, write)?.commit(),
    }
}

/// A report written and synced to a temporary file beside its destination, waiting for
/// `commit` to rename it into place. Dropped uncommitted, it leaves nothing behind.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    dest: PathBuf,
    shown: String,
}

impl Staged {
    /// The file the report will replace (symbolic links followed).
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Whether two staged reports would land on the same file (through `..`, `.` or
    /// symbolic links to directories too).
    pub fn same_destination(&self, other: &Staged) -> bool {
        let place = |p: &Path| {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (
                fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
                p.file_name().map(|n| n.to_os_string()),
            )
        };
        place(&self.dest) == place(&other.dest)
    }

    /// Renames the report into place, keeping the permissions of a file it replaces.
    pub fn commit(self) -> Result<(), CliError> {
        if let Ok(meta) = fs::metadata(&self.dest) {
            // Replacing a report keeps the permissions it had (a shared folder stays shared).
            let _ = fs::set_permissions(self.tmp.path(), meta.permissions());
        }
        let shown = self.shown;
        self.tmp
            .persist(&self.dest)
            .map_err(|e| CliError::CantCreate {
                message: format!("cannot write {shown}: {}", io_reason(&e.error)),
            })?;
        if let Some(Ok(d)) = self.dest.parent().map(|p| {
            fs::File::open(if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            })
        }) {
            let _ = d.sync_all(); // make the rename durable; not every platform allows this
        }
        Ok(())
    }
}

/// Writes the report to a temporary file beside `path`, after checking that `path` is
/// neither an input nor anything but a regular file.
pub fn stage_file(
    path: &Path,
    inputs: &[Option<&Path>],
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Staged, CliError> {
    let shown = show_path(path);
    let cannot = |why: String| CliError::CantCreate {
        message: format!("cannot write {shown}: {why}"),
    };
    let resolved = follow_links(path);
    let path = resolved.as_path();
    if let Ok(meta) = fs::metadata(path) {
        if meta.is_dir() {
            return Err(cannot("it is a directory".into()));
        }
        if !meta.is_file() {
            return Err(cannot(
                "it is not a regular file (hint: to write into a device or pipe, redirect stdout with >)".into(),
            ));
        }
    }
    for input in inputs {
        let same = match input {
            Some(input) => same_file::is_same_file(path, input).unwrap_or(false),
            None => match (
                same_file::Handle::stdin(),
                same_file::Handle::from_path(path),
            ) {
                (Ok(stdin), Ok(out)) => stdin == out,
                _ => false,
            },
        };
        if same {
            let name = input.map_or("<stdin>".to_string(), show_path);
            return Err(cannot(format!(
                "it is the input {name}; choose another output file"
            )));
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cartera-").suffix(".tmp");
    #[cfg(unix)]
    {
        // Created as `> file` would be: 0666 less the umask (tempfile's default is 0600).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
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
    Ok(Staged {
        tmp,
        dest: path.to_path_buf(),
        shown,
    })
}

/// Through symbolic links (even one whose target does not exist yet), the report goes to
/// the file they point to, as `> link` would, and never replaces the link itself.
fn follow_links(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = fs::read_link(&p) else { break };
        p = match p.parent() {
            Some(dir) if target.is_relative() => dir.join(target),
            _ => target,
        };
    }
    p
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
