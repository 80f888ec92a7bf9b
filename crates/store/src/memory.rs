//! SQLite's own memory through mimalloc, the allocator the `crew` binary uses for everything
//! else, and without SQLite's memory statistics.
//!
//! By default SQLite allocates through the C library's `malloc` and counts every allocation under
//! a process-wide mutex (`SQLITE_CONFIG_MEMSTATUS`). In a 100,000-row intake, glibc's
//! `malloc`/`free` and that mutex were ~7% of the instructions (callgrind, BENCHMARKS.md,
//! "Intake"): SQLite allocates for every text it binds and every row it builds. crew reads none of
//! SQLite's statistics (`sqlite3_memory_used`, a soft heap limit), so they are turned off, as
//! SQLite's "recommended compile-time options" page suggests (`SQLITE_DEFAULT_MEMSTATUS=0`).
//!
//! Both are process-wide settings SQLite only takes before it initialises itself, that is before
//! the first connection is opened: [`use_mimalloc`] is called first thing by the `crew` binary.
//! Source: <https://sqlite.org/c3ref/config.html>, `SQLITE_CONFIG_MALLOC` and
//! `SQLITE_CONFIG_MEMSTATUS`; <https://sqlite.org/c3ref/mem_methods.html>.

use std::ffi::{c_int, c_void};

use rusqlite::ffi;

unsafe extern "C" fn x_malloc(n: c_int) -> *mut c_void {
    // SQLite never asks for a negative size; a zero-byte block is still a distinct pointer.
    unsafe { libmimalloc_sys::mi_malloc(usize::try_from(n).unwrap_or(0)) }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    unsafe { libmimalloc_sys::mi_free(p) }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    unsafe { libmimalloc_sys::mi_realloc(p, usize::try_from(n).unwrap_or(0)) }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    // SQLite's allocations are below 2^31 bytes (its limits), so the size fits.
    c_int::try_from(unsafe { libmimalloc_sys::mi_usable_size(p) }).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_roundup(n: c_int) -> c_int {
    let n = usize::try_from(n).unwrap_or(0);
    c_int::try_from(unsafe { libmimalloc_sys::mi_good_size(n) }).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

/// Routes SQLite's allocations through mimalloc and turns its memory statistics off. Call it
/// before the process opens any SQLite connection; it is a no-op (returning `false`) once SQLite
/// has initialised itself, and SQLite then keeps its defaults, which work the same, only slower.
/// Not for a process that may open connections on other threads at the same time (tests): SQLite's
/// configuration is not thread-safe.
pub fn use_mimalloc() -> bool {
    let methods = ffi::sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SQLite copies the methods before sqlite3_config returns. Each call fails with
    // SQLITE_MISUSE, changing nothing, if SQLite is already initialised.
    let malloc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &raw const methods) };
    let memstatus = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int) };
    malloc == ffi::SQLITE_OK && memstatus == ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_methods_hand_out_memory_that_mimalloc_sizes_and_frees() {
        unsafe {
            let p = x_malloc(100);
            assert!(!p.is_null());
            assert_eq!(p as usize % 8, 0, "SQLite needs 8-byte alignment");
            assert!(x_size(p) >= 100);
            std::ptr::write_bytes(p.cast::<u8>(), 7, 100);
            let q = x_realloc(p, 5000);
            assert!(!q.is_null() && x_size(q) >= 5000);
            assert_eq!(*q.cast::<u8>().add(99), 7, "realloc keeps the contents");
            x_free(q);
            assert!(x_roundup(13) >= 13 && x_roundup(0) >= 0);
            assert_eq!(x_size(std::ptr::null_mut()), 0);
        }
    }
}
