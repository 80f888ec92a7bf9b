//! The files crew reads and writes: what a user names is read with limits (regular files only,
//! the kind checked first, the size capped), what crew writes is private (folders 0700, files
//! 0600) and appears whole or not at all; interchange files (DESIGN.md §6) become raw records;
//! photos are kept in the media folder.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use crew_core::error::Error;
use crew_core::hiring::pipeline::{REFUSED_NAMED, Rejected};
use crew_core::imports::{Fields, RawRecord, check_columns};
use crew_core::ordering::Photo;
use crew_core::types::Sha256Hex;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// How much crew reads from what a user gives it: each file a command names, and standard input.
/// A larger file is refused before it is read, naming the limit; a file that grows while being
/// read is still cut off at the limit. Plain values, passed to the reading functions, so they can
/// come from wherever the company keeps its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Client, worker and applicant files (`crew import`, `crew hiring import`): 256 MiB.
    pub import_bytes: u64,
    /// Small documents: test and answer files, `staff.toml`, `service-types.toml`: 4 MiB.
    pub document_bytes: u64,
    /// One check-in or completion photo: 20 MiB.
    pub photo_bytes: u64,
    /// The configuration file: 1 MiB.
    pub config_bytes: u64,
    /// A password or activation secret on standard input: 64 KiB.
    pub stdin_bytes: u64,
}

impl Limits {
    /// The documented defaults (docs/formats.md, "Limits").
    pub const DEFAULT: Limits = Limits {
        import_bytes: 256 * MIB,
        document_bytes: 4 * MIB,
        photo_bytes: 20 * MIB,
        config_bytes: MIB,
        stdin_bytes: 64 * KIB,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// What a file a user names is for: its limit, the kinds accepted, the words in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `.csv`, `.json`, `.jsonl`, `.ndjson` interchange files.
    Import,
    /// `.toml` (or `.json`) documents.
    Document,
    /// Photos (their kind is read from their first bytes).
    Photo,
    /// The configuration file.
    Config,
}

impl Input {
    fn limit(self, limits: &Limits) -> u64 {
        match self {
            Input::Import => limits.import_bytes,
            Input::Document => limits.document_bytes,
            Input::Photo => limits.photo_bytes,
            Input::Config => limits.config_bytes,
        }
    }

    /// "the limit for imports is 256 MiB".
    fn plural(self) -> &'static str {
        match self {
            Input::Import => "imports",
            Input::Document => "documents",
            Input::Photo => "photos",
            Input::Config => "configuration files",
        }
    }

    /// What the file is called in front of its path ("photo door.jpg").
    fn prefix(self) -> &'static str {
        match self {
            Input::Photo => "photo ",
            Input::Config => "configuration file ",
            Input::Import | Input::Document => "",
        }
    }

    /// The extensions accepted, with the advice when another is given; `None` accepts any name.
    fn extensions(self) -> Option<(&'static [&'static str], &'static str)> {
        match self {
            Input::Import => Some((&["csv", "json", "jsonl", "ndjson"], "use .csv, .json or .jsonl")),
            Input::Document => Some((&["toml", "json"], "use .toml or .json")),
            Input::Photo | Input::Config => None,
        }
    }
}

/// "4.2 GiB", "256 MiB", "900 bytes".
pub fn human_bytes(n: u64) -> String {
    let units = [("GiB", 1024 * MIB), ("MiB", MIB), ("KiB", KIB)];
    for (unit, size) in units {
        if n >= size {
            return if n.is_multiple_of(size) {
                format!("{} {unit}", n / size)
            } else {
                format!("{:.1} {unit}", n as f64 / size as f64)
            };
        }
    }
    format!("{n} bytes")
}

fn too_big(path: &Path, input: Input, size: Option<u64>, limit: u64) -> anyhow::Error {
    let size = match size {
        Some(size) => format!("is {}", human_bytes(size)),
        None => format!("grew past {} while being read", human_bytes(limit)),
    };
    Error::bad_input(format!(
        "{}{} {size}; the limit for {} is {}",
        input.prefix(),
        path.display(),
        input.plural(),
        human_bytes(limit)
    ))
    .into()
}

/// What a non-regular file is, for "… is a FIFO (named pipe), not a regular file".
pub(crate) fn kind_of(t: &fs::FileType) -> &'static str {
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Why a file or folder the user named (`shown`) cannot be read: "not found" (exit 4, as anything
/// else named that is not there) when it is not there, bad input (exit 2) otherwise.
pub fn cannot_read(shown: impl std::fmt::Display, e: &std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::not_found(format!("cannot read {shown}: it does not exist")),
        _ => Error::bad_input(format!("cannot read {shown}: {e}")),
    }
}

/// Opens a file the user named for reading, refusing at once (never blocking) anything but a
/// regular file: a FIFO, a device such as /dev/zero, a folder. Returns the file and its size.
fn open_regular(path: &Path, input: Input) -> Result<(fs::File, u64)> {
    let unreadable = |e: std::io::Error| -> anyhow::Error {
        cannot_read(format_args!("{}{}", input.prefix(), path.display()), &e).into()
    };
    let not_regular = |t: &fs::FileType| -> anyhow::Error {
        Error::bad_input(format!(
            "{}{} is {}, not a regular file: crew reads only regular files",
            input.prefix(),
            path.display(),
            kind_of(t)
        ))
        .into()
    };
    let meta = fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    // Non-blocking, so a FIFO swapped in after the check above cannot make the open wait for a
    // writer; the check is repeated on what was actually opened.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    Ok((file, meta.len()))
}

/// Reads at most `limit` bytes after `head`; more is an error naming the limit.
fn read_capped(path: &Path, input: Input, file: fs::File, mut head: Vec<u8>, limit: u64) -> Result<Vec<u8>> {
    let rest = limit.saturating_sub(head.len() as u64);
    file.take(rest + 1)
        .read_to_end(&mut head)
        .map_err(|e| Error::bad_input(format!("cannot read {}{}: {e}", input.prefix(), path.display())))?;
    if head.len() as u64 > limit {
        return Err(too_big(path, input, None, limit));
    }
    Ok(head)
}

/// Reads a file the user named, as `input` allows: the kind (extension) is checked first, then that
/// it is a regular file, then its size; the read itself stops at the limit. Every refusal is a
/// bad-input error (exit 2) naming the path.
pub fn read_input(path: &Path, input: Input, limits: &Limits) -> Result<Vec<u8>> {
    if let Some((extensions, advice)) = input.extensions() {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
        if !extensions.contains(&ext.as_str()) {
            return Err(Error::bad_input(format!("{}: unknown file type: {advice}", path.display())).into());
        }
    }
    let limit = input.limit(limits);
    let (file, size) = open_regular(path, input)?;
    if size > limit {
        return Err(too_big(path, input, Some(size), limit));
    }
    // Room for the whole file at once: a buffer doubled as it fills holds up to twice the file
    // (fresh memory is most of what a large intake costs, BENCHMARKS.md "Intake").
    let room = usize::try_from(size.min(limit)).unwrap_or(0).saturating_add(1);
    read_capped(path, input, file, Vec::with_capacity(room), limit)
}

/// Reads standard input (a password, a secret) up to `limit` bytes; more is refused.
pub fn read_stdin(what: &str, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(Error::bad_input(format!("{what} on standard input is longer than {}", human_bytes(limit))).into());
    }
    Ok(bytes)
}

