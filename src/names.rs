//! Protocol and service names, resolved from `/etc/protocols` and
//! `/etc/services` the way iptables resolves them through libc (first entry
//! wins; aliases are accepted when parsing; the canonical name is printed).
//!
//! The files are read once per process. A machine without them still knows
//! the names iptables itself builds in (`xtables_chain_protos`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Names iptables knows without /etc/protocols (`xtables_chain_protos`), in its order.
const CHAIN_PROTOS: &[(&str, u8)] = &[
    ("tcp", 6),
    ("sctp", 132),
    ("udp", 17),
    ("udplite", 136),
    ("icmp", 1),
    ("icmpv6", 58),
    ("ipv6-icmp", 58),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-mh", 135),
    ("mh", 135),
    ("all", 0),
];

struct Protocols {
    by_name: HashMap<String, u8>,
    /// Indexed by number: printing a saved table looks one up for each rule.
    by_number: Vec<Option<String>>,
}

#[derive(Default)]
struct Services {
    /// (name or alias, protocol) -> port
    by_name: HashMap<(String, String), u16>,
}

fn protocols() -> &'static Protocols {
    static P: OnceLock<Protocols> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = Protocols {
            by_name: HashMap::new(),
            by_number: vec![None; 256],
        };
        if let Ok(text) = std::fs::read_to_string("/etc/protocols") {
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                let mut words = line.split_whitespace();
                let (Some(name), Some(num)) = (words.next(), words.next()) else {
                    continue;
                };
                let Ok(num) = num.parse::<u8>() else { continue };
                p.by_number[usize::from(num)].get_or_insert_with(|| name.to_string());
                p.by_name.entry(name.to_string()).or_insert(num);
                for alias in words {
                    p.by_name.entry(alias.to_string()).or_insert(num);
                }
            }
        }
        p
    })
}

fn services() -> &'static Services {
    static S: OnceLock<Services> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Services::default();
        if let Ok(text) = std::fs::read_to_string("/etc/services") {
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("");
                let mut words = line.split_whitespace();
                let (Some(name), Some(port_proto)) = (words.next(), words.next()) else {
                    continue;
                };
                let Some((port, proto)) = port_proto.split_once('/') else {
                    continue;
                };
                let Ok(port) = port.parse::<u16>() else {
                    continue;
                };
                for n in std::iter::once(name).chain(words) {
                    s.by_name
                        .entry((n.to_string(), proto.to_string()))
                        .or_insert(port);
                }
            }
        }
        s
    })
}

/// Parses a `-p` value as iptables does: a number 0..=255, `all`, a name from
/// /etc/protocols, or one of iptables' built-in names. Case is ignored.
pub fn parse_protocol(s: &str) -> Option<u8> {
    // Nearly every rule writes its protocol in lower case: no copy then.
    let lower;
    let s = if s.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = s.to_ascii_lowercase();
        lower.as_str()
    } else {
        s
    };
    if let Some(n) = parse_uint(s) {
        return u8::try_from(n).ok();
    }
    if s == "all" {
        return Some(0);
    }
    if let Some(&n) = protocols().by_name.get(s) {
        return Some(n);
    }
    CHAIN_PROTOS.iter().find(|(n, _)| *n == s).map(|&(_, v)| v)
}

/// The name iptables-save prints for a protocol number, or `None` when it prints
/// the number (`proto_to_name`: /etc/protocols first, then the built-in names).
pub fn protocol_name(proto: u8) -> Option<&'static str> {
    if proto != 0 {
        if let Some(n) = &protocols().by_number[usize::from(proto)] {
            return Some(n);
        }
    }
    CHAIN_PROTOS
        .iter()
        .find(|(_, v)| *v == proto)
        .map(|(n, _)| *n)
}

/// The port of a service name for a protocol name (`getservbyname(name, proto)`).
pub fn service_port(name: &str, proto: &str) -> Option<u16> {
    services()
        .by_name
        .get(&(name.to_string(), proto.to_string()))
        .copied()
}

/// Parses a port as `xtables_parse_port` does: a number 0..=65535, or a service
/// name known for `proto` (a protocol name such as `tcp`).
pub fn parse_port(s: &str, proto: &str) -> Option<u16> {
    match parse_uint(s) {
        Some(n) => u16::try_from(n).ok(),
        None => service_port(s, proto),
    }
}

/// `strtoul` with base 0 the way xtables_strtoul uses it: decimal, `0x` hex or
/// leading-0 octal; the whole string must be consumed; no sign, and (unlike
/// `xtables_strtoul`) no leading blank.
pub fn parse_uint(s: &str) -> Option<u64> {
    // Without a blank or a sign in front, a number starts with a digit;
    // names (`tcp`, `ssh`) are turned away here.
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    crate::xtopt::uint(s, 0, u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_like_strtoul() {
        assert_eq!(parse_uint("22"), Some(22));
        assert_eq!(parse_uint("0x10"), Some(16));
        assert_eq!(parse_uint("010"), Some(8));
        assert_eq!(parse_uint("0"), Some(0));
        assert_eq!(parse_uint("-1"), None);
        assert_eq!(parse_uint("1a"), None);
    }

    #[test]
    fn builtin_protocols_work_without_files() {
        assert_eq!(parse_protocol("TCP"), Some(6));
        assert_eq!(parse_protocol("all"), Some(0));
        assert_eq!(parse_protocol("256"), None);
        assert_eq!(protocol_name(6), Some("tcp"));
        assert_eq!(protocol_name(0), Some("all"));
    }
}
