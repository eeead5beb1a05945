//! The iptables-save / iptables-restore text dialect.
//!
//! - [`split_words`]: one line into words, with iptables-restore's quoting.
//! - [`parse_rule_spec`] / [`save_rule_spec`]: a rule spec in and out
//!   (`-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT`).
//! - [`restore`]: whole iptables-restore files, and iptables-save output.

pub(crate) mod bytes;
mod getopt;
mod longopts;
mod rule;
pub(crate) use rule::{write_match, write_rule_spec, write_target, write_target_ext};
mod words;

pub mod restore;

pub(crate) use rule::write_rule_line;
pub use rule::{parse_rule_spec, save_rule_spec, save_rule_spec_as};
pub(crate) use words::save_string_bytes;
pub use words::{save_string, split_words, MAX_WORD};
