//! `crew init`, `login`, `logout`, `whoami`: top-level commands, one file each.

pub mod init;
pub mod login;
pub mod logout;
pub mod whoami;
