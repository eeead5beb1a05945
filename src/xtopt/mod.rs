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

/// Who refused a value: `EXT --OPTION` (`option` with or without its dashes).
fn what(ext: &str, option: &str) -> String {
    format!("{ext} --{}", option.trim_start_matches('-'))
}