/// The mode of every folder crew creates (mail, media, sessions, exports): its owner's alone.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of every file crew writes (mail, photos, sessions, exports).
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` and any missing parents with mode 0700, whatever the umask. Folders that exist
/// already are left as they are.
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent()
        && !parent.as_os_str().is_empty()
    {
        create_private_dir_all(parent)?;
    }
    match fs::DirBuilder::new().mode(PRIVATE_DIR_MODE).create(dir) {
        // The mode given at creation is masked by the umask; set it exactly.
        Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(PRIVATE_DIR_MODE)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Refuses to write over `path` unless nothing is there or it is a regular file: a device
/// (`/dev/full`), a FIFO, a socket, a folder or a symbolic link (never followed, never replaced)
/// is a bad-input error (exit 2) naming the path and what it is. Every file crew writes or moves
/// into place goes through this check (see [`write_private_atomically`]).
pub fn check_replaceable(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => Ok(()),
        Ok(meta) => Err(Error::bad_input(format!(
            "{} is {}, not a regular file: crew writes only new or regular files and leaves this one as it is",
            path.display(),
            kind_of(&meta.file_type())
        ))
        .into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::internal(format!("cannot look at {}: {e}", path.display())).into()),
    }
}

/// Writes `bytes` to `dir/name` so that the file appears whole or not at all, readable by its
/// owner alone: a private temporary file in the same folder, flushed to disk, renamed over
/// `name` (atomically replacing an earlier regular file), and the folder flushed so the rename
/// lasts. A crash leaves at most a hidden `.name.….tmp` ([`remove_stale_temporaries`] clears
/// those).
///
/// Errors: something at `dir/name` that is not a regular file (a device, FIFO, folder, socket or
/// symbolic link) is refused untouched with a bad-input error (exit 2, [`check_replaceable`]);
/// a failing write is an internal error (exit 1) naming the path.
pub fn write_private_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let target = dir.join(name);
    check_replaceable(&target)?;
    let tmp = dir.join(format!(".{name}.{}.{}{TEMPORARY}", std::process::id(), random_suffix()));
    let written = (|| {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(PRIVATE_FILE_MODE).open(&tmp)?;
        f.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)?;
        fs::File::open(dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::internal(format!("cannot write {}: {e}", target.display())).into());
    }
    Ok(target)
}

/// The ending of [`write_private_atomically`]'s temporary files.
const TEMPORARY: &str = ".tmp";

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes = (nanos.as_nanos() as u64).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes the temporary files a killed writer left in `dir` (hidden, ending in `.tmp`, older than
/// `age`, so a write in progress in another process is left alone).
pub fn remove_stale_temporaries(dir: &Path, age: Duration) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(TEMPORARY)) {
            continue;
        }
        let old = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        if old.is_some_and(|elapsed| elapsed > age) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The fields a file may hold: those it must, those it may, and which of them are numbers (JSON
/// may give those as numbers; every other field must be a string).
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    pub required: &'a [&'a str],
    pub optional: &'a [&'a str],
    pub numeric: &'a [&'a str],
}

/// Reads a CSV (`.csv`), JSON array (`.json`) or JSON Lines (`.jsonl`, `.ndjson`) file into records,
/// refusing unknown and missing columns and JSON values of the wrong type, and files over the
/// import limit. Errors name the file, and the line or item.
pub fn read_records(path: &Path, columns: Columns<'_>, limits: &Limits) -> Result<Vec<RawRecord>> {
    let Columns { required, optional, .. } = columns;
    let bytes = read_input(path, Input::Import, limits)?;
    let text = String::from_utf8(bytes).map_err(|e| not_utf8(path, &e))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    let records = match ext.as_str() {
        "csv" => read_csv(text, required, optional),
        "json" if !text.trim_start().starts_with('{') => read_json_array(text, columns.numeric),
        "json" | "jsonl" | "ndjson" => read_json_lines(text, columns.numeric),
        _ => Err(Error::bad_input("unknown file type: use .csv, .json or .jsonl")),
    }
    .map_err(|e| e.context(path.display()))?;
    for r in &records {
        check_columns(r.fields.keys().map(String::as_str), required, optional)
            .map_err(|e| e.context(&r.location).context(path.display()))?;
    }
    Ok(records)
}

/// A file that is not UTF-8, refused whole (a file saved in another encoding would otherwise
/// come in partly, its other rows garbled or missing), naming the line and byte where it stops
/// being UTF-8.
fn not_utf8(path: &Path, e: &std::string::FromUtf8Error) -> anyhow::Error {
    file_error(path, utf8_problem(e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// Where in `bytes` the text stops being UTF-8 (at byte `valid_up_to`), said by line and byte.
fn utf8_problem(bytes: &[u8], valid_up_to: usize) -> String {
    let before = &bytes[..valid_up_to.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    format!("line {line}: not UTF-8 text (byte {column} of the line); save the file as UTF-8")
}

fn file_error(path: &Path, message: String) -> anyhow::Error {
    Error::bad_input(format!("{}: {message}", path.display())).into()
}

fn read_csv(text: &str, required: &[&str], optional: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    csv_rows(text, required, optional)?
        .into_iter()
        .map(|(location, row)| row.map_err(|e| e.context(location)))
        .collect()
}

/// Every record of a CSV text after its header: where it starts, as people count lines, and the
/// record or why it could not be read. A bad header fails the whole text.
///
/// The line is the physical line the record starts on, counted from the text itself, so it is
/// right for Unix (`\n`), Windows (`\r\n`) and old Mac (`\r`) line endings, and after quoted
/// fields that span lines.
fn csv_rows(
    text: &str,
    required: &[&str],
    optional: &[&str],
) -> crew_core::Result<Vec<(String, crew_core::Result<RawRecord>)>> {
    let add = |rows: &mut Vec<_>, row: CsvRow| {
        rows.push(match row {
            Ok(r) => (r.location.clone(), Ok(r)),
            Err((location, e)) => (location, Err(e)),
        });
        true
    };
    Ok(csv_rows_in_pieces(text, required, optional, 1, &|_| Vec::new(), &add)?.into_iter().flatten().collect())
}

/// A row of a CSV file as its reader gives it: the record (which knows where it is), or where
/// the row is and why it could not be read.
pub type CsvRow = std::result::Result<RawRecord, (String, Error)>;

/// A CSV file smaller than this is read in one piece: a thread costs more than it saves.
pub const PIECE_BYTES: usize = 256 * 1024;

/// A CSV file's rows (after its header, which is checked first), read in up to `parts` pieces on
/// as many threads, split where a record ends; each piece's rows, in order, are added by `add`
/// to the piece's own accumulator (made by `start`) on the piece's thread, one row at a time as
/// it is read (a row need not be kept: a 100,000-row intake never holds its records at once).
/// Every piece is read by its own reader given the file's header line first, so a row with the
/// wrong number of fields is measured against the header as in one piece, and its byte positions
/// are mapped back onto the whole file for the line numbers. `start` is given how many rows to
/// make room for ([`room_for_rows`] of the piece).
/// Returns the accumulators in the file's order.
fn csv_rows_in_pieces<A: Send>(
    text: &str,
    required: &[&str],
    optional: &[&str],
    parts: usize,
    start: &(dyn Fn(usize) -> A + Sync),
    add: &(dyn Fn(&mut A, CsvRow) -> bool + Sync),
) -> crew_core::Result<Vec<A>> {
    let (headers, header_end) = csv_header(text, required, optional)?;
    // Every row shares the header's names; its values are copied once, into one string.
    let headers = std::sync::Arc::new(headers);
    let bounds = piece_bounds(text, header_end, parts);
    let piece = |i: usize| {
        let mut acc = start(room_for_rows(&text.as_bytes()[bounds[i]..bounds[i + 1]]));
        csv_piece(text, header_end, bounds[i], bounds[i + 1], &headers, required, optional, &mut |_, row| {
            add(&mut acc, row)
        })
        .map(|()| acc)
    };
    if bounds.len() == 2 {
        return Ok(vec![piece(0)?]);
    }
    std::thread::scope(|scope| {
        let piece = &piece;
        let others: Vec<_> = (1..bounds.len() - 1).map(|i| scope.spawn(move || piece(i))).collect();
        let mut results = vec![piece(0)];
        // A piece's thread only reads text and builds values: it cannot panic but by a bug.
        results.extend(others.into_iter().map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))));
        results.into_iter().collect()
    })
}

/// The most rows [`room_for_rows`] makes room for up front: a list or map may grow past it,
/// but never reserves more on a file's word (a file of blank lines has millions of lines and no
/// row; reserving for each was gigabytes, and an abort where memory is limited).
pub const ROOM_AT_MOST: usize = 1 << 18;

/// How many rows to make room for, up front, to keep the records of `bytes`: its lines, counting
/// `\n` line breaks (or `\r` ones in a file without any `\n`, an old Mac's) and the last line
/// without one — as many records as it can hold, unless line endings are mixed — but at most
/// [`ROOM_AT_MOST`]. A hint: room, not a limit.
pub fn room_for_rows(bytes: &[u8]) -> usize {
    let count = |end: u8| bytes.iter().filter(|b| **b == end).count();
    match count(b'\n') {
        0 => count(b'\r'),
        n => n,
    }
    .saturating_add(1)
    .min(ROOM_AT_MOST)
}

/// A CSV text's header line, checked (the columns known, the required ones there, none twice):
/// its column names, lower-cased, and where it ends (a byte of `text`).
fn csv_header(text: &str, required: &[&str], optional: &[&str]) -> crew_core::Result<(Vec<String>, usize)> {
    let mut reader = csv_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| match oversized(&e) {
            // Read ahead into the rows: the record may be any of the first few.
            Some(o) => {
                refused_as_oversized(o, LineCounter::starting_at(text, 0).at(record_start(text.as_bytes(), o.start)))
            }
            None => Error::bad_input(format!("line 1: {e}")),
        })?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    // The first line that is not empty (the reader skips those): nothing, or only spaces.
    let first = text.trim_start_matches(['\r', '\n']).split(['\r', '\n']).next().unwrap_or_default();
    if first.trim().is_empty() {
        return Err(Error::bad_input(if text.trim().is_empty() {
            "the file is empty: a CSV file starts with a header line naming its columns".to_string()
        } else {
            format!(
                "line {}: a blank line where the header should be: a CSV file starts with a header line naming \
                 its columns",
                LineCounter::starting_at(text, 0).at(0)
            )
        }));
    }
    check_columns(headers.iter().map(String::as_str), required, optional).map_err(|e| e.context("line 1"))?;
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = headers.iter().find(|h| !seen.insert(*h)) {
        return Err(Error::bad_input(format!("line 1: column `{dup}` appears twice")));
    }
    // Where the header's record ended: every piece's reader reads the header from here first.
    let header_end = usize::try_from(reader.position().byte()).unwrap_or(text.len()).min(text.len());
    Ok((headers, header_end))
}

/// How many rows a chunk of a streamed CSV file holds ([`stream_csv_rows`]).
const CHUNK_ROWS: usize = 1024;

/// How many chunks the reading thread of [`stream_csv_rows`] may be ahead of the taking one
/// (about 16,000 rows: memory stays small however large the file).
const CHUNKS_AHEAD: usize = 16;

/// A row of a streamed CSV file ([`stream_csv_rows`]): where its record starts (a byte of the
/// text, as [`scan_csv_column`] numbers them), and what `each` made of it.
pub type Streamed<T> = (u64, T);

/// The rows of a CSV text (its header checked first, as [`map_text_lenient`] checks it), read
/// and each given to `each` (the record, or where the row is, `line N`, and why it could not be
/// read) on a thread of their own while `take` takes what `each` made of them on this one: in
/// chunks of [`CHUNK_ROWS`], in the file's order, the reading thread at most [`CHUNKS_AHEAD`]
/// chunks ahead. The rows, their line numbers and reasons are those [`map_text_lenient`]
/// gives. Once `take` returns, the reading stops. If the reading thread stops before the end of
/// the text (a bug), `take`'s iterator gives an internal error instead of ending, so that a
/// transaction fed by it fails rather than keep part of the file; the thread's panic is then
/// raised here.
pub fn stream_csv_rows<T: Send, R>(
    text: &str,
    required: &[&str],
    optional: &[&str],
    each: impl Fn(CsvRow) -> T + Sync,
    take: impl FnOnce(&mut dyn Iterator<Item = crew_core::Result<Vec<Streamed<T>>>>) -> R,
) -> crew_core::Result<R> {
    let (headers, header_end) = csv_header(text, required, optional)?;
    let headers = std::sync::Arc::new(headers);
    // `None` after the last chunk: a channel closed without it means the reader stopped early.
    // A file that cannot be read to its end (a quote never closed) ends with an error instead.
    type Chunk<T> = Option<crew_core::Result<Vec<Streamed<T>>>>;
    let (send, receive) = std::sync::mpsc::sync_channel::<Chunk<T>>(CHUNKS_AHEAD);
    Ok(std::thread::scope(|scope| {
        let (each, headers) = (&each, &headers);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            let mut open = true;
            let read =
                csv_piece(text, header_end, header_end, text.len(), headers, required, optional, &mut |at, row| {
                    chunk.push((at, each(row)));
                    if chunk.len() == CHUNK_ROWS {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROWS));
                        open = send.send(Some(Ok(full))).is_ok();
                    }
                    open
                });
            if !open {
                return;
            }
            match read {
                Err(e) => {
                    let _ = send.send(Some(Err(e)));
                }
                Ok(()) if chunk.is_empty() || send.send(Some(Ok(chunk))).is_ok() => {
                    let _ = send.send(None);
                }
                Ok(()) => {}
            }
        });
        let mut chunks = Chunks { receive, ended: false };
        take(&mut chunks)
    }))
}

/// The chunks of [`stream_csv_rows`] as they arrive.
struct Chunks<T> {
    receive: std::sync::mpsc::Receiver<Option<crew_core::Result<Vec<T>>>>,
    ended: bool,
}

impl<T> Iterator for Chunks<T> {
    type Item = crew_core::Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        match self.receive.recv() {
            Ok(Some(Ok(chunk))) => Some(Ok(chunk)),
            Ok(Some(Err(e))) => {
                self.ended = true;
                Some(Err(e))
            }
            Ok(None) => {
                self.ended = true;
                None
            }
            Err(_) => {
                self.ended = true;
                Some(Err(Error::internal("the file's reader stopped before the end of the file")))
            }
        }
    }
}

/// Every row of a CSV text after its header line, as [`stream_csv_rows`] gives them (blank rows
/// skipped, unreadable ones included), in order, without parsing them: where its record starts
/// and the value of its `column` (untrimmed; `None` when the row cannot be read, has no such
/// column, or the file has no such column). A first pass over a large file, a fraction of the
/// work of reading its rows (no trimming, no copies). In one piece: the reference
/// [`scan_csv_column_in_pieces`] is tested against.
#[cfg(test)]
pub fn scan_csv_column(text: &str, column: &str, mut each: impl FnMut(u64, Option<&str>)) {
    if let Some((index, header_end)) = column_of(text, column) {
        scan_piece(text, header_end, header_end, text.len(), index, &mut each);
    }
}

/// [`scan_csv_column`] in up to `parts` pieces, each read on a thread of its own (split where
/// records end, as [`map_text_lenient`] splits a file), each piece's rows given in order to
/// `each` with the piece's own accumulator (made by `start`, given how many rows to make room
/// for). Returns the accumulators in the file's order: their rows, one after the other, are
/// [`scan_csv_column`]'s.
pub fn scan_csv_column_in_pieces<A: Send>(
    text: &str,
    column: &str,
    parts: usize,
    start: &(dyn Fn(usize) -> A + Sync),
    each: &(dyn Fn(&mut A, u64, Option<&str>) + Sync),
) -> Vec<A> {
    let Some((index, header_end)) = column_of(text, column) else { return vec![start(0)] };
    let bounds = piece_bounds(text, header_end, parts);
    let piece = |i: usize| {
        let mut acc = start(room_for_rows(&text.as_bytes()[bounds[i]..bounds[i + 1]]));
        scan_piece(text, header_end, bounds[i], bounds[i + 1], index, &mut |at, value| each(&mut acc, at, value));
        acc
    };
    if bounds.len() == 2 {
        return vec![piece(0)];
    }
    std::thread::scope(|scope| {
        let piece = &piece;
        let others: Vec<_> = (1..bounds.len() - 1).map(|i| scope.spawn(move || piece(i))).collect();
        let mut results = vec![piece(0)];
        // A piece's thread only reads text: it cannot fail but by a bug, raised here.
        results.extend(others.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))));
        results
    })
}

/// Where `column` is among the header's fields (case and spaces aside; `None` in the pair if it
/// is not there) and where the header's record ends; `None` if the header cannot be read.
fn column_of(text: &str, column: &str) -> Option<(Option<usize>, usize)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let index = reader.headers().ok()?.iter().position(|h| h.trim().to_lowercase() == column);
    let header_end = usize::try_from(reader.position().byte()).unwrap_or(text.len()).min(text.len());
    Some((index, header_end))
}

/// Where a file's body is cut into up to `parts` pieces: `header_end`, each cut just after a
/// record's line break near an equal share of the body, and the end of `text`.
fn piece_bounds(text: &str, header_end: usize, parts: usize) -> Vec<usize> {
    let mut bounds = vec![header_end];
    if parts > 1 {
        let body = text.len() - header_end;
        let mut from = header_end;
        for k in 1..parts {
            let target = (header_end + body / parts * k).max(from);
            match record_end_after(text.as_bytes(), from, target) {
                Some(end) if end < text.len() => {
                    bounds.push(end);
                    from = end;
                }
                _ => break,
            }
        }
    }
    bounds.push(text.len());
    bounds
}

/// [`scan_csv_column`] of the records of `text[start..end]` (whole records after the header,
/// which ends at `header_end`), read as if they followed the header directly; places are bytes
/// of `text`.
fn scan_piece(
    text: &str,
    header_end: usize,
    start: usize,
    end: usize,
    index: Option<usize>,
    each: &mut dyn FnMut(u64, Option<&str>),
) {
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(Bounded::new(bytes[..header_end].chain(&bytes[start..end])));
    // The rows' reader refuses a file with a record too large; nothing after it is read.
    if reader.byte_headers().is_err_and(|e| oversized(&e).is_some()) {
        return;
    }
    // A byte of the reader's input (the header, then the piece) as a byte of `text`.
    let in_text = |byte: u64| {
        let byte = usize::try_from(byte).unwrap_or(usize::MAX);
        (if byte < header_end { byte } else { start.saturating_add(byte - header_end) }) as u64
    };
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let field = |i: usize| record.get(i).and_then(|f| std::str::from_utf8(f).ok());
                // Blank as the rows' reader trims it: every field only whitespace.
                if (0..record.len()).all(|i| field(i).is_none_or(|f| f.trim().is_empty())) {
                    continue;
                }
                let value = index.and_then(field).map(unify_line_breaks);
                each(record_start(bytes, in_text(record.position().map_or(0, csv::Position::byte))), value.as_deref());
            }
            // The rows' reader refuses the file there; nothing after it is read.
            Err(e) if oversized(&e).is_some() => break,
            Err(e) => {
                let at = record_start(bytes, in_text(e.position().map_or(0, csv::Position::byte)));
                if !blank_line(bytes, at, &e) {
                    each(at, None);
                }
            }
        }
    }
}

/// Where the record the csv reader placed at `byte` of `text` starts: its first byte. The reader
/// places a record where it stopped reading the one before, which may be on that one's line break
/// (after the `\r` of a `\r\n`) or before empty lines; so a file read in pieces would place a
/// record after empty lines at a cut elsewhere than the file read whole. Its first byte is the
/// same however the file is cut.
fn record_start(text: &[u8], byte: u64) -> u64 {
    let from = usize::try_from(byte).unwrap_or(usize::MAX);
    let breaks = text.get(from..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
    byte + breaks as u64
}

/// Whether the csv reader's `error` is about a line (starting at byte `at` of `text`) that holds
/// only spaces and tabs: short of the header's fields only because it is blank, it is skipped as
/// an empty line is (docs/formats.md: blank lines are skipped).
fn blank_line(text: &[u8], at: u64, error: &csv::Error) -> bool {
    let start = usize::try_from(at).unwrap_or(usize::MAX);
    // The reader may place a record on the line break before it (after the `\r` of a `\r\n`),
    // and empty lines before a record are no records: the record's line is the first after them.
    let line = text.get(start..).unwrap_or_default().iter().skip_while(|b| matches!(b, b'\n' | b'\r'));
    matches!(error.kind(), csv::ErrorKind::UnequalLengths { .. })
        && line.take_while(|b| !matches!(b, b'\n' | b'\r')).all(|b| matches!(b, b' ' | b'\t'))
}

/// A quoted field's line breaks as one `\n` each, whatever the file's line ends (`\r\n`, or an
/// old Mac's lone `\r`): docs/formats.md. Fields without a carriage return are left as they are.
fn unify_line_breaks(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains('\r') {
        std::borrow::Cow::Owned(field.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// The reader crew reads every CSV file with: a header line, fields trimmed, every record
/// within [`MOST_FIELDS`] and [`MOST_RECORD_BYTES`] ([`Bounded`]).
fn csv_reader<R: std::io::Read>(input: R) -> csv::Reader<Bounded<R>> {
    csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).from_reader(Bounded::new(input))
}

/// The most fields a CSV record (the header or a row) may have. A spreadsheet export of crew's
/// files has a dozen; the csv reader keeps a place for every field of a record it reads, so a
/// row of 100,000,000 commas (a 100 MB file) took 4 GB before it could be refused for its field
/// count (docs/formats.md).
pub const MOST_FIELDS: usize = 1_000;

/// The longest a CSV record (its quoted line breaks included) may be: 1 MiB. The csv reader holds
/// a whole record, so one quoted field that never ends before the end of a 250 MB file took
/// 1.2 GB.
pub const MOST_RECORD_BYTES: usize = 1 << 20;

/// A record over [`MOST_FIELDS`] or [`MOST_RECORD_BYTES`]: where it starts, as a byte of the csv
/// reader's input, and what is wrong with it. Carried by the I/O error [`Bounded`] fails with.
#[derive(Debug)]
struct Oversized {
    start: u64,
    reason: &'static str,
}

impl std::fmt::Display for Oversized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for Oversized {}

/// The error a CSV file with an [`Oversized`] record at `line` is refused with.
fn refused_as_oversized(o: &Oversized, line: u64) -> Error {
    Error::bad_input(format!(
        "line {line}: {o}: the file is refused (no record of crew's files comes near; docs/formats.md)"
    ))
}

/// A byte of a piece's reader's input (the header, which ends at `header_end`, then the piece
/// from `start`) as a byte of the whole text.
fn in_reader_to_text(byte: u64, header_end: usize, start: usize) -> u64 {
    let byte = usize::try_from(byte).unwrap_or(usize::MAX);
    (if byte < header_end { byte } else { start.saturating_add(byte - header_end) }) as u64
}

/// The record an error of the csv reader stopped at for being too large, if that is what it is.
fn oversized(e: &csv::Error) -> Option<&Oversized> {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<Oversized>()),
        _ => None,
    }
}

/// A CSV reader's input, checked record by record before the reader sees it: a record of more
/// than [`MOST_FIELDS`] fields or [`MOST_RECORD_BYTES`] bytes fails the read with an I/O error
/// carrying [`Oversized`], so the reader never holds more of a record than that. Records are cut
/// by the csv reader's own rules ([`CsvScan`]).
struct Bounded<R> {
    inner: R,
    scan: CsvScan,
    /// Where the current record starts (a byte of the input), and its commas outside quotes so far.
    record: u64,
    commas: usize,
    /// Bytes handed to the reader so far.
    offset: u64,
    /// The record that was too large: every read after it fails the same way (its bytes are
    /// gone from the input).
    failed: Option<(u64, &'static str)>,
}

#[derive(Clone, Copy, PartialEq)]
enum CsvAt {
    /// The next byte is a field's first.
    FieldStart,
    /// In a field that is not quoted (or whose quotes have closed).
    Unquoted,
    Quoted,
    /// Just after a `"` inside a quoted field: another `"` makes it a quote, anything else means
    /// it closed the quotes.
    QuoteInQuoted,
}

/// Where a CSV text's records end, by the csv reader's rules: a `"` opens a quoted field only as
/// a field's first byte; inside one, `""` is a quote and commas and line breaks are text;
/// outside, a `,` ends a field and each of `\r` and `\n` a record (so `\r\n` ends one and then
/// an empty one, which the reader skips as it skips blank lines). Outside quotes only the next
/// `"`, `\n` or `\r` is searched for (a `"` opens quotes if a `,` is just before it) and the
/// commas on the way are counted in bulk; inside quotes only the next `"` (memchr): a check of
/// every byte was 13 to 25 instructions a byte. Bytes may come in pieces: the scan carries on.
#[derive(Clone, Copy)]
struct CsvScan {
    at: CsvAt,
    /// Where (an index of the bytes scanned) the last quoted field opened.
    opened: usize,
}

