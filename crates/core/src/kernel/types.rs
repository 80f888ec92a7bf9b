//! Validated value types: past `parse`, a value cannot be invalid.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// A value from the input as an error message echoes it, in backticks: whole up to
/// [`Echo::SHOWN`] characters; past that its first ones, `…`, and how long it is — a 100 KB
/// "email" in an intake row must not make a 100 KB reason (one per refused row, in the report).
pub struct Echo<'a>(pub &'a str);

impl Echo<'_> {
    /// The most characters of a value an error message shows.
    pub const SHOWN: usize = 64;
}

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(Echo::SHOWN) {
            None => write!(f, "`{}`", self.0),
            Some((cut, _)) => write!(f, "`{}…` ({} characters)", &self.0[..cut], self.0.chars().count()),
        }
    }
}

/// Implements `Display`, `FromStr`, serde (as the string form) and `as_str` for a string newtype.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $name::parse(s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A character that steers a terminal or the direction of text instead of being shown: the C0
/// controls, DEL, the C1 controls (NEL, U+0085, among them), the line and paragraph separators
/// (U+2028, U+2029: a line break to many viewers), and the bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069).
pub fn is_steering(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Unicode's own line breaks besides the controls (UAX #14 BK class).
            '\u{2028}' | '\u{2029}'
            // Bidirectional embeddings, overrides and isolates; the direction marks (LRM, RLM,
            // ALM); invisible characters that make two texts look alike (zero-width space, word
            // joiner, invisible operators, the byte-order mark). ZWJ and ZWNJ are left alone:
            // emoji sequences and Persian and Indic scripts need them.
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
        )
}

/// Whether newlines and tabs in a value are part of the text (a multi-line field, a table cell)
/// or must be escaped like any other control character (one line: an error, a log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Keep,
    Escape,
}

/// `text` with every steering character ([`is_steering`]) written as a Rust-style escape
/// (`\u{1b}`), so that untrusted text shown on a terminal, written to a file or put in a mail
/// cannot move the cursor, set a window title, clear the screen or reverse the text around it.
/// Text without such characters is returned as it is.
pub fn inert(text: &str, lines: Lines) -> Cow<'_, str> {
    let escaped = |c: char| is_steering(c) && !(lines == Lines::Keep && matches!(c, '\n' | '\t'));
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The Unicode canonical composition (NFC) of `text`: the one form of text that looks the same,
/// so that `é` typed as one character or as `e` and a combining accent is one key.
///
/// Text that is already NFC is copied as it is: ASCII always is (it has no combining marks), and
/// other text is when Unicode's quick check (UAX #15, `NFC_Quick_Check`) says so. Only text the
/// quick check cannot clear is recomposed — the intake's flood is almost all ASCII, and
/// recomposing every field was most of its parsing time.
fn nfc(text: &str) -> String {
    if is_nfc(text) {
        return text.to_string();
    }
    text.nfc().collect()
}

/// [`nfc`] of a string crew owns already: returned as it is when it is NFC (no copy).
fn nfc_owned(text: String) -> String {
    if is_nfc(&text) {
        return text;
    }
    text.nfc().collect()
}

/// Whether `text` is NFC by the fast paths of [`nfc`]: ASCII, or cleared by the quick check.
fn is_nfc(text: &str) -> bool {
    text.is_ascii() || unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
}

/// The first characters a spreadsheet takes for the start of a formula (OWASP's CSV injection).
pub const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Refuses a value that a spreadsheet would take for a formula, for fields where such a start
/// makes no sense (a name, an email from the public intake). Output neutralises such cells anyway
/// (`--format csv`); refusing them at the door keeps them out of every other export too.
pub fn refuse_formula(raw: &str) -> Result<()> {
    match raw.trim().chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => Err(Error::bad_input(format!(
            "{} starts with `{c}`, which a spreadsheet would take for a formula",
            Echo(raw)
        ))),
        _ => Ok(()),
    }
}

