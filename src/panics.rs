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

/// Installs a panic hook that stays silent inside [`quietly`] and otherwise behaves as before.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.with(Cell::get) {
            previous(info);
        }
    }));
}
