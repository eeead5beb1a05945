//! What libxtables does for every extension's options, in one place for the
//! match and target codecs alike, so that iptkit accepts and refuses the
//! same words as iptables and reads them to the same values.
//!
//! iptables leans on libxtables (`xtoptions.c`, `xtables.c`) and on C
//! library parsers (`strtoul`, `inet_aton`, `getaddrinfo`), whose quirks
//! decide what a rule accepts and how it prints; they are reproduced here.
//!
//! - [`seen`]: the option bookkeeping (once, `!`, mandatory, exclusive);
//! - [`num`]: numbers, ranges and `value/mask`;
//! - [`port`]: ports and port ranges;
//! - [`addr`]: numeric addresses, masks and prefix lengths, MAC addresses;
//! - [`lmap`]: iproute2 name tables;
//! - [`field`]: kernel struct fields (cut strings, 0/1 flags, write-back
//!   checks).

pub(crate) mod addr;
pub(crate) mod field;
pub(crate) mod lmap;
pub(crate) mod num;
pub(crate) mod port;
pub(crate) mod seen;

pub(crate) use addr::*;
pub(crate) use field::*;
pub(crate) use lmap::*;
pub(crate) use num::*;
pub(crate) use port::*;
pub(crate) use seen::*;

/// `s.split_once(sep)` for an ASCII `sep`, by a plain loop over the bytes.
/// The values of a rule are a few bytes long, and `str`'s search for a
/// char goes through `memchr`, which costs more than it saves there; a
/// large table reads several values a rule.
pub(crate) fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s.split(sep)` for an ASCII `sep`, by [`split_once_ascii`].
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match split_once_ascii(r, sep) {
            Some((head, tail)) => {
                rest = Some(tail);
                Some(head)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Who refused a value: `EXT --OPTION` (`option` with or without its dashes).
fn what(ext: &str, option: &str) -> String {
    format!("{ext} --{}", option.trim_start_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_str_splits() {
        for s in ["", ".", "a", "1.2.3.4", "..a.", "a,b", "é.ü"] {
            assert_eq!(
                split_ascii(s, b'.').collect::<Vec<_>>(),
                s.split('.').collect::<Vec<_>>(),
                "{s}"
            );
            assert_eq!(split_once_ascii(s, b'.'), s.split_once('.'), "{s}");
        }
    }
}