/// An email address, trimmed, lower-cased and in Unicode NFC, so that one person has one address
/// however it was typed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self> {
        match Email::plain(raw.trim()) {
            Some(email) => Ok(email),
            None => Email::parse_any(raw),
        }
    }

    /// The common case, decided in one pass over the bytes: a valid address of printable ASCII,
    /// lower-cased (ASCII is NFC already). `None` for anything else, which [`Email::parse_any`]
    /// decides and words the error for; on what `plain` takes, the two agree (test
    /// `a_plain_address_parses_as_any_address_does`). An intake parses 100,000 of them and mail
    /// reads each back from its event (BENCHMARKS.md, "Intake").
    fn plain(trimmed: &str) -> Option<Email> {
        let bytes = trimmed.as_bytes();
        if bytes.is_empty() || bytes.len() > 254 {
            return None;
        }
        let mut at = None;
        let mut previous = 0u8;
        for (i, &b) in bytes.iter().enumerate() {
            // Printable ASCII: no space, no control, none of the characters an address refuses.
            if !matches!(b, b'!'..=b'~') || matches!(b, b'<' | b'>' | b',' | b';' | b'"') {
                return None;
            }
            match b {
                b'@' if at.is_some() => return None,
                b'@' => at = Some(i),
                b'.' if previous == b'.' && at.is_some() => return None,
                _ => {}
            }
            previous = b;
        }
        let at = at.filter(|at| *at > 0)?;
        let domain = &bytes[at + 1..];
        if !domain.contains(&b'.') || domain.first() == Some(&b'.') || domain.last() == Some(&b'.') {
            return None;
        }
        Some(Email(trimmed.to_ascii_lowercase()))
    }

    /// Any text: trimmed, lower-cased, NFC, then checked.
    fn parse_any(raw: &str) -> Result<Self> {
        let s = nfc_owned(raw.trim().to_lowercase());
        let bad = |why: &str| Err(Error::bad_input(format!("{} is not a valid email address: {why}", Echo(raw))));
        if s.is_empty() {
            return bad("it is empty");
        }
        if s.len() > 254 {
            return bad("it is longer than 254 characters");
        }
        if s.chars().any(|c| c.is_whitespace() || is_steering(c) || matches!(c, '<' | '>' | ',' | ';' | '"')) {
            return bad("it contains a space or a character not allowed in an address");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad("it has no `@`");
        };
        if local.is_empty() || domain.contains('@') {
            return bad("it needs exactly one `@` with a name before it");
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return bad("the part after `@` is not a domain like `example.com`");
        }
        Ok(Email(s))
    }
}
string_newtype!(Email);

/// The name an account logs in with: 1–64 of `a-z 0-9 . _ - @ +`, lower-cased; or an email
/// address (clients and workers log in with theirs), normalised like [`Email`]. Being ASCII or an
/// email, every login is in Unicode NFC.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Self> {
        if raw.contains('@')
            && let Ok(email) = Email::parse(raw)
        {
            return Ok(Login(email.0));
        }
        let s = raw.trim().to_lowercase();
        if s.is_empty() || s.len() > 64 {
            return Err(Error::bad_input(format!("{} is not a valid login: it must be 1 to 64 characters", Echo(raw))));
        }
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')) {
            return Err(Error::bad_input(format!(
                "{} is not a valid login: use letters, digits and . _ - @ + only",
                Echo(raw)
            )));
        }
        Ok(Login(s))
    }
}
string_newtype!(Login);

/// A short lower-case code: `north`, `deep-cleaning`, `window_washing`. Codes (zones, skills,
/// service types) are ASCII, so no two codes can look alike in different Unicode forms.
fn parse_code(raw: &str, what: &str) -> Result<String> {
    let s = raw.trim().to_lowercase();
    let ok_len = !s.is_empty() && s.len() <= 40;
    let ok_chars = s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let ok_start = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok_len && ok_chars && ok_start {
        Ok(s)
    } else {
        Err(Error::bad_input(format!(
            "{} is not a valid {what}: use 1 to 40 letters, digits, `-` or `_`, starting with a letter or digit",
            Echo(raw)
        )))
    }
}

/// A zone of the city where orders happen and workers live.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Zone(String);
impl Zone {
    pub fn parse(raw: &str) -> Result<Self> {
        parse_code(raw, "zone").map(Zone)
    }
}
string_newtype!(Zone);

/// A skill a worker has and a service type needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skill(String);
impl Skill {
    pub fn parse(raw: &str) -> Result<Self> {
        parse_code(raw, "skill").map(Skill)
    }
}
string_newtype!(Skill);

/// The code of a service type (`cleaning`, `gardening`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceCode(String);
impl ServiceCode {
    pub fn parse(raw: &str) -> Result<Self> {
        parse_code(raw, "service type code").map(ServiceCode)
    }
}
string_newtype!(ServiceCode);

/// A person's or thing's display name: 1–200 characters, no control characters; kept in Unicode
/// NFC, so that a re-sent row that only differs in its Unicode form is the same row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);
impl Name {
    pub fn parse(raw: &str) -> Result<Self> {
        Name::parse_as(raw, "a name")
    }

