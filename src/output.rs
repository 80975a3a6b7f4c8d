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
        let mut out = BufWriter::new(Syncing::new(tmp.as_file_mut()));
        write(&mut out)
            .and_then(|()| out.flush())
            .and_then(|()| out.into_inner().map_err(io::IntoInnerError::into_error))
            .and_then(Syncing::finish)
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

/// A report file being written, whose bytes the system starts putting on disk while the
/// rest are rendered: every [`SYNC_EVERY`] bytes, another thread syncs what is written so
/// far (a 69 MB report's final sync waited 75-107 ms on its own). The final sync, after,
/// finds little left. An error of those syncs fails the write: once reported, the final
/// sync would not report it again.
struct Syncing<'a> {
    file: &'a mut fs::File,
    unsynced: u64,
    syncer: Option<Syncer>,
}

/// Bytes written between two syncs started.
const SYNC_EVERY: u64 = 8 << 20;

struct Syncer {
    go: std::sync::mpsc::SyncSender<()>,
    done: std::thread::JoinHandle<io::Result<()>>,
}

impl<'a> Syncing<'a> {
    fn new(file: &'a mut fs::File) -> Syncing<'a> {
        Syncing {
            file,
            unsynced: 0,
            syncer: None,
        }
    }

    /// Asks for a sync of what is written, unless one is waiting already. Where no thread
    /// starts, the final sync does it all.
    fn sync_behind(&mut self) {
        if self.syncer.is_none() {
            let Ok(file) = self.file.try_clone() else {
                return;
            };
            let (go, asked) = std::sync::mpsc::sync_channel::<()>(1);
            let spawned = std::thread::Builder::new().spawn(move || {
                for () in asked {
                    file.sync_data()?;
                }
                Ok(())
            });
            let Ok(done) = spawned else { return };
            self.syncer = Some(Syncer { go, done });
        }
        if let Some(syncer) = &self.syncer {
            let _ = syncer.go.try_send(()); // one waiting is enough; a failed one is told below
        }
    }

    /// The syncs behind the writing, done; the first error of theirs.
    fn finish(self) -> io::Result<()> {
        let Some(Syncer { go, done }) = self.syncer else {
            return Ok(());
        };
        drop(go);
        (done.join()).unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

impl Write for Syncing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            self.sync_behind();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of several times [`SYNC_EVERY`] bytes, written in pieces of odd sizes, is
    /// synced behind the writing and lands whole, in order.
    #[test]
    fn a_big_report_is_synced_behind_and_lands_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        let line: Vec<u8> = (0..7919u32).map(|i| b'a' + (i % 26) as u8).collect();
        let times = (3 * SYNC_EVERY as usize).div_ceil(line.len());
        let mut started = false;
        let staged = stage_file(&path, &[], |out| {
            for _ in 0..times {
                out.write_all(&line)?;
            }
            Ok(())
        })
        .unwrap();
        staged.commit().unwrap();
        let written = fs::read(&path).unwrap();
        assert_eq!(written.len(), times * line.len());
        assert!(written.chunks(line.len()).all(|c| c == line.as_slice()));
        // The same bytes through `Syncing` alone: its syncer started, and finished cleanly.
        let mut file = tempfile::tempfile().unwrap();
        let mut out = Syncing::new(&mut file);
        for _ in 0..times {
            out.write_all(&line).unwrap();
            started |= out.syncer.is_some();
        }
        assert!(
            started,
            "no sync was started behind {} bytes",
            times * line.len()
        );
        out.finish().unwrap();
        assert_eq!(file.metadata().unwrap().len(), (times * line.len()) as u64);
    }

    /// A small report starts no thread: it is synced once, at the end.
    #[test]
    fn a_small_report_starts_no_sync_behind() {
        let mut file = tempfile::tempfile().unwrap();
        let mut out = Syncing::new(&mut file);
        out.write_all(&[b'x'; 4096]).unwrap();
        assert!(out.syncer.is_none());
        out.finish().unwrap();
    }
}