impl CsvScan {
    /// A scan from the start of a record.
    fn new() -> Self {
        CsvScan { at: CsvAt::FieldStart, opened: 0 }
    }

    /// The next `\n` or `\r` outside quotes in `bytes[i..]`, as an index of `bytes`, adding the
    /// commas outside quotes before it to `commas`; `None` when there is none (the commas to the
    /// end counted, the scan standing at the end of `bytes`).
    fn next_line_break(&mut self, bytes: &[u8], mut i: usize, commas: &mut usize) -> Option<usize> {
        let count = |part: &[u8]| part.iter().filter(|&&b| b == b',').count();
        while i < bytes.len() {
            match self.at {
                CsvAt::FieldStart | CsvAt::QuoteInQuoted if bytes[i] == b'"' => {
                    if self.at == CsvAt::FieldStart {
                        self.opened = i;
                    }
                    self.at = CsvAt::Quoted;
                    i += 1;
                }
                CsvAt::FieldStart | CsvAt::QuoteInQuoted => self.at = CsvAt::Unquoted,
                CsvAt::Quoted => match memchr::memchr(b'"', &bytes[i..]) {
                    Some(k) => {
                        self.at = CsvAt::QuoteInQuoted;
                        i += k + 1;
                    }
                    None => return None,
                },
                CsvAt::Unquoted => {
                    let Some(k) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[i..]).map(|k| i + k) else {
                        *commas += count(&bytes[i..]);
                        // A field may start with the next piece's first byte.
                        if bytes.last() == Some(&b',') {
                            self.at = CsvAt::FieldStart;
                        }
                        return None;
                    };
                    *commas += count(&bytes[i..k]);
                    if bytes[k] != b'"' {
                        self.at = CsvAt::FieldStart;
                        return Some(k);
                    }
                    // A quote opens a quoted field right after a comma; elsewhere it is text.
                    if k > i && bytes[k - 1] == b',' {
                        (self.at, self.opened) = (CsvAt::Quoted, k);
                    }
                    i = k + 1;
                }
            }
        }
        None
    }

    /// Where the quoted field the scan stands in opened (an index of the bytes scanned), if it
    /// stands in one.
    fn open_quote(&self) -> Option<usize> {
        (self.at == CsvAt::Quoted).then_some(self.opened)
    }
}