    /// [`Name::parse`] of another short text (a breed, a coat), its errors saying `what` it is
    /// (`the value must not contain control characters`).
    pub fn parse_as(raw: &str, what: &str) -> Result<Self> {
        let s = nfc(raw.trim());
        if s.is_empty() {
            return Err(Error::bad_input(format!("{what} must not be empty")));
        }
        if s.chars().count() > 200 {
            return Err(Error::bad_input(format!("{what} must be at most 200 characters")));
        }
        if s.chars().any(char::is_control) {
            return Err(Error::bad_input(format!("{what} must not contain control characters")));
        }
        Ok(Name(s))
    }

    /// The name as a plain string (no copy).
    pub fn into_string(self) -> String {
        self.0
    }
}
string_newtype!(Name);

/// Free text (an order's description, a reason): at most 2000 characters, may be empty; kept in
/// Unicode NFC like [`Name`], its line breaks as `\n` (a `\r\n` from a Windows file is one).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(String);
impl Text {
    pub fn parse(raw: &str) -> Result<Self> {
        let mut s = nfc(raw.trim());
        if s.contains("\r\n") {
            s = s.replace("\r\n", "\n");
        }
        if s.chars().count() > 2000 {
            return Err(Error::bad_input("text must be at most 2000 characters"));
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(Error::bad_input("text must not contain control characters"));
        }
        Ok(Text(s))
    }
    /// One line of text a person typed (a reason, a note, a memo, a cause, a hypothesis): what
    /// [`Text::parse`] accepts, but no line break of any kind — newline, carriage return, vertical
    /// tab, form feed, NEL (U+0085), the line and paragraph separators (U+2028, U+2029) — and no
    /// tab or other control character, so that it can never start a line of its own in a log, a
    /// table or a mail subject. Refused with bad input naming the character (`U+000A`). Stored
    /// as a [`Text`]: events recorded before this rule still read.
    pub fn one_line(raw: &str) -> Result<Self> {
        let s = nfc(raw.trim());
        if let Some(c) = s.chars().find(|&c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
            let what = match c {
                '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => "a line break",
                '\t' => "a tab",
                _ => "a control character",
            };
            return Err(Error::bad_input(format!(
                "must be one line: it holds {what} (U+{:04X}); say it on one line",
                u32::from(c)
            )));
        }
        Text::parse(&s)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
string_newtype!(Text);

/// A phone number: digits with optional `+`, spaces, dashes and parentheses; 5–20 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);
impl Phone {
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim();
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let chars_ok = s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
        if chars_ok && (5..=20).contains(&digits) {
            Ok(Phone(s.to_string()))
        } else {
            Err(Error::bad_input(format!("{} is not a valid phone number", Echo(raw))))
        }
    }
}
string_newtype!(Phone);

/// How a client pays its weekly invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    #[default]
    Card,
    BankTransfer,
    Invoice,
}

