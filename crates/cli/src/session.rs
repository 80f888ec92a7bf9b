//! The login session kept on this machine: one token file per database, in the user's config
//! directory, readable by the user alone. The database keeps only the token's hash.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use crew_core::types::Sha256Hex;

use crate::files;

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

/// Where the session for `db` lives: `$XDG_CONFIG_HOME/crew/sessions/<hash of the db path>`; for
/// a database on a server, of where it is (user, host, port, database, schema), however the URL
/// spells it.
fn path_for(db: &Path) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "crew")
        .ok_or_else(|| anyhow!("cannot find your home directory to keep the session in"))?;
    let canonical = match db.to_str().filter(|d| crew_store::is_postgres_url(d)) {
        Some(url) => PathBuf::from(crew_store::PostgresTarget::parse(url)?.shown()),
        None => fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf()),
    };
    let key = Sha256Hex::of(canonical.to_string_lossy().as_bytes());
    Ok(dirs.config_dir().join("sessions").join(&key.as_str()[..32]))
}

/// Keeps the token in its private file (folders 0700, the file 0600, written whole).
pub fn save(db: &Path, token: &str) -> Result<PathBuf> {
    let path = path_for(db)?;
    let dir = path.parent().expect("session path has a parent");
    files::create_private_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A sessions folder made by an older crew (or by hand) is made private too: it holds secrets.
    fs::set_permissions(dir, fs::Permissions::from_mode(files::PRIVATE_DIR_MODE))
        .with_context(|| format!("cannot make {} private", dir.display()))?;
    let name = path.file_name().expect("session path has a name").to_string_lossy();
    files::write_private_atomically(dir, &name, format!("{token}\n").as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// A session file is one token; anything longer is not one.
const MAX_SESSION_BYTES: u64 = 4096;

pub fn load(db: &Path) -> Result<Option<String>> {
    let path = path_for(db)?;
    match fs::metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(anyhow!("{} is not a session file; remove it and log in again", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
    let file = fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut text = String::new();
    file.take(MAX_SESSION_BYTES)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Some(text.trim().to_string()))
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