impl<R> Bounded<R> {
    fn new(inner: R) -> Self {
        Bounded { inner, scan: CsvScan::new(), record: 0, commas: 0, offset: 0, failed: None }
    }

    /// Takes `bytes` as the next of the input; the record that grows too large, if one does.
    fn check(&mut self, bytes: &[u8]) -> Result<(), Oversized> {
        // Inside quotes, more likely than a long text: a closing quote missing.
        let too_long = |scan: &CsvScan, record: u64| Oversized {
            start: record,
            reason: if scan.open_quote().is_some() {
                "a quoted field that runs on for more than 1 MiB (is its closing `\"` missing?)"
            } else {
                "a record longer than 1 MiB"
            },
        };
        let too_wide = |record: u64| Oversized { start: record, reason: "a record of more than 1,000 fields" };
        let mut i = 0;
        while let Some(k) = self.scan.next_line_break(bytes, i, &mut self.commas) {
            let here = self.offset + k as u64;
            // The record's bytes, without the line break that ends it.
            if here - self.record > MOST_RECORD_BYTES as u64 {
                return Err(too_long(&self.scan, self.record));
            }
            if self.commas >= MOST_FIELDS {
                return Err(too_wide(self.record));
            }
            (self.record, self.commas) = (here + 1, 0);
            i = k + 1;
        }
        if self.commas >= MOST_FIELDS {
            return Err(too_wide(self.record));
        }
        self.offset += bytes.len() as u64;
        if self.offset - self.record > MOST_RECORD_BYTES as u64 {
            return Err(too_long(&self.scan, self.record));
        }
        Ok(())
    }
}

impl<R: std::io::Read> std::io::Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some((start, reason)) = self.failed {
            return Err(std::io::Error::other(Oversized { start, reason }));
        }
        let n = self.inner.read(buf)?;
        self.check(&buf[..n]).map_err(|o| {
            self.failed = Some((o.start, o.reason));
            std::io::Error::other(o)
        })?;
        Ok(n)
    }
}

/// The rows of `text[start..end]`, a run of whole records after the header (which ends at
/// `header_end`), read as if they followed the header directly and given to `row` one at a time
/// in order, each with where its record starts (a byte of `text`), until `row` says to stop
/// (`false`); locations are lines of `text`.
#[allow(clippy::too_many_arguments)]
fn csv_piece(
    text: &str,
    header_end: usize,
    start: usize,
    end: usize,
    headers: &std::sync::Arc<Vec<String>>,
    required: &[&str],
    optional: &[&str],
    row: &mut dyn FnMut(u64, CsvRow) -> bool,
) -> crew_core::Result<()> {
    let bytes = text.as_bytes();
    let mut reader = csv_reader(bytes[..header_end].chain(&bytes[start..end]));
    let mut lines = LineCounter::starting_at(text, start);
    // Read (and checked) by the caller already; but reading it reads ahead into the rows.
    if let Err(e) = reader.headers()
        && let Some(o) = oversized(&e)
    {
        return Err(refused_as_oversized(
            o,
            lines.at(record_start(bytes, in_reader_to_text(o.start, header_end, start))),
        ));
    }
    // A byte of the reader's input (the header, then the piece) as a byte of `text`.
    let in_text = |byte: u64| {
        let byte = usize::try_from(byte).unwrap_or(usize::MAX);
        if byte < header_end { byte } else { start.saturating_add(byte - header_end) }
    };
    let mut record = csv::StringRecord::new();
    // Where the last record read starts: the csv reader takes a quote never closed as a field
    // that runs to the end of the file, swallowing the rows after it (checked at the end).
    let mut last = start as u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let at = record_start(bytes, in_text(record.position().map_or(0, csv::Position::byte)) as u64);
                last = at;
                let line = lines.at(at);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                let fields = if record.as_slice().contains('\r') {
                    let unified: Vec<_> = record.iter().map(unify_line_breaks).collect();
                    Fields::row(headers, unified.iter().map(|f| f.as_ref()))
                } else {
                    Fields::row(headers, record.iter())
                };
                let location = format!("line {line}");
                // A whole row has the header's columns, checked already; a short one is checked
                // here (a required column may be missing from it).
                let checked = if fields.is_whole_row_of(headers) {
                    Ok(())
                } else {
                    check_columns(fields.keys().map(String::as_str), required, optional)
                };
                let go_on = match checked {
                    Ok(()) => row(at, Ok(RawRecord { location, fields })),
                    Err(e) => row(at, Err((location, e))),
                };
                if !go_on {
                    return Ok(());
                }
            }
            Err(e) => {
                if let Some(o) = oversized(&e) {
                    return Err(refused_as_oversized(o, lines.at(record_start(bytes, in_text(o.start) as u64))));
                }
                let at = record_start(bytes, in_text(e.position().map_or(0, csv::Position::byte)) as u64);
                last = at;
                if blank_line(bytes, at, &e) {
                    continue;
                }
                let line = lines.at(at);
                if !row(at, Err((format!("line {line}"), Error::bad_input(csv_reason(&e))))) {
                    return Ok(());
                }
            }
        }
    }
    match unclosed_quote(bytes, usize::try_from(last).unwrap_or(usize::MAX), end) {
        Some(quote) => Err(Error::bad_input(format!(
            "line {}: a quoted field opened here is never closed (a `\"` is missing): the rows after it \
             would be read as its text",
            lines.at(quote as u64)
        ))),
        None => Ok(()),
    }
}

/// Where in `text[from..to]`, read from the start of a record at `from` by the csv reader's rules
/// ([`CsvScan`]), a quoted field opens that is still open at `to`: the byte of its opening `"`.
/// `None` if every quoted field closes.
fn unclosed_quote(text: &[u8], from: usize, to: usize) -> Option<usize> {
    let piece = text.get(from..to).unwrap_or_default();
    let (mut scan, mut commas) = (CsvScan::new(), 0);
    let mut i = 0;
    while let Some(k) = scan.next_line_break(piece, i, &mut commas) {
        i = k + 1;
    }
    scan.open_quote().map(|opened| from + opened)
}

/// The first place at or after `target` where a record of `text` ends (just after its line
/// break: `\n`, `\r\n` or a lone `\r`), reading from `from`, where a record starts, by the csv
/// reader's rules ([`CsvScan`]). None if no record ends there.
fn record_end_after(text: &[u8], from: usize, target: usize) -> Option<usize> {
    let (mut scan, mut commas) = (CsvScan::new(), 0);
    let mut i = from;
    while let Some(k) = scan.next_line_break(text, i, &mut commas) {
        let ends = text[k] == b'\n' || text.get(k + 1) != Some(&b'\n');
        if ends && k >= target {
            return Some(k + 1);
        }
        i = k + 1;
    }
    None
}

/// Turns byte offsets of a text, met in increasing order, into 1-based line numbers.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    /// A counter whose first offset will be at or after `start`.
    fn starting_at(text: &'a str, start: usize) -> Self {
        let mut counter = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
        counter.line += counter.ends(0, start.min(text.len()));
        counter.offset = start.min(text.len());
        counter
    }

    /// How many lines end in `text[from..to]`.
    fn ends(&self, from: usize, to: usize) -> u64 {
        // A line ends with `\n`, `\r\n`, or (old Macs) a `\r` alone.
        (from..to)
            .filter(|&i| match self.text[i] {
                b'\n' => true,
                b'\r' => self.text.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count() as u64
    }

    fn at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        // The csv reader places a record after the `\r` of a `\r\n` it ended the last one with; a
        // record never starts with a line break, so step over it to where the record's text is.
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        if byte >= self.offset {
            self.line += self.ends(self.offset, byte);
            self.offset = byte;
        }
        self.line
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            let fields = if *len == 1 { "field" } else { "fields" };
            format!("{len} {fields} where the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

fn json_record(value: serde_json::Value, location: String, numeric: &[&str]) -> crew_core::Result<RawRecord> {
    let serde_json::Value::Object(map) = value else {
        return Err(Error::bad_input(format!("{location}: expected an object with named fields")));
    };
    let mut fields = BTreeMap::new();
    for (k, v) in map {
        let name = k.to_lowercase();
        let is_numeric = numeric.contains(&name.as_str());
        let text = match v {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) if is_numeric && (n.is_i64() || n.is_u64()) => n.to_string(),
            other => {
                let expected = if is_numeric { "a whole number or a string" } else { "a string" };
                return Err(Error::bad_input(format!(
                    "{location}: field `{k}`: expected {expected}, found {}",
                    json_kind(&other)
                )));
            }
        };
        if fields.insert(name.clone(), text).is_some() {
            return Err(Error::bad_input(format!("{location}: field `{name}` appears twice")));
        }
    }
    Ok(RawRecord { location, fields: fields.into() })
}

/// What a JSON value is, for an error: `the number 42`, `true`, `an array`.
fn json_kind(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(_) => "a string".into(),
        serde_json::Value::Array(_) => "an array".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// serde_json's reason without the position it repeats at the end (a line of JSON Lines is named
/// by its line already).
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).map_or(text.clone(), str::to_string)
}

/// "line 2, column 11: expected value" (serde_json repeats the position at the end; drop it).
fn json_error(e: &serde_json::Error) -> String {
    format!("line {}, column {}: {}", e.line(), e.column(), json_reason(e))
}

/// Parses one JSON record (a line of JSON Lines) as `serde_json` does, but refuses an object
/// that names a key twice (at any depth) — RFC 8259 4 leaves duplicate names' meaning to the
/// reader, and `serde_json` keeps the last one silently: a record `{"email": "a@x", "email":
/// "b@x"}` would come in as `b@x` while its CSV twin (a header naming a column twice) is refused —
/// and a record of more than [`MOST_FIELDS`] values (array items and object entries, nested ones
/// and the document's own counted), refused as it is read: one of 10,000,000 nulls took 930 MB
/// before.
fn strict_json(text: &str) -> serde_json::Result<serde_json::Value> {
    let entries = std::cell::Cell::new(0);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde::de::DeserializeSeed::deserialize(Strict { entries: &entries }, &mut de)?;
    de.end()?;
    Ok(value)
}

/// A `.json` file's list of records, each read as [`strict_json`] reads a record (its values
/// counted on their own) and handed to `each` with its index as soon as it is read, so the list is
/// never held whole. `each` says whether to go on; when it says no, the read stops with an error
/// (the caller knows why). A document that is not an array is an error.
fn strict_json_list(text: &str, each: &mut dyn FnMut(usize, serde_json::Value) -> bool) -> serde_json::Result<()> {
    use serde::de::{Error as _, SeqAccess, Visitor};

    struct List<'e, 'f> {
        each: &'e mut (dyn FnMut(usize, serde_json::Value) -> bool + 'f),
    }

    impl<'de> Visitor<'de> for List<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON array of objects (or JSON Lines)")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let entries = std::cell::Cell::new(0);
            for i in 0.. {
                entries.set(0);
                let item = seq
                    .next_element_seed(Strict { entries: &entries })
                    .map_err(|e| A::Error::custom(format!("item {}: {e}", i + 1)))?;
                let Some(item) = item else { break };
                if !(self.each)(i, item) {
                    return Err(A::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }

    let mut de = serde_json::Deserializer::from_str(text);
    serde::de::Deserializer::deserialize_seq(&mut de, List { each })?;
    de.end()
}

/// A record's values as [`strict_json`] reads them: `entries` counts the array items and object
/// entries read so far.
#[derive(Clone, Copy)]
struct Strict<'c> {
    entries: &'c std::cell::Cell<usize>,
}

impl Strict<'_> {
    /// Counts one more entry of the record; an error past [`MOST_FIELDS`].
    fn count<E: serde::de::Error>(self) -> Result<(), E> {
        self.entries.set(self.entries.get() + 1);
        if self.entries.get() > MOST_FIELDS {
            return Err(E::custom("a record of more than 1,000 values (no record of crew's files has as many)"));
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Strict<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: serde::de::Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Strict<'_> {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<serde_json::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<serde_json::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::de::Deserializer<'de>>(self, d: D) -> Result<serde_json::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<serde_json::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            self.count()?;
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<serde_json::Value, A::Error> {
        use serde::de::Error as _;
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.count()?;
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "the key {} appears twice in one object",
                    crew_core::types::Echo(&key)
                )));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

fn read_json_array(text: &str, numeric: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    let (mut records, mut refused) = (Vec::new(), None);
    let read = strict_json_list(text, &mut |i, v| match json_record(v, format!("item {}", i + 1), numeric) {
        Ok(r) => {
            records.push(r);
            true
        }
        Err(e) => {
            refused = Some(e);
            false
        }
    });
    match refused {
        Some(e) => Err(e),
        None => read.map(|()| records).map_err(|e| Error::bad_input(json_error(&e))),
    }
}

/// A line of JSON Lines longer than [`MOST_RECORD_BYTES`]: the file is refused, as a CSV file
/// with such a record is.
fn json_line_too_long(number: usize, line: &str) -> Option<Error> {
    (line.len() > MOST_RECORD_BYTES).then(|| {
        Error::bad_input(format!(
            "line {number}: a record longer than 1 MiB: the file is refused (no record of crew's files is as long; \
             docs/formats.md)"
        ))
    })
}

fn read_json_lines(text: &str, numeric: &[&str]) -> crew_core::Result<Vec<RawRecord>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(e) = json_line_too_long(i + 1, line) {
            return Err(e);
        }
        let location = format!("line {}", i + 1);
        let value = strict_json(line).map_err(|e| Error::bad_input(format!("{location}: {e}")))?;
        out.push(json_record(value, location, numeric)?);
    }
    Ok(out)
}