impl PaymentMethod {
    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim().to_lowercase().replace('-', "_").as_str() {
            "card" => Ok(PaymentMethod::Card),
            "bank_transfer" => Ok(PaymentMethod::BankTransfer),
            "invoice" => Ok(PaymentMethod::Invoice),
            _ => Err(Error::bad_input(format!(
                "{} is not a payment method: use card, bank_transfer or invoice",
                Echo(raw)
            ))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Invoice => "invoice",
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in minor units (cents) of the one configured currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_cents(cents: i64) -> Self {
        Money(cents)
    }
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Parses a decimal string with at most two decimals: `100`, `12.5`, `12.50`, `-3.00`.
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim();
        let bad = || Error::bad_input(format!("{} is not an amount of money: write it like `12.50`", Echo(raw)));
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || (digits.contains('.') && frac.is_empty()) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let cents = whole.checked_mul(100).and_then(|w| w.checked_add(frac_cents)).ok_or_else(bad)?;
        Ok(Money(if negative { -cents } else { cents }))
    }

    /// The largest amount a person may type (an award, a stake, a price or a fine in the
    /// company's rules): 1,000,000,000.00. Far above any real order, and far enough below the
    /// `i64` cents every sum is kept in that no count of such amounts a company could record
    /// overflows a balance.
    pub const MAX_TYPED: Money = Money(100_000_000_000);

    /// Reads an amount a person typed: [`Money::parse`], then at most [`Money::MAX_TYPED`] either
    /// way. Errors: bad input (exit 2) naming the limit.
    pub fn parse_typed(raw: &str) -> Result<Self> {
        let m = Money::parse(raw)?;
        if m.0.unsigned_abs() > Money::MAX_TYPED.0.unsigned_abs() {
            return Err(Error::bad_input(format!(
                "`{}` is more than crew takes: amounts are at most {}",
                raw.trim(),
                Money::MAX_TYPED
            )));
        }
        Ok(m)
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Money::parse(s)
    }
}

/// Money crosses every boundary as a decimal string (`"12.50"`), never a float.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Money::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A skill level from 1 (beginner) to 5 (master).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SkillLevel(u8);
impl SkillLevel {
    pub fn new(level: i64) -> Result<Self> {
        if (1..=5).contains(&level) {
            Ok(SkillLevel(level as u8))
        } else {
            Err(Error::bad_input(format!("skill level {level} is out of range: use 1 to 5")))
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
}
impl<'de> Deserialize<'de> for SkillLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        SkillLevel::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Skills with levels, written `skill:level;skill:level` in files (DESIGN.md §6). A map from
/// skill to level, kept as a list sorted by skill (a worker or candidate has a few skills; an
/// intake parses 100,000 sets, and a map's node per set was most of the time parsing them).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SkillSet(Vec<(Skill, SkillLevel)>);

impl SkillSet {
    /// The most skills one set may list. A worker's or a candidate's skills are a handful; a set
    /// is kept sorted as it is read, and a hostile intake row of 400,000 strengths in reverse
    /// order took 19 s to read (each skill inserted before all the others) while the import held
    /// the database. More is refused, as soon as the first skill too many is read.
    pub const MOST: usize = 64;

    /// Parses `cleaning:3;gardening:2`; a skill may appear once, and at most [`SkillSet::MOST`]
    /// skills. An empty string is an empty set.
    pub fn parse(raw: &str) -> Result<Self> {
        // As many places as parts (an intake holds 100,000 sets: a list grown one at a time
        // would hold room for four), but never room for more than a set may hold.
        let parts = raw.bytes().filter(|b| *b == b';').count() + 1;
        SkillSet::parse_into(Vec::with_capacity(parts.min(SkillSet::MOST)), raw.split(';'), None)
    }

    /// The skills of `parts` (each `skill:level`, or, if `default` is given, `skill` alone for
    /// that level; blank parts are skipped), with the errors of [`SkillSet::parse`]: the part
    /// named as it would read with its level written out.
    pub fn parse_parts<'a>(parts: impl Iterator<Item = &'a str>, default: Option<SkillLevel>) -> Result<Self> {
        SkillSet::parse_into(Vec::new(), parts, default)
    }

    /// [`SkillSet::parse_parts`] into `set` (empty; its capacity is kept).
    fn parse_into<'a>(
        mut set: Vec<(Skill, SkillLevel)>,
        parts: impl Iterator<Item = &'a str>,
        default: Option<SkillLevel>,
    ) -> Result<Self> {
        for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
            let (skill, level) = match (part.split_once(':'), default) {
                (Some((skill, level)), _) => {
                    let skill = Skill::parse(skill)?;
                    let level: i64 = level.trim().parse().map_err(|_| {
                        Error::bad_input(format!("{}: the level must be a whole number from 1 to 5", Echo(part)))
                    })?;
                    (skill, SkillLevel::new(level)?)
                }
                (None, Some(level)) => (Skill::parse(part)?, level),
                (None, None) => {
                    return Err(Error::bad_input(format!("{} is not `skill:level` (e.g. `cleaning:3`)", Echo(part))));
                }
            };
            match set.binary_search_by(|(s, _)| s.cmp(&skill)) {
                Ok(_) => return Err(Error::bad_input(format!("skill `{skill}` is listed twice"))),
                Err(_) if set.len() == SkillSet::MOST => {
                    return Err(Error::bad_input(format!("at most {} skills may be listed", SkillSet::MOST)));
                }
                Err(at) => set.insert(at, (skill, level)),
            }
        }
        Ok(SkillSet(set))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The skills and their levels, by skill.
    pub fn iter(&self) -> impl Iterator<Item = (&Skill, &SkillLevel)> {
        self.0.iter().map(|(s, l)| (s, l))
    }
    pub fn level(&self, skill: &Skill) -> Option<SkillLevel> {
        self.0.binary_search_by(|(s, _)| s.cmp(skill)).ok().map(|i| self.0[i].1)
    }
}

impl fmt::Display for SkillSet {
    /// `cleaning:3;gardening:2` (written piece by piece: an intake stores 100,000 of them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (s, l)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(s.as_str())?;
            f.write_str(":")?;
            // A level is one digit (1 to 5).
            f.write_char(char::from(b'0' + l.get()))?;
        }
        Ok(())
    }
}

