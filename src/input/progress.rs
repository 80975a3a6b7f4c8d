//! A progress line on stderr while a big file is read, for people at a terminal: how much
//! of the file is read, redrawn at most a few times a second, shown only once a read has
//! taken a second, and wiped when the file is done. Only `Context` decides whether to show
//! it (stderr is a terminal and `--quiet` is not given).

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Bytes read elsewhere that count towards the line: the second part of a file read in
/// two at once.
pub type Elsewhere = Arc<AtomicU64>;

/// Counts the bytes read through it and redraws the line now and then.
pub struct Progress<R, W: Write> {
    inner: R,
    out: W,
    name: String,
    total: u64,
    read: u64,
    elsewhere: Option<Elsewhere>,
    started: Instant,
    /// Nothing is drawn before this much time has passed…
    delay: Duration,
    /// …and then at most once per this.
    every: Duration,
    last: Option<Instant>,
}

impl<R: Read, W: Write> Progress<R, W> {
    pub fn new(inner: R, out: W, name: String, total: u64) -> Self {
        Progress {
            inner,
            out,
            name,
            total,
            read: 0,
            elsewhere: None,
            started: Instant::now(),
            delay: Duration::from_secs(1),
            every: Duration::from_millis(250),
            last: None,
        }
    }

    /// What it reads from.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Counts the bytes of `elsewhere` as read too.
    pub fn with_elsewhere(mut self, elsewhere: Elsewhere) -> Self {
        self.elsewhere = Some(elsewhere);
        self
    }

    fn draw(&mut self) {
        let now = Instant::now();
        let due = self.last.map_or(now - self.started >= self.delay, |last| {
            now - last >= self.every
        });
        if !due {
            return;
        }
        self.last = Some(now);
        let mb = |b: u64| b / 1_000_000;
        let elsewhere = (self.elsewhere.as_ref()).map_or(0, |e| e.load(Ordering::Relaxed));
        let read = (self.read + elsewhere).min(self.total);
        let percent = (read * 100).checked_div(self.total).unwrap_or(100);
        // A failed write to stderr is no reason to stop the run.
        let _ = write!(
            self.out,
            "\rcartera: reading {} {percent:>3}% ({} of {} MB)",
            self.name,
            mb(read),
            mb(self.total)
        );
        let _ = self.out.flush();
    }
}

impl<R, W: Write> Progress<R, W> {
    /// Wipes the line, if one was drawn.
    fn wipe(&mut self) {
        if self.last.take().is_some() {
            let _ = write!(self.out, "\r\x1b[K");
            let _ = self.out.flush();
        }
    }
}

impl<R: Read, W: Write> Read for Progress<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if n == 0 {
            self.wipe();
        } else {
            self.draw();
        }
        Ok(n)
    }
}

/// Counts what passes through it into an [`Elsewhere`].
pub struct Counted<R> {
    pub inner: R,
    pub count: Elsewhere,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A file read in two parts is left before its end: the line goes when the reader does.
impl<R, W: Write> Drop for Progress<R, W> {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_the_share_read_and_is_wiped_at_the_end() {
        let data = vec![b'x'; 3_000_000];
        let mut shown = Vec::new();
        let mut p = Progress::new(&data[..], &mut shown, "big.csv".into(), 3_000_000);
        (p.delay, p.every) = (Duration::ZERO, Duration::ZERO);
        let mut buf = vec![0; 1_000_000];
        while p.read(&mut buf).unwrap() > 0 {}
        drop(p);
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "\rcartera: reading big.csv  33% (1 of 3 MB)\
             \rcartera: reading big.csv  66% (2 of 3 MB)\
             \rcartera: reading big.csv 100% (3 of 3 MB)\r\x1b[K"
        );
    }

    #[test]
    fn a_reader_left_before_the_end_wipes_its_line() {
        let data = vec![b'x'; 2_000_000];
        let mut shown = Vec::new();
        {
            let mut p = Progress::new(&data[..], &mut shown, "big.csv".into(), 2_000_000);
            (p.delay, p.every) = (Duration::ZERO, Duration::ZERO);
            let mut buf = vec![0; 1_000_000];
            p.read_exact(&mut buf).unwrap();
        }
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "\rcartera: reading big.csv  50% (1 of 2 MB)\r\x1b[K"
        );
    }

    #[test]
    fn the_second_part_of_a_file_counts_too() {
        let data = vec![b'x'; 2_000_000];
        let mut shown = Vec::new();
        let elsewhere = Elsewhere::default();
        let mut p = Progress::new(&data[..], &mut shown, "big.csv".into(), 4_000_000)
            .with_elsewhere(elsewhere.clone());
        (p.delay, p.every) = (Duration::ZERO, Duration::ZERO);
        let mut other = Counted {
            inner: &data[..1_000_000],
            count: elsewhere,
        };
        io::copy(&mut other, &mut io::sink()).unwrap();
        let mut buf = vec![0; 1_000_000];
        while p.read(&mut buf).unwrap() > 0 {}
        drop(p);
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "\rcartera: reading big.csv  50% (2 of 4 MB)\
             \rcartera: reading big.csv  75% (3 of 4 MB)\r\x1b[K"
        );
    }

    #[test]
    fn a_quick_read_shows_nothing() {
        let data = vec![b'x'; 1000];
        let mut shown = Vec::new();
        let mut p = Progress::new(&data[..], &mut shown, "small.csv".into(), 1000);
        io::copy(&mut p, &mut io::sink()).unwrap();
        drop(p);
        assert!(shown.is_empty());
    }
}
