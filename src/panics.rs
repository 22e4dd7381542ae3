//! Panics inside third-party parsers are caught where they are called (a malformed document is an
//! error, not a crash); this keeps their message off the user's terminal. The binary installs
//! [`install_hook`]; the library marks the calls with [`quietly`].

use std::cell::Cell;

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with panic messages suppressed on this thread (the caller catches the unwind).
pub fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let before = QUIET.with(|q| q.replace(true));
    let out = f();
    QUIET.with(|q| q.set(before));
    out
}

/// Runs `f` with a panic caught and its message kept quiet: `None` if it panicked.
pub fn caught<T>(f: impl FnOnce() -> T) -> Option<T> {
    quietly(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok())
}

/// Installs a panic hook that stays silent inside [`quietly`]. Elsewhere a panic is a bug in
/// citecheck: it is told in one line on stderr (what and where, cleaned for the terminal), not as
/// a backtrace, unless `RUST_BACKTRACE` asks for the standard report.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    let standard = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    std::panic::set_hook(Box::new(move |info| {
        if QUIET.with(Cell::get) {
            return;
        }
        if standard {
            return previous(info);
        }
        let payload = info.payload();
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic");
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "citecheck: internal error: {}{place} (a bug: please report it)",
            crate::sanitize::line(what)
        );
    }));
}