impl fmt::Debug for SkillSet {
    /// As the map it is: `SkillSet({Skill("cleaning"): SkillLevel(3)})`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SkillSet(")?;
        f.debug_map().entries(self.iter()).finish()?;
        f.write_str(")")
    }
}

/// A map from skill to level, as JSON has always held it.
impl Serialize for SkillSet {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for SkillSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = BTreeMap::<Skill, SkillLevel>::deserialize(d)?;
        Ok(SkillSet(map.into_iter().collect()))
    }
}

/// A SHA-256 digest as 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha256Hex(String);
impl Sha256Hex {
    pub fn parse(raw: &str) -> Result<Self> {
        let s = raw.trim().to_lowercase();
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Hex(s))
        } else {
            Err(Error::bad_input(format!("{} is not a SHA-256 digest", Echo(raw))))
        }
    }
    /// The digest of some bytes.
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        Sha256Hex(format!("{:x}", Sha256::digest(bytes)))
    }
}
string_newtype!(Sha256Hex);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skill_set_lists_at_most_64_skills() {
        let listed = |n: usize| (0..n).rev().map(|i| format!("s{i}:2")).collect::<Vec<_>>().join(";");
        assert_eq!(SkillSet::parse(&listed(SkillSet::MOST)).unwrap().iter().count(), 64);
        assert_eq!(SkillSet::parse(&listed(65)).unwrap_err().message, "at most 64 skills may be listed");
        // A repeat is named as such even in a full set; a huge list is refused at its 65th skill.
        assert!(SkillSet::parse(&format!("{};s0:1", listed(64))).unwrap_err().message.contains("listed twice"));
        assert!(SkillSet::parse(&listed(400_000)).is_err());
    }

    #[test]
    fn an_echoed_value_is_whole_up_to_64_characters_then_cut_with_its_length() {
        assert_eq!(Echo("").to_string(), "``");
        let at_most = "é".repeat(64);
        assert_eq!(Echo(&at_most).to_string(), format!("`{at_most}`"));
        let longer = format!("{at_most}x");
        assert_eq!(Echo(&longer).to_string(), format!("`{at_most}…` (65 characters)"));
        let huge = "a".repeat(100_000);
        let reason = Email::parse(&huge).unwrap_err().message;
        assert!(reason.len() < 200, "{reason}");
        assert!(reason.contains("(100000 characters) is not a valid email address"), "{reason}");
    }
    use proptest::prelude::*;

    #[test]
    fn money_parses_decimal_strings_into_cents() {
        for (raw, cents) in
            [("100", 10000), ("12.5", 1250), ("12.50", 1250), ("0.07", 7), ("-3.00", -300), (" 7 ", 700)]
        {
            assert_eq!(Money::parse(raw).unwrap().cents(), cents, "{raw}");
        }
    }

    #[test]
    fn money_typed_is_at_most_a_billion_either_way() {
        assert_eq!(Money::parse_typed("1000000000.00").unwrap(), Money::MAX_TYPED);
        assert_eq!(Money::parse_typed("-1000000000.00").unwrap().cents(), -100_000_000_000);
        for over in ["1000000000.01", "-1000000000.01", "92233720368547758.07"] {
            let e = Money::parse_typed(over).unwrap_err();
            assert!(e.message.contains("at most 1000000000.00"), "{over}: {}", e.message);
        }
        assert!(Money::parse_typed("1e9").is_err());
    }

    #[test]
    fn money_rejects_floats_with_too_many_decimals_and_junk() {
        for raw in ["", "12.", ".5", "1.234", "1e3", "abc", "--1", "1,50", "99999999999999999999"] {
            assert!(Money::parse(raw).is_err(), "{raw} should be rejected");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for raw in ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com", "a@.com"] {
            assert!(Email::parse(raw).is_err(), "{raw} should be rejected");
        }
    }

    #[test]
    fn skill_sets_parse_the_interchange_form() {
        let set = SkillSet::parse("gardening:2; cleaning:5").unwrap();
        assert_eq!(set.to_string(), "cleaning:5;gardening:2");
        assert!(SkillSet::parse("cleaning:6").is_err());
        assert!(SkillSet::parse("cleaning:0").is_err());
        assert!(SkillSet::parse("cleaning").is_err());
        assert!(SkillSet::parse("cleaning:2;cleaning:3").is_err());
        assert!(SkillSet::parse("").unwrap().is_empty());
    }

    #[test]
    fn codes_are_lower_case_slugs() {
        assert_eq!(Zone::parse("North").unwrap().as_str(), "north");
        assert!(Zone::parse("").is_err());
        assert!(Zone::parse("north east").is_err());
        assert!(Zone::parse("-north").is_err());
        assert!(Login::parse("Admin").is_ok());
        assert!(Login::parse("ad min").is_err());
        // Every email is a login (clients and workers log in with theirs).
        for email in ["o'brien@x.io", "josé@x.io", &format!("{}@x.io", "a".repeat(70))] {
            assert_eq!(Login::parse(email).unwrap().as_str(), Email::parse(email).unwrap().as_str());
        }
    }

    #[test]
    fn inert_escapes_terminal_and_bidi_controls_and_keeps_the_rest() {
        let check = |raw: &str, lines: Lines, want: &str| assert_eq!(inert(raw, lines), want, "{raw:?}");
        check("plain José", Lines::Escape, "plain José");
        check("\u{1b}[2J\u{1b}]0;pwned\u{7}", Lines::Keep, "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}");
        check("a\u{7f}b\u{9b}c\u{0}", Lines::Keep, "a\\u{7f}b\\u{9b}c\\u{0}");
        check("evil\u{202e}gpj.exe", Lines::Keep, "evil\\u{202e}gpj.exe");
        for c in ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert_eq!(inert(&c.to_string(), Lines::Keep), format!("\\u{{{:x}}}", u32::from(c)));
        }
        for c in ['\u{200b}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{2060}', '\u{2064}', '\u{feff}'] {
            assert_eq!(inert(&format!("Caf\u{e9}{c} x"), Lines::Keep), format!("Caf\u{e9}\\u{{{:x}}} x", u32::from(c)));
        }
        // Unicode's line breaks besides newline (NEL, the line and paragraph separators) are
        // escaped even where newlines are kept: a viewer would start a line there.
        check("a\u{85}b\u{2028}c\u{2029}d", Lines::Keep, "a\\u{85}b\\u{2028}c\\u{2029}d");
        check("a\u{b}b\u{c}c", Lines::Keep, "a\\u{b}b\\u{c}c");
        // Just outside the ranges, and the joiners scripts need: left alone.
        check("\u{2027}\u{202f}\u{2065}\u{206a}\u{a0}", Lines::Keep, "\u{2027}\u{202f}\u{2065}\u{206a}\u{a0}");
        check(
            "\u{200a}\u{200c}\u{200d}\u{2010}\u{205f}\u{fefe}",
            Lines::Keep,
            "\u{200a}\u{200c}\u{200d}\u{2010}\u{205f}\u{fefe}",
        );
        check("two\nlines\tand\ra", Lines::Keep, "two\nlines\tand\\u{d}a");
        check("two\nlines\tand\ra", Lines::Escape, "two\\u{a}lines\\u{9}and\\u{d}a");
        assert!(matches!(inert("nothing to do", Lines::Escape), Cow::Borrowed(_)));
    }

    #[test]
    fn identity_keys_are_one_unicode_form() {
        let composed = "jos\u{e9}@example.com";
        let decomposed = "jose\u{301}@example.com";
        assert_ne!(composed, decomposed);
        assert_eq!(Email::parse(decomposed).unwrap(), Email::parse(composed).unwrap());
        assert_eq!(Email::parse(decomposed).unwrap().as_str(), composed);
        assert_eq!(Login::parse(&decomposed.to_uppercase()).unwrap().as_str(), composed);
        assert_eq!(Name::parse("Zoe\u{308}").unwrap(), Name::parse("Zo\u{eb}").unwrap());
        assert_eq!(Text::parse("cafe\u{301}").unwrap().as_str(), "caf\u{e9}");
        assert_eq!(Text::parse("two\r\nlines").unwrap().as_str(), "two\nlines");
        assert!(Text::parse("over\rwritten").is_err());
        // One line: every line break, the tab and other controls refused, naming the character;
        // the rest as Text::parse (trimmed, NFC, bidi kept for display to escape).
        for (raw, named) in [
            ("line1\nEvent #999", "a line break (U+000A)"),
            ("a\r\nb", "a line break (U+000D)"),
            ("a\u{b}b", "a line break (U+000B)"),
            ("a\u{c}b", "a line break (U+000C)"),
            ("a\u{85}b", "a line break (U+0085)"),
            ("a\u{2028}b", "a line break (U+2028)"),
            ("a\u{2029}b", "a line break (U+2029)"),
            ("a\tb", "a tab (U+0009)"),
            ("a\u{1b}[2Jb", "a control character (U+001B)"),
        ] {
            let e = Text::one_line(raw).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::BadInput);
            assert!(e.message.contains(named), "{raw:?}: {e}");
        }
        assert_eq!(Text::one_line("  cafe\u{301} \n").unwrap().as_str(), "caf\u{e9}", "the ends are trimmed");
        assert_eq!(Text::one_line("evil\u{202e}txt").unwrap().as_str(), "evil\u{202e}txt");
        assert!(Text::one_line(&"x".repeat(2001)).is_err());
        // Codes are ASCII: a decomposed letter is not a code at all.
        assert!(Zone::parse("nore\u{301}").is_err());
    }

    #[test]
    fn addresses_with_steering_characters_are_refused() {
        for raw in ["ann\u{1b}[31m@example.com", "ann\u{202e}@example.com", "ann@exa\u{2066}mple.com", "a\u{85}@x.io"] {
            assert!(Email::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn formula_starts_are_refused_where_asked() {
        for raw in ["=1+1", "+44", "-ann", "@sum(a1)", " =cmd"] {
            let e = refuse_formula(raw).unwrap_err().message;
            assert!(e.contains("formula"), "{e}");
        }
        for raw in ["Ann", "ann@example.com", "O'Brien", "", "1-2"] {
            assert!(refuse_formula(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn the_one_pass_email_path_takes_exactly_the_plain_valid_addresses() {
        let at_limit = format!("{}@example.com", "a".repeat(254 - 12));
        let over = format!("{}@example.com", "a".repeat(255 - 12));
        for (raw, plain) in [
            ("Ann.Lee+x@Example.COM", Some("ann.lee+x@example.com")),
            ("  a@b.c\t", Some("a@b.c")),
            (at_limit.as_str(), Some(at_limit.as_str())),
            (over.as_str(), None),
            ("a@b..c", None),
            ("a..b@c.d", Some("a..b@c.d")),
            ("a@.b", None),
            ("a@b.", None),
            ("a@b", None),
            ("@b.c", None),
            ("a@@b.c", None),
            ("a@b@c.d", None),
            ("a b@c.d", None),
            ("a\"b@c.d", None),
            ("a<b@c.d", None),
            ("a\u{7f}@b.c", None),
            ("zoë@example.com", None),
            ("", None),
        ] {
            assert_eq!(Email::plain(raw.trim()).as_ref().map(Email::as_str), plain, "{raw:?}");
            if let Some(plain) = plain {
                assert_eq!(Email::parse_any(raw).unwrap().as_str(), plain, "{raw:?}");
            }
        }
        assert_eq!(
            Email::parse("zoë@example.com").unwrap().as_str(),
            "zoë@example.com",
            "the general path takes the rest"
        );
    }

    proptest! {
        #[test]
        fn inert_text_holds_no_steering_character(text in "\\PC*|[\\x00-\\x{a0}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}a]{0,20}") {
            prop_assert!(!inert(&text, Lines::Escape).chars().any(is_steering));
            let kept = inert(&text, Lines::Keep);
            prop_assert!(!kept.chars().any(|c| is_steering(c) && c != '\n' && c != '\t'));
        }

        #[test]
        fn money_display_round_trips(cents in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }

        /// What the one-pass path takes, the general path takes the same way; what it leaves to
        /// the general path is anything else (the errors are all worded there). Inputs near the
        /// rules: the characters an address refuses, dots and `@`s anywhere, spaces around,
        /// controls, upper case, non-ASCII, and the length limit.
        #[test]
        fn a_plain_address_parses_as_any_address_does(
            raw in r#"[ \t]?[a-zA-Z0-9.@<>,;"+ -]{0,24}[ \t]?|[aA.@\x{7f}\x{1}\x{e9}\x{0301}\x{200b}]{0,12}|[a.@]{0,12}|\PC{0,16}"#,
            long in 240usize..270,
        ) {
            for raw in [raw.clone(), format!("{}@{}.com", "a".repeat(long - 9), "bcde")] {
                match Email::plain(raw.trim()) {
                    Some(plain) => prop_assert_eq!(Ok(plain), Email::parse_any(&raw).map_err(|e| e.message), "{:?}", raw),
                    None => prop_assert!(
                        Email::parse_any(&raw).is_err() || !raw.trim().is_ascii(),
                        "plain leaves out a valid ASCII address: {:?}", raw
                    ),
                }
            }
        }

        #[test]
        fn email_parse_is_idempotent(local in "[a-zA-Z0-9._+-]{1,20}", domain in "[a-z0-9-]{1,10}\\.[a-z]{2,5}") {
            let e = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
        }

        /// The fast paths (ASCII, the quick check) give exactly what full recomposition gives:
        /// for ASCII, for text of accents and combining marks in every order, and for any text.
        #[test]
        fn nfc_fast_paths_equal_full_recomposition(
            text in "[ -~]{0,30}|[a-zA-Z\\x{c0}-\\x{17f}\\x{300}-\\x{36f}\\x{1100}-\\x{1112}\\x{1161}-\\x{1175}\\x{ac00}-\\x{ac20}]{0,12}|\\PC{0,20}|.{0,20}"
        ) {
            let full: String = text.nfc().collect();
            prop_assert_eq!(nfc(&text), full);
        }
    }

    /// `SkillSet::parse` as it was written when a set was a map: the reference the sorted list
    /// must answer like, errors included.
    fn skill_map(raw: &str) -> Result<BTreeMap<Skill, SkillLevel>> {
        let mut map = BTreeMap::new();
        for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (skill, level) = part
                .split_once(':')
                .ok_or_else(|| Error::bad_input(format!("{} is not `skill:level` (e.g. `cleaning:3`)", Echo(part))))?;
            let skill = Skill::parse(skill)?;
            let level: i64 = level.trim().parse().map_err(|_| {
                Error::bad_input(format!("{}: the level must be a whole number from 1 to 5", Echo(part)))
            })?;
            let level = SkillLevel::new(level)?;
            if map.insert(skill.clone(), level).is_some() {
                return Err(Error::bad_input(format!("skill `{skill}` is listed twice")));
            }
        }
        Ok(map)
    }

    #[test]
    fn a_skill_set_is_kept_in_skill_order_and_crosses_json_as_a_map() {
        let set = SkillSet::parse("gardening:2;cleaning:5;ironing:1").unwrap();
        let skills: Vec<(&str, u8)> = set.iter().map(|(s, l)| (s.as_str(), l.get())).collect();
        assert_eq!(skills, [("cleaning", 5), ("gardening", 2), ("ironing", 1)]);
        assert_eq!(set.level(&Skill::parse("gardening").unwrap()).map(SkillLevel::get), Some(2));
        assert_eq!(set.level(&Skill::parse("repairs").unwrap()), None);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"{"cleaning":5,"gardening":2,"ironing":1}"#);
        assert_eq!(serde_json::from_str::<SkillSet>(r#"{"ironing":1,"cleaning":5,"gardening":2}"#).unwrap(), set);
        assert!(serde_json::from_str::<SkillSet>(r#"{"cleaning":6}"#).is_err());
        assert_eq!(format!("{:?}", SkillSet::parse("a:1").unwrap()), r#"SkillSet({Skill("a"): SkillLevel(1)})"#);
        let defaulted = SkillSet::parse_parts("cleaning; gardening:4,".split([';', ',']), SkillLevel::new(3).ok());
        assert_eq!(defaulted.unwrap().to_string(), "cleaning:3;gardening:4");
    }

    proptest! {
        /// Any text parses to the same skills, or fails with the same message, as it did when a
        /// set was a map.
        #[test]
        fn skill_sets_parse_as_the_map_did(raw in "([a-d ]{0,3}(:[0-7x ]{0,2})?;){0,6}|\\PC{0,12}") {
            let reference = skill_map(&raw).map(|m| m.into_iter().collect::<Vec<_>>()).map_err(|e| e.message);
            let set = SkillSet::parse(&raw).map(|s| s.0).map_err(|e| e.message);
            prop_assert_eq!(set, reference);
        }
    }

    #[test]
    fn nfc_recomposes_what_the_quick_check_cannot_clear() {
        // `e` + combining acute is not NFC; the precomposed `é` is; Hangul jamo compose.
        assert_eq!(nfc("Rene\u{301}e"), "Ren\u{e9}e");
        assert_eq!(nfc("Ren\u{e9}e"), "Ren\u{e9}e");
        assert_eq!(nfc("\u{1100}\u{1161}"), "\u{ac00}");
        assert_eq!(nfc("plain ascii"), "plain ascii");
        assert_eq!(Email::parse("Rene\u{301}e@example.com").unwrap(), Email::parse("ren\u{e9}e@example.com").unwrap());
    }
}