/// A photo copied into the media folder; removed again if the command that wanted it fails.
pub struct StoredPhoto {
    pub photo: Photo,
    created: Option<PathBuf>,
}

impl StoredPhoto {
    /// The command succeeded: keep the file.
    pub fn keep(mut self) {
        self.created = None;
    }
}

impl Drop for StoredPhoto {
    fn drop(&mut self) {
        if let Some(path) = self.created.take() {
            let _ = fs::remove_file(path);
        }
    }
}

fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1" | b"msf1")
    {
        Some("heic")
    } else {
        None
    }
}

/// Copies a photo into `media_dir/orders/<order>/<kind>-<sha256>.<ext>` (folders 0700, the file
/// 0600) and records its checksum. Only a regular file of at most `limits.photo_bytes` whose first
/// bytes are a JPEG, PNG, WebP or HEIC is read whole.
pub fn store_photo(media_dir: &Path, order: &str, kind: &str, source: &Path, limits: &Limits) -> Result<StoredPhoto> {
    let limit = limits.photo_bytes;
    let (file, size) = open_regular(source, Input::Photo)?;
    if size > limit {
        return Err(too_big(source, Input::Photo, Some(size), limit));
    }
    // The kind first: twelve bytes say whether it is a photo at all.
    let mut head = Vec::with_capacity(12);
    let mut file = file;
    (&mut file)
        .take(12)
        .read_to_end(&mut head)
        .map_err(|e| Error::bad_input(format!("cannot read photo {}: {e}", source.display())))?;
    let ext = image_extension(&head).ok_or_else(|| {
        Error::bad_input(format!("{} is not a photo crew accepts (JPEG, PNG, WebP or HEIC)", source.display()))
    })?;
    let bytes = read_capped(source, Input::Photo, file, head, limit)?;
    let sha256 = Sha256Hex::of(&bytes);
    let name = format!("{kind}-{}.{ext}", &sha256.as_str()[..16]);
    let relative = format!("orders/{order}/{name}");
    let dir = media_dir.join("orders").join(order);
    let target = dir.join(&name);
    let mut created = None;
    // A regular file of that name holds these very bytes (the name is their checksum); anything
    // else there (a link, a FIFO) is refused by the write.
    if !fs::symlink_metadata(&target).is_ok_and(|m| m.is_file()) {
        let cannot = |e: std::io::Error| Error::internal(format!("cannot keep the photo in {}: {e}", dir.display()));
        create_private_dir_all(&dir).map_err(cannot)?;
        remove_stale_temporaries(&dir, STALE);
        created = Some(write_private_atomically(&dir, &name, &bytes)?);
    }
    Ok(StoredPhoto { photo: Photo { path: relative, sha256 }, created })
}

/// A temporary file older than this was left by a writer that was killed.
pub const STALE: Duration = Duration::from_secs(3600);

/// An intake file's text, read for [`map_text_lenient`] or [`stream_csv_rows`]: within the import
/// limit, UTF-8 (a JSON Lines file's lines that are not are kept as replacement characters, each
/// line then one bad row, not a bad file), its byte-order mark dropped.
pub fn read_intake(path: &Path, limits: &Limits) -> Result<String> {
    let bytes = read_input(path, Input::Import, limits)?;
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if matches!(extension(path).as_str(), "jsonl" | "ndjson") => {
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
        Err(e) => return Err(not_utf8(path, &e)),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// A file's kind: its extension, lower-cased (empty without one).
pub fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase()
}

/// Like [`read_records`], for an untrusted intake's text ([`read_intake`]; `path` names it): a row
/// that cannot be read (a broken JSON line, a CSV row with the wrong number of fields, an unknown
/// field) is returned as rejected instead of failing the file. A file that cannot be read at all
/// (bad header) still fails.
///
/// Each readable record is handed to `each` as soon as it is read, and only what `each` makes of
/// it is kept (an intake of 100,000 rows never holds its records at once: fresh memory is what
/// such an import spent most on, BENCHMARKS.md "Intake"). A CSV file of at least [`PIECE_BYTES`]
/// bytes is read in up to `parts` pieces, split where a record ends ([`record_end_after`]), each
/// piece on a thread of its own; other files are one piece. Returns, per piece in the file's
/// order, what `each` made of its readable records in order, beside every unreadable row. The
/// rows, their line numbers and the reasons are the same as in one piece (test
/// `a_csv_file_read_in_pieces_reads_as_in_one`). Of the unreadable rows, the first
/// [`REFUSED_NAMED`] of each piece are kept, and all are counted (the third value): a file of
/// millions of bad rows must not hold a reason for each.
///
/// With `first_bad` (`--strict`: the first bad row refuses the file), a piece stops at its first
/// row that cannot be read or that `first_bad` says is bad, so that only the rows before the
/// file's first bad row are ever held (a 250 MB file of bad rows took 4.9 GB and 20 s to refuse).
pub fn map_text_lenient<T: Send>(
    path: &Path,
    text: &str,
    columns: Columns<'_>,
    parts: usize,
    each: impl Fn(RawRecord) -> T + Sync,
    first_bad: Option<&(dyn Fn(&T) -> bool + Sync)>,
) -> Result<(Vec<Vec<T>>, Vec<Rejected>, u64)> {
    let Columns { required, optional, numeric } = columns;
    let ext = extension(path);
    // Whether to read on after a row (`good`: what `each` made of it, or None if it was refused).
    let go_on = |good: Option<&T>| first_bad.is_none_or(|bad| good.is_some_and(|t| !bad(t)));
    if ext == "csv" {
        // Every row's columns were checked as it was read.
        let add = |(good, bad, count): &mut (Vec<T>, Vec<Rejected>, u64), row: CsvRow| match row {
            Ok(r) => {
                good.push(each(r));
                go_on(good.last())
            }
            Err((location, e)) => {
                refuse(bad, count, location, e);
                go_on(None)
            }
        };
        let parts = if text.len() >= PIECE_BYTES { parts } else { 1 };
        let start = |rows| (Vec::with_capacity(rows), Vec::new(), 0);
        let pieces =
            csv_rows_in_pieces(text, required, optional, parts, &start, &add).map_err(|e| e.context(path.display()))?;
        let mut results = Vec::with_capacity(pieces.len());
        let (mut bad, mut unreadable) = (Vec::new(), 0);
        for (result, mut rejected, count) in pieces {
            results.push(result);
            bad.append(&mut rejected);
            unreadable += count;
        }
        return Ok((results, bad, unreadable));
    }
    // Every row as it is read: a record, checked and handed to `each`, or why it is refused.
    let (mut good, mut bad, mut unreadable) = (Vec::new(), Vec::new(), 0);
    // Takes a row; whether to read on.
    let mut take = |location: String, row: crew_core::Result<RawRecord>| match row
        .and_then(|r| check_columns(r.fields.keys().map(String::as_str), required, optional).map(|_| r))
    {
        Ok(r) => {
            good.push(each(r));
            go_on(good.last())
        }
        Err(e) => {
            refuse(&mut bad, &mut unreadable, location, e);
            go_on(None)
        }
    };
    match ext.as_str() {
        "json" if !text.trim_start().starts_with('{') => {
            // Each item taken as it is read: the list is never held whole.
            let mut stopped = false;
            let read = strict_json_list(text, &mut |i, v| {
                let location = format!("item {}", i + 1);
                stopped = !take(location.clone(), json_record(v, location, numeric));
                !stopped
            });
            if !stopped {
                read.map_err(|e| file_error(path, json_error(&e)))?;
            }
        }
        "json" | "jsonl" | "ndjson" => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                if let Some(e) = json_line_too_long(i + 1, line) {
                    return Err(e.context(path.display()).into());
                }
                let location = format!("line {}", i + 1);
                let record = if line.contains('\u{fffd}') {
                    Err(Error::bad_input("not UTF-8 text"))
                } else {
                    strict_json(line)
                        .map_err(|e| Error::bad_input(format!("not a JSON record: {}", json_reason(&e))))
                        .and_then(|v| json_record(v, location.clone(), numeric))
                };
                if !take(location, record) {
                    break;
                }
            }
        }
        _ => return Err(file_error(path, "unknown file type: use .csv, .json or .jsonl".into())),
    }
    Ok((vec![good], bad, unreadable))
}

/// Counts a row that cannot be read, and keeps it while fewer than [`REFUSED_NAMED`] are kept.
fn refuse(kept: &mut Vec<Rejected>, count: &mut u64, location: String, e: Error) {
    *count += 1;
    if kept.len() < REFUSED_NAMED {
        kept.push(rejected(location, e));
    }
}

