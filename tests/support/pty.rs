//! A reusable pseudo-terminal harness for end-to-end tests of the real `ctctsync` binary.
//!
//! ```ignore
//! #[path = "support/pty.rs"]
//! mod pty;
//! use pty::{Pty, keys};
//!
//! let mut t = Pty::spawn(env!("CARGO_BIN_EXE_ctctsync"), &[], &[("CTCTSYNC_DATA_DIR", dir)], 80, 24);
//! t.wait_for("Constant Contact application");      // panics with a screen dump on timeout
//! t.type_text("5a1d0b6e-…");                        // plain typing
//! t.send(keys::TAB);                                // named keys below
//! t.paste("secret");                                // bracketed paste, like a terminal does
//! t.resize(120, 40);
//! let copied = t.wait_clipboard(Duration::from_secs(5)); // the last OSC 52 copy, decoded
//! t.send(keys::CTRL_C);
//! assert_eq!(t.wait_exit(Duration::from_secs(5)), Some(0));
//! ```
//!
//! A reader thread feeds everything the program writes into a `vt100` parser (the screen) and
//! a raw byte log (for OSC 52 and for measuring time to first frame). `DISPLAY`,
//! `WAYLAND_DISPLAY` and `BROWSER` are removed from the child's environment so no real browser
//! is ever opened; `TERM` is `xterm-256color`.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Escape sequences for keys, as a terminal sends them.
pub mod keys {
    pub const ENTER: &str = "\r";
    pub const TAB: &str = "\t";
    pub const BACKTAB: &str = "\x1b[Z";
    pub const ESC: &str = "\x1b";
    pub const UP: &str = "\x1b[A";
    pub const DOWN: &str = "\x1b[B";
    pub const RIGHT: &str = "\x1b[C";
    pub const LEFT: &str = "\x1b[D";
    pub const PGUP: &str = "\x1b[5~";
    pub const PGDN: &str = "\x1b[6~";
    pub const SPACE: &str = " ";
    pub const BACKSPACE: &str = "\x7f";
    pub const CTRL_C: &str = "\x03";
    /// Clears a tui-input line (DeleteLine).
    pub const CTRL_U: &str = "\x15";
    pub const CTRL_R: &str = "\x12";
    pub const CTRL_Y: &str = "\x19";
    pub const F1: &str = "\x1bOP";
    /// A left click at 0-based (col, row), SGR mouse encoding.
    pub fn click(col: u16, row: u16) -> String {
        format!(
            "\x1b[<0;{};{}M\x1b[<0;{};{}m",
            col + 1,
            row + 1,
            col + 1,
            row + 1
        )
    }
}

pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    pub started: Instant,
    /// When the first byte arrived from the child.
    first_output: Arc<Mutex<Option<Instant>>>,
}

impl Pty {
    /// Starts `bin args…` in a `cols`×`rows` pseudo-terminal with extra `env`.
    pub fn spawn(bin: &str, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let system = native_pty_system();
        let pair = system
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        for k in [
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "BROWSER",
            "NO_COLOR",
            "RUST_LOG",
        ] {
            cmd.env_remove(k);
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("spawn the binary in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let first_output = Arc::new(Mutex::new(None));
        {
            let parser = parser.clone();
            let raw = raw.clone();
            let first_output = first_output.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut f = first_output.lock().unwrap();
                            if f.is_none() {
                                *f = Some(Instant::now());
                            }
                            drop(f);
                            parser.lock().unwrap().process(&buf[..n]);
                            raw.lock().unwrap().extend_from_slice(&buf[..n]);
                        }
                    }
                }
            });
        }
        Pty {
            child,
            master: pair.master,
            writer,
            parser,
            raw,
            started,
            first_output,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Sends raw bytes (use [`keys`] for named keys).
    pub fn send(&mut self, s: &str) {
        self.writer
            .write_all(s.as_bytes())
            .expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        // Let the program read this as its own burst (a lone ESC must not merge with the next key).
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Types text one key at a time.
    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            let mut b = [0u8; 4];
            self.writer
                .write_all(c.encode_utf8(&mut b).as_bytes())
                .expect("write");
        }
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Pastes text as a terminal does with bracketed paste on.
    pub fn paste(&mut self, s: &str) {
        self.send(&format!("\x1b[200~{s}\x1b[201~"));
    }

    /// The screen as plain text, one line per row.
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Everything the program wrote so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Time from spawning to the first byte of output.
    pub fn first_output_after(&self) -> Option<Duration> {
        self.first_output.lock().unwrap().map(|t| t - self.started)
    }

    /// Waits until `pred(screen)` holds; panics with the screen on timeout.
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.screen();
            if pred(&s) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; the screen:\n{}",
                    frame(&s)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (10 s) until the screen contains `needle`.
    pub fn wait_for(&self, needle: &str) {
        self.wait_until(&format!("{needle:?}"), Duration::from_secs(10), |s| {
            s.contains(needle)
        });
    }

    /// Waits until the screen no longer contains `needle`.
    pub fn wait_gone(&self, needle: &str) {
        self.wait_until(&format!("{needle:?} to go"), Duration::from_secs(10), |s| {
            !s.contains(needle)
        });
    }

    /// The text of the last OSC 52 clipboard copy, decoded; waits up to `timeout`.
    pub fn wait_clipboard(&self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(t) = last_osc52(&self.raw_output()) {
                return t;
            }
            if Instant::now() > deadline {
                panic!(
                    "no OSC 52 copy within {timeout:?}; the screen:\n{}",
                    frame(&self.screen())
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Resizes the terminal (the program gets SIGWINCH). The screen model is resized first, so
    /// the program's redraw for the new size lands in a screen of that size.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        std::thread::sleep(Duration::from_millis(50));
    }

    /// Waits for the program to exit; its exit code, or None on timeout.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<u32> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.exit_code());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}

/// The screen with a frame, for failure messages.
pub fn frame(s: &str) -> String {
    let mut out = String::from("┌────\n");
    for line in s.lines() {
        out.push('│');
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("└────");
    out
}

/// The text of the last `ESC ] 52 ; c ; <base64> BEL` in `raw`.
pub fn last_osc52(raw: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(raw);
    let start = text.rfind("\x1b]52;c;")? + "\x1b]52;c;".len();
    let rest = &text[start..];
    let end = rest.find(['\x07', '\x1b'])?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&rest[..end])
        .ok()?;
    String::from_utf8(bytes).ok()
}
