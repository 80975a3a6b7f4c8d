//! Output made in chunks on both cores and written in order: the other core renders chunk
//! after chunk, this one writes each next chunk as soon as it is ready and renders only
//! when it has nothing to write, so that the writing (a file's pages, a pipe) overlaps the
//! rendering.

use std::io::{self, Write};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Chunks rendered ahead of the one being written, at most.
const AHEAD: usize = 4;

/// Writes chunks `0..count` to `out` in order, `render(k, buffer)` making chunk `k` on
/// either core at the end of `buffer` (empty: the room of a chunk written, taken again
/// rather than new memory for each). A failed write stops both cores; a panic on either is
/// passed on (it does not leave the other waiting).
pub(super) fn write_in_order(
    count: usize,
    render: impl Fn(usize, Vec<u8>) -> Vec<u8> + Sync,
    out: &mut dyn Write,
) -> io::Result<()> {
    if count <= 1 {
        return (0..count).try_for_each(|k| out.write_all(&render(k, Vec::new())));
    }
    let chunks = Chunks::new(count);
    std::thread::scope(|s| {
        s.spawn(|| {
            let _stop = Stop {
                chunks: &chunks,
                writer: false,
            };
            while let Some((k, room)) = chunks.take() {
                chunks.put(k, render(k, room));
            }
        });
        let _stop = Stop {
            chunks: &chunks,
            writer: true,
        };
        (0..count).try_for_each(|k| {
            let bytes = loop {
                match chunks.wait(k) {
                    Wait::Ready(bytes) => break bytes,
                    Wait::Render(mine, room) => chunks.put(mine, render(mine, room)),
                    Wait::Again => {}
                    // The other core panicked: the scope passes its panic on.
                    Wait::Stopped => return Err(io::Error::other("the other core stopped")),
                }
            };
            out.write_all(&bytes)?;
            chunks.written(k + 1, bytes);
            Ok(())
        })
    })
}

/// The chunks being rendered and written: which one is next to render, which are rendered
/// and wait to be written, and how many were written.
struct Chunks {
    count: usize,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    next: usize,
    written: usize,
    done: Vec<Option<Vec<u8>>>,
    /// The room of chunks written, emptied, to render others in.
    spare: Vec<Vec<u8>>,
    /// The rendering core panicked.
    stopped: bool,
}

/// What the writing core does next.
enum Wait {
    Ready(Vec<u8>),
    /// Render this chunk meanwhile, in this room.
    Render(usize, Vec<u8>),
    /// Ask again (something changed).
    Again,
    Stopped,
}

/// Ends a core's part: the writer's (however it ends) stops the rendering; the rendering
/// core's, when it panics, stops the writer's wait.
struct Stop<'a> {
    chunks: &'a Chunks,
    writer: bool,
}

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        let mut state = self.chunks.lock();
        if self.writer {
            state.written = self.chunks.count;
        } else if std::thread::panicking() {
            state.stopped = true;
        }
        drop(state);
        self.chunks.changed.notify_all();
    }
}

impl Chunks {
    fn new(count: usize) -> Chunks {
        Chunks {
            count,
            state: Mutex::new(State {
                next: 0,
                written: 0,
                done: (0..count).map(|_| None).collect(),
                spare: Vec::new(),
                stopped: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// For the rendering core: the next chunk to render, once it is no more than
    /// [`AHEAD`] past the writing, and room for it; `None` when every chunk was taken, or
    /// the writing stopped.
    fn take(&self) -> Option<(usize, Vec<u8>)> {
        let mut state = self.lock();
        loop {
            if state.next >= self.count || state.written >= self.count {
                return None;
            }
            if state.next < state.written + AHEAD {
                state.next += 1;
                let room = state.spare.pop().unwrap_or_default();
                return Some((state.next - 1, room));
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn put(&self, k: usize, rendered: Vec<u8>) {
        self.lock().done[k] = Some(rendered);
        self.changed.notify_all();
    }

    /// For the writing core, waiting for chunk `k` (every chunk before it written).
    fn wait(&self, k: usize) -> Wait {
        let mut state = self.lock();
        if let Some(done) = state.done[k].take() {
            return Wait::Ready(done);
        }
        if state.stopped {
            return Wait::Stopped;
        }
        if state.next < self.count && state.next < state.written + AHEAD {
            state.next += 1;
            let room = state.spare.pop().unwrap_or_default();
            return Wait::Render(state.next - 1, room);
        }
        let _state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        Wait::Again
    }

    /// For the writing core: `count` chunks are written, the last in `room`.
    fn written(&self, count: usize, mut room: Vec<u8>) {
        room.clear();
        let mut state = self.lock();
        state.written = count;
        state.spare.push(room);
        drop(state);
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer slower than the rendering, which can fail after so many bytes.
    struct Slow {
        bytes: Vec<u8>,
        fail_after: usize,
    }

    impl Write for Slow {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.bytes.len() + buf.len() > self.fail_after {
                return Err(io::Error::other("disk full"));
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
            self.bytes.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Runs `f` on a thread of its own: its result, or `None` when it took a minute (a
    /// hang fails the test instead of stalling the suite).
    fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(60)).ok()
    }

    /// More chunks than are rendered ahead, written to a slow writer, come out in order;
    /// a writer that fails stops the rendering with its error.
    #[test]
    fn chunks_come_out_in_order_and_a_failed_write_stops_them() {
        let done = within_a_minute(|| {
            for count in [0, 1, 2, 3, 5, 40] {
                let render = |k: usize, mut room: Vec<u8>| {
                    assert!(room.is_empty(), "room given empty");
                    room.extend_from_slice(format!("chunk {k}\n").as_bytes());
                    room
                };
                let want: String = (0..count).map(|k| format!("chunk {k}\n")).collect();
                let mut out = Slow {
                    bytes: Vec::new(),
                    fail_after: usize::MAX,
                };
                write_in_order(count, render, &mut out).unwrap();
                assert_eq!(String::from_utf8(out.bytes).unwrap(), want, "{count}");
                let mut out = Slow {
                    bytes: Vec::new(),
                    fail_after: want.len() / 2,
                };
                if count > 0 {
                    let failed = write_in_order(count, render, &mut out).unwrap_err();
                    assert_eq!(failed.to_string(), "disk full");
                    assert!(want.starts_with(std::str::from_utf8(&out.bytes).unwrap()));
                }
            }
        });
        assert!(done.is_some(), "write_in_order hung");
    }

    /// A chunk whose rendering panics, on either core, passes the panic on: no hang.
    #[test]
    fn a_panic_while_rendering_is_passed_on_on_either_core() {
        for count in [2, 3, 9, 40] {
            for bad in [0, 1, 2, count / 2, count - 1]
                .into_iter()
                .filter(|&b| b < count)
            {
                let run = move || {
                    std::panic::catch_unwind(|| {
                        // Slow enough that both cores take chunks.
                        let render = |k: usize, _: Vec<u8>| {
                            std::thread::sleep(std::time::Duration::from_millis(2));
                            assert_ne!(k, bad, "chunk {bad} cannot be rendered");
                            vec![b'x'; 10]
                        };
                        write_in_order(count, render, &mut Vec::new())
                    })
                    .is_err()
                };
                assert_eq!(
                    within_a_minute(run),
                    Some(true),
                    "{count} chunks, bad {bad}"
                );
            }
        }
    }
}