/// A row refused at `location` for `e`: errors from `json_record` carry the location already,
/// and only the reason is kept.
fn rejected(location: String, e: Error) -> Rejected {
    let reason = e.message.strip_prefix(&format!("{location}: ")).unwrap_or(&e.message).to_string();
    Rejected { location, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_with_a_key_named_twice_is_refused_and_otherwise_reads_as_serde_json_does() {
        let twice = strict_json("[{\"email\": \"a@x\",\n \"email\": \"b@x\"}]").unwrap_err();
        assert!(twice.to_string().contains("the key `email` appears twice"), "{twice}");
        assert_eq!(twice.line(), 2, "the error says where");
        assert!(strict_json(r#"{"a": {"b": 1, "b": 2}}"#).is_err(), "at any depth");
        assert!(strict_json("[1] 2").is_err(), "trailing text");
        for text in [r#"[{"a": "x", "b": null, "c": [1, 2.5, -3, true], "d": {"e": "\u00e9"}}]"#, "[]", "12", r#""s""#]
        {
            assert_eq!(strict_json(text).unwrap(), serde_json::from_str::<serde_json::Value>(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_naming_the_line_and_byte() {
        let bytes = b"name,email\r\nAnn,ann@x.example\r\nJos\xe9,jose@x.example\r\n".to_vec();
        let e = String::from_utf8(bytes).unwrap_err();
        assert_eq!(
            utf8_problem(e.as_bytes(), e.utf8_error().valid_up_to()),
            "line 3: not UTF-8 text (byte 4 of the line); save the file as UTF-8"
        );
        assert_eq!(utf8_problem(b"\xff", 0), "line 1: not UTF-8 text (byte 1 of the line); save the file as UTF-8");
    }

    fn lines_of(text: &str) -> Vec<String> {
        csv_rows(text, &["a", "b"], &[]).unwrap().into_iter().map(|(l, _)| l).collect()
    }

    /// What `csv_rows_in_pieces` gives, as comparable text: each row's location and its fields
    /// (name=value) or its reason, per piece.
    fn pieces_of(text: &str, parts: usize) -> crew_core::Result<Vec<Vec<String>>> {
        let add = |rows: &mut Vec<String>, row: CsvRow| {
            rows.push(match row {
                Ok(r) => {
                    let fields: Vec<String> = r.fields.keys().map(|k| format!("{k}={:?}", r.fields.get(k))).collect();
                    format!("{} {}", r.location, fields.join(" "))
                }
                Err((location, e)) => format!("{location} error {}", e.message),
            });
            true
        };
        csv_rows_in_pieces(text, &["a", "b"], &["c"], parts, &|_| Vec::new(), &add)
    }

    /// The records [`CsvScan`] finds in `bytes` fed in pieces cut at `cuts`: each non-empty
    /// record's field count (its commas outside quotes, plus one).
    fn scanned_fields(bytes: &[u8], cuts: &[usize]) -> Vec<usize> {
        let (mut scan, mut commas, mut out) = (CsvScan::new(), 0, Vec::new());
        let (mut record, mut offset) = (0, 0);
        let mut bounds: Vec<usize> = cuts.iter().map(|c| (*c).min(bytes.len())).collect();
        bounds.sort_unstable();
        bounds.push(bytes.len());
        for end in bounds {
            let piece = &bytes[offset.min(end)..end];
            let mut i = 0;
            while let Some(k) = scan.next_line_break(piece, i, &mut commas) {
                if offset + k > record {
                    out.push(commas + 1);
                }
                (record, commas, i) = (offset + k + 1, 0, k + 1);
            }
            offset = offset.max(end);
        }
        if bytes.len() > record {
            out.push(commas + 1);
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// [`CsvScan`] cuts records and fields as the csv reader does, whatever the quotes, line
        /// breaks and commas, and however the bytes are cut into pieces.
        #[test]
        fn the_scan_finds_the_records_and_fields_the_csv_reader_reads(
            chars in proptest::collection::vec(proptest::sample::select(vec!['a', ',', '"', '\n', '\r', ' ']), 0..120),
            cuts in proptest::collection::vec(0usize..120, 0..4),
        ) {
            let text: String = chars.into_iter().collect();
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let read: Vec<usize> = reader.byte_records().map(|r| r.map(|r| r.len()).unwrap_or(0)).collect();
            proptest::prop_assert_eq!(scanned_fields(text.as_bytes(), &cuts), read, "{:?}", text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// A file read in 2, 3 or 5 pieces gives the very rows, locations and reasons of one
        /// piece, in order, whatever its quotes, line breaks (`\n`, `\r\n`, `\r`), blank lines,
        /// short or long rows.
        #[test]
        fn a_csv_file_read_in_pieces_reads_as_in_one(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("x".to_string()),
                    proptest::strategy::Just("é".to_string()),
                    proptest::strategy::Just(",".to_string()),
                    proptest::strategy::Just("\"".to_string()),
                    proptest::strategy::Just("\n".to_string()),
                    proptest::strategy::Just("\r\n".to_string()),
                    proptest::strategy::Just("\r".to_string()),
                    proptest::strategy::Just(" ".to_string()),
                    proptest::strategy::Just("\t".to_string()),
                    proptest::strategy::Just("1,2\r\n".to_string()),
                    proptest::strategy::Just("\"q,\n\"\"\",2\n".to_string()),
                ],
                0..60,
            ),
            header in proptest::prop_oneof![
                proptest::strategy::Just("a,b\n"),
                proptest::strategy::Just("a,b\r\n"),
                proptest::strategy::Just("a,b,c\r"),
                proptest::strategy::Just("\"a\",B\r\n"),
            ],
        ) {
            let text = format!("{header}{}", body.concat());
            // A file that ends inside a quote is refused whole, however it is read.
            let whole = match pieces_of(&text, 1) {
                Ok(whole) => whole.concat(),
                Err(e) => {
                    proptest::prop_assert!(e.message.contains("is never closed"), "{} in {:?}", e, text);
                    for parts in [2, 3, 5] {
                        proptest::prop_assert_eq!(pieces_of(&text, parts).unwrap_err().message, e.message.clone());
                    }
                    proptest::prop_assert_eq!(streamed_of(&text).unwrap_err().message, e.message);
                    return Ok(());
                }
            };
            for parts in [2, 3, 5] {
                let pieces = pieces_of(&text, parts).unwrap();
                proptest::prop_assert!(pieces.len() <= parts);
                proptest::prop_assert_eq!(&pieces.concat(), &whole, "{} pieces of {:?}", parts, text);
            }
            // Streamed, the rows are the same; the first pass over column `b` sees the same rows
            // at the same places, and a readable row's `b` as the row's reader reads it.
            let streamed = streamed_of(&text).unwrap();
            let rows: Vec<String> = streamed.iter().map(|(_, _, row)| row.clone()).collect();
            proptest::prop_assert_eq!(&rows, &whole, "streamed {:?}", text);
            let mut scanned = Vec::new();
            scan_csv_column(&text, "b", |at, b| scanned.push((at, b.map(|b| b.trim().to_string()))));
            proptest::prop_assert_eq!(scanned.len(), streamed.len(), "the rows of {:?}", text);
            // In pieces, on threads, the first pass notes the same rows in the same order.
            for parts in [2, 3] {
                let pieces = scan_csv_column_in_pieces(&text, "b", parts, &|_| Vec::new(), &|rows: &mut Vec<_>, at, b| {
                    rows.push((at, b.map(|b: &str| b.trim().to_string())))
                });
                proptest::prop_assert!(pieces.len() <= parts);
                proptest::prop_assert_eq!(&pieces.concat(), &scanned, "{} pieces of {:?}", parts, text);
            }
            for ((at, b), (streamed_at, streamed_b, row)) in scanned.iter().zip(&streamed) {
                proptest::prop_assert_eq!(at, streamed_at, "where {} is in {:?}", row, text);
                if let Some(streamed_b) = streamed_b {
                    proptest::prop_assert_eq!(b.as_ref(), Some(streamed_b), "`b` of {} in {:?}", row, text);
                }
            }
        }
    }

    /// What `stream_csv_rows` gives for each row: where it is, a readable row's `b` (trimmed, as
    /// an intake reads a field) and the row as `pieces_of` words it.
    fn streamed_of(text: &str) -> crew_core::Result<Vec<(u64, Option<String>, String)>> {
        let each = |row: CsvRow| match row {
            Ok(r) => {
                let fields: Vec<String> = r.fields.keys().map(|k| format!("{k}={:?}", r.fields.get(k))).collect();
                let b = r.fields.get("b").map(|b| b.trim().to_string());
                (b.or(Some(String::new())), format!("{} {}", r.location, fields.join(" ")))
            }
            Err((location, e)) => (None, format!("{location} error {}", e.message)),
        };
        stream_csv_rows(text, &["a", "b"], &["c"], each, |chunks| {
            let chunks: crew_core::Result<Vec<_>> = chunks.collect();
            Ok(chunks?.into_iter().flatten().map(|(at, (b, row))| (at, b, row)).collect())
        })?
    }

    #[test]
    fn room_is_made_for_a_files_rows_by_its_lines_but_never_for_more_than_a_bound() {
        assert_eq!(room_for_rows(b""), 1);
        assert_eq!(room_for_rows(b"a\r\nb\r\nc"), 3, "CRLF counts once");
        assert_eq!(room_for_rows(b"a\rb\rc\r"), 4, "an old Mac's breaks");
        assert_eq!(room_for_rows(b"a\nb\rc"), 2, "mixed: the `\\n`s");
        // A hostile file of nothing but line breaks: room for the bound, not for each line.
        let blank = vec![b'\n'; 4 * ROOM_AT_MOST];
        assert_eq!(room_for_rows(&blank), ROOM_AT_MOST);
        assert_eq!(room_for_rows(&blank[..ROOM_AT_MOST - 2]), ROOM_AT_MOST - 1);
    }

    #[test]
    fn a_streamed_file_stops_being_read_when_its_taker_stops_and_a_reader_that_stops_early_is_an_error() {
        let mut text = String::from("a,b\n");
        for i in 0..(CHUNK_ROWS * (CHUNKS_AHEAD + 4)) {
            text.push_str(&format!("{i},x\n"));
        }
        // The taker takes one chunk and returns: the reader stops (the scope would otherwise
        // wait for it forever, the channel full).
        let first = stream_csv_rows(
            &text,
            &["a", "b"],
            &[],
            |row| row.is_ok(),
            |chunks| chunks.next().map(|c| c.map(|c| c.len())),
        );
        assert_eq!(first.unwrap().unwrap().unwrap(), CHUNK_ROWS);
        // A reader that panics part-way: the taker is told with an error, never a short file.
        let seen = std::sync::Mutex::new(Vec::new());
        let taken = std::panic::catch_unwind(|| {
            stream_csv_rows(
                &text,
                &["a", "b"],
                &[],
                |row| {
                    let r = row.unwrap();
                    assert!(r.fields.get("a") != Some("2000"), "a reader's bug");
                },
                |chunks| seen.lock().unwrap().extend(chunks.map(|c| c.map(|c| c.len()))),
            )
        });
        assert!(taken.is_err(), "the reader's panic is raised once the taker is done");
        let seen = seen.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rows: usize = seen.iter().filter_map(|c| c.as_ref().ok()).sum();
        assert_eq!(rows, 2000 / CHUNK_ROWS * CHUNK_ROWS, "the whole chunks before the bug");
        let last = seen.last().unwrap().as_ref().unwrap_err();
        assert_eq!(last.kind, crew_core::error::ErrorKind::Internal);
        assert!(last.message.contains("stopped before the end"), "{last}");
    }

    #[test]
    fn a_large_csv_file_is_split_where_records_end_and_reads_as_in_one_piece() {
        // Quoted fields with line breaks and commas, CRLF, a short row, a blank line.
        let mut text = String::from("a,b,c\r\n");
        for i in 0..300 {
            match i % 7 {
                0 => text.push_str(&format!("\"{i}\r\nnext\",\"x,\"\"y\"\"\",z\r\n")),
                3 => text.push_str(&format!("{i}\r\n")),
                5 => text.push_str("\r\n"),
                _ => text.push_str(&format!("{i},b{i},\"c\n{i}\"\r\n")),
            }
        }
        let whole = pieces_of(&text, 1).unwrap();
        let halves = pieces_of(&text, 2).unwrap();
        assert_eq!(halves.len(), 2, "split in two");
        assert!(halves.iter().all(|h| h.len() > 100), "{:?}", halves.iter().map(Vec::len).collect::<Vec<_>>());
        assert_eq!(halves.concat(), whole[0]);
        assert!(whole[0].iter().any(|r| r.contains("error 1 field where the header has 3")));
        // Each split is just after a record's line break, outside quotes.
        let start = text.find("\r\n").unwrap() + 2;
        let end = record_end_after(text.as_bytes(), start, text.len() / 2).unwrap();
        assert!(text[..end].ends_with("\r\n"));
        assert_eq!(text[start..end].matches('"').count() % 2, 0);
    }

    #[test]
    fn lines_of_spaces_and_tabs_are_blank_and_a_quoted_line_break_is_one_newline_whatever_the_line_ends() {
        for end in ["\n", "\r\n", "\r"] {
            let text = "a,b\n1,\"x\ny\"\n  \n \t \n\t\n2,3\n".replace('\n', end);
            let rows = csv_rows(&text, &["a", "b"], &[]).unwrap();
            let read: Vec<(String, Option<String>)> = rows
                .into_iter()
                .map(|(location, row)| (location, row.ok().and_then(|r| r.fields.get("b").map(str::to_string))))
                .collect();
            let want =
                [("line 2".to_string(), Some("x\ny".to_string())), ("line 7".to_string(), Some("3".to_string()))];
            assert_eq!(read, want, "line ends {end:?}");
            let streamed = streamed_of(&text).unwrap();
            assert_eq!(
                streamed.iter().map(|(_, b, _)| b.clone()).collect::<Vec<_>>(),
                [Some("x\ny".into()), Some("3".into())]
            );
            let mut scanned = Vec::new();
            scan_csv_column(&text, "b", |at, b| scanned.push((at, b.map(str::to_string))));
            let places: Vec<u64> = streamed.iter().map(|(at, _, _)| *at).collect();
            assert_eq!(scanned, [(places[0], Some("x\ny".into())), (places[1], Some("3".into()))], "{end:?}");
        }
        // A line of spaces where the header has one column is blank too; a short row is not.
        assert_eq!(lines_of("a,b\n1,2\n3\n"), ["line 2", "line 3"]);
    }

    #[test]
    fn a_quote_never_closed_refuses_the_file_naming_the_line_it_opens_on() {
        let open = "a,b\n1,2\n3,\"x\n4,5\n6,7\n";
        let said = "line 3: a quoted field opened here is never closed";
        // A quote doubled inside it, lines later, is text: the field still opened on line 3.
        let doubled = "a,b\n1,2\n3,\"x\n\"\"y\n4,5\n";
        assert!(csv_rows(doubled, &["a", "b"], &[]).unwrap_err().message.starts_with(said), "{doubled:?}");
        assert!(csv_rows(open, &["a", "b"], &[]).unwrap_err().message.starts_with(said));
        assert!(streamed_of(open).unwrap_err().message.starts_with(said));
        for end in ["\r\n", "\r"] {
            let open = open.replace('\n', end);
            assert!(csv_rows(&open, &["a", "b"], &[]).unwrap_err().message.starts_with(said), "{end:?}");
        }
        // Closed quotes, escaped quotes, quotes inside an unquoted field, a last line without a
        // line break: read as ever.
        let closed = "a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n3,x\"y\n4,\"z\"";
        assert_eq!(lines_of(closed), ["line 2", "line 4", "line 5", "line 6"]);
        assert_eq!(streamed_of(closed).unwrap().len(), 4);
    }

    /// A record of 1,000 fields or 1 MiB is read; one more field or byte refuses the whole file,
    /// naming the line the record starts on, whoever reads it: the rows' reader whole or in
    /// pieces, the streamed one, the header's. Commas and line breaks inside quotes are text, not
    /// fields and records; a quote inside an unquoted field opens nothing.
    #[test]
    fn a_record_of_more_than_a_thousand_fields_or_a_mebibyte_refuses_the_file() {
        let fields = |n: usize| vec!["x"; n].join(",");
        // Enough rows before it that, in pieces, the record is in the second piece.
        let rows: String = (0..60_000).map(|i| format!("{i},{i}\n")).collect();
        let with = |record: &str| format!("a,b\n{rows}{record}\n1,2\n");
        let line = 60_002;
        let refused = |text: &str, said: &str| {
            let want = format!("line {line}: {said}");
            assert!(text.len() > 2 * PIECE_BYTES, "read in pieces");
            for parts in [1, 2] {
                let Err(e) = pieces_of(text, parts) else { panic!("{parts} pieces: not refused") };
                assert!(e.message.starts_with(&want), "{parts} pieces: {}", e.message);
                assert_eq!(e.kind, crew_core::error::ErrorKind::BadInput);
            }
            let Err(e) = streamed_of(text) else { panic!("streamed: not refused") };
            assert!(e.message.starts_with(&want), "streamed: {}", e.message);
            let mut scanned = 0;
            scan_csv_column(text, "b", |_, _| scanned += 1);
            assert!(scanned <= 60_000, "the first pass stops there: {scanned}");
        };
        let at_most = with(&fields(MOST_FIELDS));
        assert_eq!(pieces_of(&at_most, 2).unwrap().concat().len(), 60_002);
        assert_eq!(streamed_of(&at_most).unwrap().len(), 60_002);
        refused(&with(&fields(MOST_FIELDS + 1)), "a record of more than 1,000 fields");
        // Quoted commas and line breaks are text; a `"` inside a field opens no quotes.
        let quoted = format!("1,\"{}\n{}\"", ",".repeat(5_000), ",".repeat(5_000));
        assert_eq!(pieces_of(&with(&quoted), 2).unwrap().concat().len(), 60_002);
        refused(&with(&format!("1,x\"{}", ",".repeat(MOST_FIELDS))), "a record of more than 1,000 fields");
        // `""` inside quotes is a quote: the quotes go on. A closed quote and text after it: they do not.
        let escaped = format!("1,\"a\"\"{}\"", ",".repeat(5_000));
        assert_eq!(streamed_of(&with(&escaped)).unwrap().len(), 60_002);
        refused(&with(&format!("\"a\"x{}", ",".repeat(MOST_FIELDS))), "a record of more than 1,000 fields");
        // Bytes: a quoted field's line breaks are part of its record.
        let long = |n: usize| format!("1,\"{}\"", "y\n".repeat((n - 4) / 2));
        assert_eq!(long(MOST_RECORD_BYTES).len(), MOST_RECORD_BYTES);
        assert_eq!(streamed_of(&with(&long(MOST_RECORD_BYTES))).unwrap().len(), 60_002);
        refused(&with(&format!("{}y", long(MOST_RECORD_BYTES))), "a record longer than 1 MiB");
        // The header, and a record just after it (read ahead with the header).
        let e = csv_header(&format!("{}\n1,2\n", fields(MOST_FIELDS + 1)), &[], &["x"]).unwrap_err();
        assert!(e.message.starts_with("line 1: a record of more than 1,000 fields"), "{}", e.message);
        let e = csv_rows(&format!("a,b\n\n{}\n", fields(MOST_FIELDS + 1)), &["a", "b"], &[]).unwrap_err();
        assert!(e.message.starts_with("line 3: a record of more than 1,000 fields"), "{}", e.message);
    }

    /// A JSON record holds at most 1,000 values, nested ones counted: one more is a refused row
    /// (JSON Lines) or file (a list); a list of records counts each record on its own.
    #[test]
    fn a_json_record_of_more_than_a_thousand_values_is_refused() {
        let nulls = |n: usize| vec!["null"; n].join(",");
        // The key counts: 1 + the array's items.
        assert!(strict_json(&format!(r#"{{"x": [{}]}}"#, nulls(MOST_FIELDS - 1))).is_ok());
        let e = strict_json(&format!(r#"{{"x": [{}]}}"#, nulls(MOST_FIELDS))).unwrap_err();
        assert!(e.to_string().starts_with("a record of more than 1,000 values"), "{e}");
        let nested = format!(r#"{{"x": [{}]}}"#, vec!["[[]]"; MOST_FIELDS / 2].join(","));
        assert!(strict_json(&nested).is_err(), "nested values count");
        // A line that is itself an array is one record too (it is refused later as not an object).
        assert!(strict_json(&format!("[{}]", nulls(MOST_FIELDS))).is_ok());
        assert!(strict_json(&format!("[{}]", nulls(MOST_FIELDS + 1))).is_err(), "the document's own items count");
        // A list: each item a record of its own, counted on its own, handed over as it is read.
        let mut seen = Vec::new();
        let item = format!(r#"{{"x": [{}]}}"#, nulls(MOST_FIELDS - 1));
        let list = format!("[{}]", [item.as_str(); 3].join(","));
        strict_json_list(&list, &mut |i, v| {
            seen.push((i, v.is_object()));
            true
        })
        .unwrap();
        assert_eq!(seen, [(0, true), (1, true), (2, true)]);
        let many = format!("[{}]", vec!["{}"; 3 * MOST_FIELDS].join(","));
        let mut count = 0;
        strict_json_list(&many, &mut |_, _| {
            count += 1;
            true
        })
        .unwrap();
        assert_eq!(count, 3 * MOST_FIELDS, "a list may hold any number of records");
        // An item over the limit is named; the items before it were handed over already.
        let over = format!(r#"[{{}}, {{"x": [{}]}}, {{}}]"#, nulls(MOST_FIELDS));
        let mut before = 0;
        let e = strict_json_list(&over, &mut |_, _| {
            before += 1;
            true
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("item 2: a record of more than 1,000 values"), "{e}");
        assert_eq!(before, 1);
        // `each` stops the read; a document that is no list is refused.
        let mut taken = 0;
        assert!(
            strict_json_list(&many, &mut |_, _| {
                taken += 1;
                taken < 2
            })
            .is_err()
        );
        assert_eq!(taken, 2);
        let e = strict_json_list(r#"{"a": 1}"#, &mut |_, _| true).unwrap_err();
        assert!(e.to_string().contains("expected a JSON array of objects (or JSON Lines)"), "{e}");
    }

    /// Through the readers: a JSON Lines line that is an array of 10,000 nulls is one refused row
    /// (JSON Lines) and a file refused naming its item (a list); a line longer than 1 MiB refuses
    /// the file.
    #[test]
    fn json_files_bound_each_record_and_never_hold_a_list_whole() {
        let dir = tempfile::tempdir().unwrap();
        let columns = Columns { required: &["name"], optional: &[], numeric: &[] };
        let nulls = vec!["null"; 10_000].join(",");
        let lines = dir.path().join("a.jsonl");
        std::fs::write(&lines, format!("{{\"name\": \"A\"}}\n[{nulls}]\n{{\"name\": \"B\"}}\n")).unwrap();
        let lenient = |path: &Path| {
            let text = std::fs::read_to_string(path).unwrap();
            map_text_lenient(path, &text, columns, 1, |r| r.location, None)
        };
        let (good, bad, count) = lenient(&lines).unwrap();
        assert_eq!(good.concat(), ["line 1", "line 3"]);
        assert_eq!(count, 1);
        assert!(bad[0].reason.starts_with("not a JSON record: a record of more than 1,000 values"), "{:?}", bad[0]);
        let e = read_records(&lines, columns, &Limits::DEFAULT).unwrap_err().to_string();
        assert!(e.contains("line 2: a record of more than 1,000 values"), "{e}");
        let list = dir.path().join("a.json");
        std::fs::write(&list, format!("[{{\"name\": \"A\"}},\n {{\"name\": [{nulls}]}}]")).unwrap();
        let e = read_records(&list, columns, &Limits::DEFAULT).unwrap_err().to_string();
        assert!(e.contains("item 2: a record of more than 1,000 values"), "{e}");
        let e = lenient(&list).err().unwrap().to_string();
        assert!(e.contains("item 2: a record of more than 1,000 values"), "{e}");
        let long = dir.path().join("long.jsonl");
        let text = format!("{{\"name\": \"A\"}}\n{{\"name\": \"{}\"}}\n", "x".repeat(MOST_RECORD_BYTES));
        std::fs::write(&long, text).unwrap();
        for e in [
            read_records(&long, columns, &Limits::DEFAULT).unwrap_err().to_string(),
            lenient(&long).err().unwrap().to_string(),
        ] {
            assert!(e.contains("line 2: a record longer than 1 MiB: the file is refused"), "{e}");
        }
    }

    /// `--strict`: reading stops at the first bad row (refused by the caller's test, or not
    /// readable), in CSV, JSON Lines and a `.json` list alike; without it every row is read.
    #[test]
    fn reading_for_strict_stops_at_the_first_bad_row() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let columns = Columns { required: &["name"], optional: &[], numeric: &[] };
        let names: Vec<String> =
            (0..2_000).map(|i| if i == 100 { "bad".to_string() } else { format!("n{i}") }).collect();
        let csv = format!("name\n{}\n", names.join("\n"));
        let jsonl: String = names.iter().map(|n| format!("{{\"name\": \"{n}\"}}\n")).collect();
        let list =
            format!("[{}]", names.iter().map(|n| format!("{{\"name\": \"{n}\"}}")).collect::<Vec<_>>().join(","));
        // A row that cannot be read stops it too: a row with a field the header lacks.
        let unreadable = format!("name\nn0\nn1,extra\n{}\n", names[200..].join("\n"));
        for (file, text, read) in
            [("a.csv", &csv, 101), ("a.jsonl", &jsonl, 101), ("a.json", &list, 101), ("b.csv", &unreadable, 1)]
        {
            let path = dir.path().join(file);
            let seen = AtomicUsize::new(0);
            let each = |r: RawRecord| {
                seen.fetch_add(1, Ordering::Relaxed);
                r.fields.get("name").is_some_and(|n| n == "bad")
            };
            let is_bad: &(dyn Fn(&bool) -> bool + Sync) = &|bad: &bool| *bad;
            let (good, _, _) = map_text_lenient(&path, text, columns, 1, each, Some(is_bad)).unwrap();
            assert_eq!(seen.load(Ordering::Relaxed), read, "{file}");
            assert_eq!(good.concat().len(), read, "{file}");
            seen.store(0, Ordering::Relaxed);
            map_text_lenient(&path, text, columns, 1, each, None).unwrap();
            assert!(seen.load(Ordering::Relaxed) >= 1_800, "{file}: every row without --strict");
        }
    }

    /// The record-size check bounds a record that never ends by what is read past the limit (one
    /// piece of input at most), and reads a record of exactly 1 MiB whose line break comes in
    /// the next piece.
    #[test]
    fn a_record_that_never_ends_is_refused_within_a_piece_past_the_limit() {
        let piece = 8 * 1024;
        let read_all = |text: Vec<u8>| {
            let mut reader = Bounded::new(std::io::Cursor::new(text));
            let mut buf = vec![0u8; piece];
            loop {
                match std::io::Read::read(&mut reader, &mut buf) {
                    Ok(0) => return Ok(reader.offset),
                    Ok(_) => {}
                    Err(e) => return Err((reader.offset, e.to_string())),
                }
            }
        };
        let mut exact = vec![b'x'; MOST_RECORD_BYTES];
        exact.push(b'\n');
        assert_eq!(read_all(exact), Ok(MOST_RECORD_BYTES as u64 + 1));
        let (at, why) = read_all(vec![b'x'; 3 * MOST_RECORD_BYTES]).unwrap_err();
        assert!(at <= (MOST_RECORD_BYTES + piece) as u64, "refused after {at} bytes");
        assert_eq!(why, "a record longer than 1 MiB");
        let mut quoted = b"a,\"".to_vec();
        quoted.extend(std::iter::repeat_n(b'y', 2 * MOST_RECORD_BYTES));
        let (_, why) = read_all(quoted).unwrap_err();
        assert!(why.starts_with("a quoted field that runs on for more than 1 MiB"), "{why}");
    }

    #[test]
    fn csv_records_are_placed_on_the_physical_line_they_start_on() {
        let unix = "a,b\n1,2\n\n\"x\ny\",3\n4,5\n";
        let want = ["line 2", "line 4", "line 6"];
        assert_eq!(lines_of(unix), want);
        assert_eq!(lines_of(&unix.replace('\n', "\r\n")), want, "CRLF");
        assert_eq!(lines_of(&unix.replace('\n', "\r")), want, "CR");
    }

    #[test]
    fn a_csv_row_that_cannot_be_read_names_its_line_with_crlf_too() {
        let rows = csv_rows("a,b\r\n1,2\r\n\"p\r\nq\",2,3\r\n", &["a", "b"], &[]).unwrap();
        assert_eq!(rows[1].0, "line 3");
        assert!(rows[1].1.as_ref().unwrap_err().message.contains("3 fields"));
    }

    #[test]
    fn json_values_of_the_wrong_type_are_refused_naming_the_field() {
        let numeric = &["age"];
        for (json, want) in [
            (r#"{"zone": 42}"#, "field `zone`: expected a string, found the number 42"),
            (r#"{"name": true}"#, "field `name`: expected a string, found true"),
            (r#"{"name": {"first": "a"}}"#, "field `name`: expected a string, found an object"),
            (r#"{"name": ["a"]}"#, "field `name`: expected a string, found an array"),
            (r#"{"age": 2.5}"#, "field `age`: expected a whole number or a string, found the number 2.5"),
            (r#"{"age": false}"#, "field `age`: expected a whole number or a string, found false"),
        ] {
            let value = serde_json::from_str(json).unwrap();
            let e = json_record(value, "item 2".into(), numeric).unwrap_err().message;
            assert_eq!(e, format!("item 2: {want}"), "{json}");
        }
        let ok = json_record(serde_json::json!({"age": 7, "zone": "42", "coat": null}), "item 1".into(), numeric);
        let fields = ok.unwrap().fields;
        assert_eq!(fields.get("age"), Some("7"));
        assert_eq!(fields.get("zone"), Some("42"));
        assert!(!fields.contains_key("coat"));
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn sizes_are_said_in_the_largest_whole_unit() {
        let cases = [
            (900, "900 bytes"),
            (64 * KIB, "64 KiB"),
            (1536 * KIB, "1.5 MiB"),
            (256 * MIB, "256 MiB"),
            (4300 * MIB, "4.2 GiB"),
        ];
        for (n, text) in cases {
            assert_eq!(human_bytes(n), text);
        }
    }

    #[test]
    fn a_file_that_grows_while_being_read_is_still_cut_off_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clients.csv");
        std::fs::write(&path, "name,email,zone\n").unwrap();
        let (file, size) = open_regular(&path, Input::Import).unwrap();
        assert_eq!(size, 16);
        // It grows after its size was checked.
        std::fs::write(&path, "x".repeat(100)).unwrap();
        let err = read_capped(&path, Input::Import, file, Vec::new(), 50).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("{} grew past 50 bytes while being read; the limit for imports is 50 bytes", path.display())
        );
    }

    #[test]
    fn the_kind_is_checked_before_the_file_is_touched() {
        // /dev/zero would be refused as a device; its name already says it is no import.
        let err = read_input(Path::new("/dev/zero"), Input::Import, &Limits::DEFAULT).unwrap_err().to_string();
        assert_eq!(err, "/dev/zero: unknown file type: use .csv, .json or .jsonl");
        let err = read_input(Path::new("/dev/zero"), Input::Config, &Limits::DEFAULT).unwrap_err().to_string();
        assert_eq!(
            err,
            "configuration file /dev/zero is a character device, not a regular file: crew reads only regular files"
        );
    }

    /// A file that is not there is "not found" (exit 4), as anything else named that is not.
    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.csv");
        let err = read_input(&path, Input::Import, &Limits::DEFAULT).unwrap_err();
        let err = err.downcast_ref::<Error>().expect("a crew error");
        assert_eq!(err.kind, crew_core::error::ErrorKind::NotFound);
        assert_eq!(err.message, format!("cannot read {}: it does not exist", path.display()));
    }

    /// An empty file, one of line breaks only, and a blank line where the header should be are
    /// each said as what they are (not as a missing or unknown column).
    #[test]
    fn an_empty_csv_file_or_a_blank_header_line_is_said_so() {
        for text in ["", "\n\r\n", "  \n"] {
            let e = csv_header(text, &["a"], &[]).unwrap_err();
            assert_eq!(
                e.message, "the file is empty: a CSV file starts with a header line naming its columns",
                "{text:?}"
            );
        }
        for (text, line) in [(" \t\na\n1\n", 1), ("\n\n  \na\n", 3)] {
            let e = csv_header(text, &["a"], &[]).unwrap_err();
            assert_eq!(
                e.message,
                format!(
                    "line {line}: a blank line where the header should be: a CSV file starts with a header line naming its columns"
                ),
                "{text:?}"
            );
        }
        assert_eq!(csv_header("a\n", &["a"], &[]).unwrap().0, ["a"]);
        for header in [",a\n", ",,,\n", "\"\",\"\"\n"] {
            let e = csv_header(header, &["a"], &[]).unwrap_err();
            assert!(e.message.contains("unknown field ``"), "{header:?}: {}", e.message);
        }
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.toml");
        let limits = Limits { document_bytes: 10, ..Limits::DEFAULT };
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_input(&path, Input::Document, &limits).unwrap().len(), 10);
        std::fs::write(&path, "0123456789a").unwrap();
        let err = read_input(&path, Input::Document, &limits).unwrap_err().to_string();
        assert_eq!(err, format!("{} is 11 bytes; the limit for documents is 10 bytes", path.display()));
    }

    #[test]
    fn written_files_and_the_folders_made_for_them_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("exports/2026");
        create_private_dir_all(&dir).unwrap();
        let path = write_private_atomically(&dir, "week.csv", b"a,b\n").unwrap();
        write_private_atomically(&dir, "week.csv", b"c,d\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"c,d\n");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&path), mode(&dir), mode(&root.path().join("exports"))), (0o600, 0o700, 0o700));
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec!["week.csv"], "no temporary is left");
    }

    #[test]
    fn only_nothing_or_a_regular_file_is_written_over() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        std::fs::create_dir(dir.join("folder")).unwrap();
        std::fs::write(dir.join("other"), "kept").unwrap();
        std::os::unix::fs::symlink(dir.join("other"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink("/dev/full", dir.join("full")).unwrap();
        let fifo = std::ffi::CString::new(dir.join("fifo").to_str().unwrap()).unwrap();
        // SAFETY: a valid path; mkfifo has no other preconditions.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        for (name, kind) in [
            ("folder", "a folder"),
            ("link", "a symbolic link"),
            ("full", "a symbolic link"),
            ("fifo", "a FIFO (named pipe)"),
        ] {
            let e = write_private_atomically(dir, name, b"x").unwrap_err();
            let kind_of_error = e.downcast_ref::<Error>().map(|e| e.kind);
            assert_eq!(kind_of_error, Some(crew_core::error::ErrorKind::BadInput), "{name}");
            assert!(e.to_string().contains(&format!("{name} is {kind}, not a regular file")), "{e}");
        }
        assert_eq!(std::fs::read_to_string(dir.join("other")).unwrap(), "kept");
        assert!(std::fs::symlink_metadata(dir.join("link")).unwrap().file_type().is_symlink());
        assert!(std::fs::symlink_metadata(dir.join("fifo")).unwrap().file_type().is_fifo());
        // A device named directly is refused the same way.
        let e = write_private_atomically(Path::new("/dev"), "null", b"x").unwrap_err();
        assert!(e.to_string().contains("/dev/null is a character device, not a regular file"), "{e}");
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }
}
