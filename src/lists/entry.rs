//! One entry of a managed list, and the comment that keeps its expiry and
//! note in the kernel.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::addr::Net;
use crate::error::{Error, Result};
use crate::iface::Iface;
use crate::rule::Counters;

/// What every managed entry's comment starts with.
pub(crate) const PREFIX: &str = "iptkit: expires=";

/// The word for "no expiry" in the comment.
const NEVER: &str = "never";

/// The longest note an entry takes, in bytes: with the longest expiry
/// prefix it stays within the 255 bytes the kernel keeps of a comment, so
/// an entry that fits once fits whatever its expiry becomes.
pub const MAX_NOTE: usize = 200;

/// One network of a managed list, as its rule holds it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use iptkit::lists::Entry;
/// let e = Entry::new("192.0.2.7".parse()?)
///     .expires_at(UNIX_EPOCH + Duration::from_secs(1_800_000_000))
///     .with_comment("port scan");
/// assert_eq!(e.expires, Some(1_800_000_000));
/// assert!(e.is_due(UNIX_EPOCH + Duration::from_secs(1_800_000_000)));
/// assert!(!e.is_due(UNIX_EPOCH + Duration::from_secs(1_799_999_999)));
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The network (`-s`, or `-d` on an output list).
    pub net: Net,
    /// Only on this interface (`-i`, or `-o` on an output list); `None`: any.
    pub iface: Option<Iface>,
    /// When it expires, in seconds since the UNIX epoch (UTC); `None`: never.
    pub expires: Option<u64>,
    /// The caller's note (without the `iptkit: expires=...;` part).
    pub comment: String,
    /// The rule's counters as last read (zero on an entry not read from
    /// the kernel).
    pub counters: Counters,
}

impl Entry {
    /// An entry for `net`, on any interface, that never expires, without a
    /// comment.
    pub fn new(net: Net) -> Entry {
        Entry {
            net,
            iface: None,
            expires: None,
            comment: String::new(),
            counters: Counters::default(),
        }
    }

    /// Sets [`Entry::iface`].
    pub fn on(mut self, iface: Iface) -> Entry {
        self.iface = Some(iface);
        self
    }

    /// Expires `ttl` from now (the system clock), rounded up to a whole
    /// second; `None`: never.
    pub fn ttl(self, ttl: Option<Duration>) -> Entry {
        match ttl {
            Some(ttl) => self.expires_at(SystemTime::now() + ttl),
            None => Entry {
                expires: None,
                ..self
            },
        }
    }

    /// Expires at `when`, rounded up to a whole second.
    pub fn expires_at(mut self, when: SystemTime) -> Entry {
        let since = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        self.expires = Some(since.as_secs() + u64::from(since.subsec_nanos() > 0));
        self
    }

    /// Sets [`Entry::comment`].
    pub fn with_comment(mut self, comment: &str) -> Entry {
        self.comment = comment.to_string();
        self
    }

    /// True when the entry has expired at `now` (its second has come).
    pub fn is_due(&self, now: SystemTime) -> bool {
        self.expires.is_some_and(|e| e <= unix_secs(now))
    }

    /// How long it has left at `now` (zero when due); `None` when it never
    /// expires.
    pub fn remaining(&self, now: SystemTime) -> Option<Duration> {
        let now = unix_secs(now);
        self.expires
            .map(|e| Duration::from_secs(e.saturating_sub(now)))
    }

    /// The rule's comment: `iptkit: expires=SECS; COMMENT` (`expires=never`
    /// when it does not expire; nothing after the `;` without a comment).
    /// A comment with control characters, or longer than [`MAX_NOTE`]
    /// bytes, is refused.
    pub(crate) fn rule_comment(&self) -> Result<String> {
        let refuse = |reason: &str| Error::InvalidValue {
            option: "list entry comment".into(),
            value: self.comment.clone(),
            reason: reason.into(),
        };
        if self.comment.chars().any(char::is_control) {
            return Err(refuse("control characters are not kept"));
        }
        if self.comment.len() > MAX_NOTE {
            return Err(refuse(&format!("longer than {MAX_NOTE} bytes")));
        }
        let expires = match self.expires {
            Some(secs) => secs.to_string(),
            None => NEVER.to_string(),
        };
        Ok(match self.comment.as_str() {
            "" => format!("{PREFIX}{expires};"),
            c => format!("{PREFIX}{expires}; {c}"),
        })
    }
}

/// The expiry and the note of a managed entry's rule comment; `None` when
/// the comment is not one iptkit wrote.
pub(crate) fn parse_comment(text: &str) -> Option<(Option<u64>, String)> {
    let rest = text.strip_prefix(PREFIX)?;
    let (expires, note) = rest.split_once(';')?;
    let expires = match expires {
        NEVER => None,
        secs if !secs.is_empty() && secs.bytes().all(|b| b.is_ascii_digit()) => {
            Some(secs.parse().ok()?)
        }
        _ => return None,
    };
    let note = note.strip_prefix(' ').unwrap_or(note);
    Some((expires, note.to_string()))
}

/// Seconds since the UNIX epoch (0 before it).
pub(crate) fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_both_ways() {
        let e = Entry::new("192.0.2.1".parse().unwrap());
        assert_eq!(e.rule_comment().unwrap(), "iptkit: expires=never;");
        let e = e
            .expires_at(UNIX_EPOCH + Duration::from_millis(1_700_000_000_001))
            .with_comment("scan; from sensor 3");
        let text = e.rule_comment().unwrap();
        assert_eq!(text, "iptkit: expires=1700000001; scan; from sensor 3");
        assert_eq!(
            parse_comment(&text),
            Some((Some(1_700_000_001), "scan; from sensor 3".into()))
        );
        assert_eq!(
            parse_comment("iptkit: expires=never;"),
            Some((None, String::new()))
        );
        for foreign in ["allow ssh", "iptkit: expires=soon; x", "iptkit: expires=12"] {
            assert_eq!(parse_comment(foreign), None, "{foreign}");
        }
    }

    #[test]
    fn refuses_what_the_kernel_would_not_keep() {
        let e = Entry::new("192.0.2.1".parse().unwrap());
        assert!(e.clone().with_comment("a\nb").rule_comment().is_err());
        let longest = e.clone().with_comment(&"x".repeat(MAX_NOTE));
        let longest = Entry {
            expires: Some(u64::MAX),
            ..longest
        };
        assert!(longest.rule_comment().unwrap().len() <= 255);
        assert!(e
            .with_comment(&"x".repeat(MAX_NOTE + 1))
            .rule_comment()
            .is_err());
    }

    #[test]
    fn due_and_remaining() {
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        let e = Entry::new("2001:db8::1".parse().unwrap()).expires_at(at(100));
        assert!(!e.is_due(at(99)) && e.is_due(at(100)));
        assert_eq!(e.remaining(at(40)), Some(Duration::from_secs(60)));
        assert_eq!(e.remaining(at(140)), Some(Duration::ZERO));
        assert_eq!(Entry::new(e.net).remaining(at(1)), None);
        assert!(!Entry::new(e.net).is_due(at(u64::MAX / 2)));
    }
}
