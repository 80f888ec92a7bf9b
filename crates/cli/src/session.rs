//! The login session kept on this machine: one token file per database, in the user's config
//! directory, readable by the user alone. The database keeps only the token's hash.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use crew_core::iam::SessionLifetime;
use crew_core::types::Sha256Hex;

/// How long a login session lasts, in hours, until company rules are kept in the database
/// (docs/configuration.md). Service tokens do not expire.
pub const DEFAULT_SESSION_HOURS: u32 = 12;

/// The lifetime of a new login session.
pub fn lifetime() -> Result<SessionLifetime> {
    Ok(SessionLifetime::hours(DEFAULT_SESSION_HOURS)?)
}

/// A fresh random token: `crew_` and 64 hex digits (256 bits).
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness from the system: {e}"))?;
    Ok(format!("crew_{}", hex(&bytes)))
}

/// A fresh random salt for password hashing.
pub fn new_salt() -> Result<[u8; 16]> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("no randomness from the system: {e}"))?;
    Ok(salt)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the session for `db` lives: `$XDG_CONFIG_HOME/crew/sessions/<hash of the db path>`.
fn path_for(db: &Path) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "crew")
        .ok_or_else(|| anyhow!("cannot find your home directory to keep the session in"))?;
    let canonical = fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    let key = Sha256Hex::of(canonical.to_string_lossy().as_bytes());
    Ok(dirs.config_dir().join("sessions").join(&key.as_str()[..32]))
}

pub fn save(db: &Path, token: &str) -> Result<PathBuf> {
    let path = path_for(db)?;
    let dir = path.parent().expect("session path has a parent");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    let tmp = path.with_extension("tmp");
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    writeln!(f, "{token}")?;
    f.sync_all()?;
    fs::rename(&tmp, &path)?;
    Ok(path)
}

pub fn load(db: &Path) -> Result<Option<String>> {
    let path = path_for(db)?;
    match fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s.trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

pub fn forget(db: &Path) -> Result<()> {
    let path = path_for(db)?;
    match fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
