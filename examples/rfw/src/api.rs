//! The HTTP API's paths as typed requests: `PUT|DELETE
//! /drop|accept/input|output|forward/<iface|any>/<addr[/prefix]>[?wait=..]`
//! and `GET /list[/<chain>]`. Everything a request names is checked here,
//! before it reaches the firewall.

use std::fmt;
use std::time::Duration;

use ipnet::IpNet;
use iptkit::Iface;

use crate::config::parse_net;

/// What a rule does with the packets it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `-j ACCEPT`.
    Accept,
    /// `-j DROP`.
    Drop,
}

/// Which built-in chain a rule sits under, and so which address it
/// matches: the source on `input` and `forward`, the destination on
/// `output`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// `INPUT`: `-i IFACE -s ADDR`.
    Input,
    /// `OUTPUT`: `-o IFACE -d ADDR`.
    Output,
    /// `FORWARD`: `-i IFACE -s ADDR`.
    Forward,
}

impl Action {
    /// Both, in the order their chains are jumped to (accepts first).
    pub const ALL: [Action; 2] = [Action::Accept, Action::Drop];

    /// The word used in paths and chain names.
    pub fn word(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Drop => "drop",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        match s {
            "accept" => Some(Action::Accept),
            "drop" => Some(Action::Drop),
            _ => None,
        }
    }
}

impl Direction {
    /// All three.
    pub const ALL: [Direction; 3] = [Direction::Input, Direction::Output, Direction::Forward];

    /// The word used in paths and chain names.
    pub fn word(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Forward => "forward",
        }
    }

    /// The built-in chain of the filter table.
    pub fn builtin(self) -> &'static str {
        match self {
            Direction::Input => "INPUT",
            Direction::Output => "OUTPUT",
            Direction::Forward => "FORWARD",
        }
    }

    /// Parses `input`, `output`, `forward` (any case).
    pub fn parse(s: &str) -> Option<Direction> {
        match s.to_ascii_lowercase().as_str() {
            "input" => Some(Direction::Input),
            "output" => Some(Direction::Output),
            "forward" => Some(Direction::Forward),
            _ => None,
        }
    }
}

impl From<Action> for iptkit::lists::Action {
    fn from(a: Action) -> Self {
        match a {
            Action::Accept => iptkit::lists::Action::Accept,
            Action::Drop => iptkit::lists::Action::Drop,
        }
    }
}

impl From<Direction> for iptkit::lists::Direction {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Input => iptkit::lists::Direction::Input,
            Direction::Output => iptkit::lists::Direction::Output,
            Direction::Forward => iptkit::lists::Direction::Forward,
        }
    }
}

/// One managed entry's identity: a repeated PUT of the same key changes
/// nothing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// Accept or drop.
    pub action: Action,
    /// The chain it sits under.
    pub direction: Direction,
    /// The interface, `None` for `any`.
    pub iface: Option<String>,
    /// The address or network (host bits cleared).
    pub net: IpNet,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.action.word(),
            self.direction.word(),
            self.iface.as_deref().unwrap_or("any"),
            self.net
        )
    }
}

/// A request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `PUT`: add the entry (expiring after `wait`, if given).
    Put(Key, Option<Duration>),
    /// `DELETE`: remove the entry.
    Delete(Key),
    /// `GET /list[/<chain>]`: the managed entries, of one direction or all.
    List(Option<Direction>),
}

/// A request refused before it reached the firewall: an HTTP status and
/// what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 404, 405, ...
    pub status: u16,
    /// Said to the client in `{"error": ...}`.
    pub message: String,
}

impl Refusal {
    /// A refusal with `status`.
    pub fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            message: message.into(),
        }
    }
}

/// The longest `wait`: about ten years, so that an expiry time always fits.
const MAX_WAIT: u64 = 10 * 366 * 86_400;

/// Reads a method and a request target (path and query).
pub fn parse(method: &str, target: &str) -> Result<Request, Refusal> {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    // Some clients escape the colons of an IPv6 address (`%3A`).
    let decoded =
        percent_decode(path).ok_or_else(|| Refusal::new(400, format!("bad escape in {path:?}")))?;
    let path = decoded.as_str();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts[0] {
        "list" => {
            if method != "GET" {
                return Err(Refusal::new(405, format!("{method} /list: use GET")));
            }
            if query.is_some() {
                return Err(Refusal::new(400, "GET /list takes no query"));
            }
            match parts.as_slice() {
                ["list"] | ["list", ""] => Ok(Request::List(None)),
                ["list", chain] => Direction::parse(chain)
                    .map(|d| Request::List(Some(d)))
                    .ok_or_else(|| {
                        Refusal::new(
                            404,
                            format!("no chain {chain:?}: use input, output or forward"),
                        )
                    }),
                _ => Err(Refusal::new(404, format!("no such path {path:?}"))),
            }
        }
        word => {
            let Some(action) = Action::parse(word) else {
                return Err(Refusal::new(
                    404,
                    format!("no such path {path:?}: use /drop/..., /accept/... or /list/..."),
                ));
            };
            if parts.len() < 4 {
                return Err(Refusal::new(
                    404,
                    format!("no such path {path:?}: use /{word}/input|output|forward/<iface|any>/<addr[/prefix]>"),
                ));
            }
            let direction = Direction::parse(parts[1]).ok_or_else(|| {
                Refusal::new(
                    404,
                    format!("no chain {:?}: use input, output or forward", parts[1]),
                )
            })?;
            let iface = match parts[2] {
                "any" => None,
                name => Some(
                    Iface::new(name)
                        .map_err(|e| Refusal::new(400, format!("interface {name:?}: {e}")))?
                        .name()
                        .to_string(),
                ),
            };
            let addr = parts[3..].join("/");
            if parts.len() > 5 {
                return Err(Refusal::new(
                    400,
                    format!("{addr:?} is not an IP address or network"),
                ));
            }
            let net = parse_net(&addr).map_err(|e| Refusal::new(400, e))?;
            let key = Key {
                action,
                direction,
                iface,
                net,
            };
            match method {
                "PUT" => Ok(Request::Put(key, wait(query)?)),
                "DELETE" => {
                    if query.is_some() {
                        return Err(Refusal::new(400, "DELETE takes no query"));
                    }
                    Ok(Request::Delete(key))
                }
                other => Err(Refusal::new(
                    405,
                    format!("{other} {path}: use PUT or DELETE"),
                )),
            }
        }
    }
}

/// The path with `%XX` escapes decoded; `None` for a bad escape or bytes
/// that are not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `wait=SECS` or a number with a unit (`s`, `m`, `h`, `d`): `10m`.
fn wait(query: Option<&str>) -> Result<Option<Duration>, Refusal> {
    let Some(query) = query else { return Ok(None) };
    let mut found = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("wait", v)) if found.is_none() => found = Some(v),
            _ => {
                return Err(Refusal::new(
                    400,
                    format!("unknown query {pair:?}: only wait=SECS|10m"),
                ))
            }
        }
    }
    let Some(v) = found else { return Ok(None) };
    let bad = || {
        Refusal::new(
            400,
            format!("wait={v:?}: a number of seconds, or a number with s, m, h or d (10m)"),
        )
    };
    let (digits, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => v.split_at(i),
        None => (v, "s"),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let secs = n
        .checked_mul(scale)
        .filter(|s| (1..=MAX_WAIT).contains(s))
        .ok_or_else(|| {
            Refusal::new(
                400,
                format!("wait={v}: between 1 second and {} days", MAX_WAIT / 86_400),
            )
        })?;
    Ok(Some(Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(action: Action, direction: Direction, iface: Option<&str>, net: &str) -> Key {
        Key {
            action,
            direction,
            iface: iface.map(str::to_string),
            net: net.parse().unwrap(),
        }
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse("PUT", "/drop/input/eth0/192.0.2.7").unwrap(),
            Request::Put(
                key(Action::Drop, Direction::Input, Some("eth0"), "192.0.2.7/32"),
                None
            )
        );
        assert_eq!(
            parse("PUT", "/accept/output/any/2001:db8::/32?wait=10m").unwrap(),
            Request::Put(
                key(Action::Accept, Direction::Output, None, "2001:db8::/32"),
                Some(Duration::from_secs(600))
            )
        );
        assert_eq!(
            parse("DELETE", "/drop/forward/any/192.0.2.9/24").unwrap(),
            Request::Delete(key(Action::Drop, Direction::Forward, None, "192.0.2.0/24"))
        );
        assert_eq!(
            parse("GET", "/list/input").unwrap(),
            Request::List(Some(Direction::Input))
        );
        assert_eq!(parse("GET", "/list").unwrap(), Request::List(None));
        assert_eq!(
            parse("PUT", "/drop/input/any/::ffff:192.0.2.1?wait=30").unwrap(),
            Request::Put(
                key(Action::Drop, Direction::Input, None, "192.0.2.1/32"),
                Some(Duration::from_secs(30))
            )
        );
    }

    #[test]
    fn refusals() {
        for (method, target, status) in [
            ("PUT", "/block/input/any/192.0.2.7", 404),
            ("PUT", "/drop/inbound/any/192.0.2.7", 404),
            ("PUT", "/drop/input/any", 404),
            ("PUT", "/drop/input/any/192.0.2.300", 400),
            ("PUT", "/drop/input/any/192.0.2.0/33", 400),
            ("PUT", "/drop/input/any/192.0.2.0/24/1", 400),
            ("PUT", "/drop/input/any/example.com", 400),
            ("PUT", "/drop/input/a-name-far-too-long/192.0.2.7", 400),
            ("PUT", "/drop/input/any/192.0.2.7?wait=0", 400),
            ("PUT", "/drop/input/any/192.0.2.7?wait=5y", 400),
            ("PUT", "/drop/input/any/192.0.2.7?wait=", 400),
            (
                "PUT",
                "/drop/input/any/192.0.2.7?wait=99999999999999999999",
                400,
            ),
            ("PUT", "/drop/input/any/192.0.2.7?when=now", 400),
            ("GET", "/drop/input/any/192.0.2.7", 405),
            ("POST", "/list/input", 405),
            ("GET", "/list/nat", 404),
            ("GET", "/", 404),
            ("DELETE", "/drop/input/any/192.0.2.7?wait=1", 400),
            ("PUT", "/drop/input/any/192.0.2.7%", 400),
            ("PUT", "/drop/input/any/192.0.2.7%zz", 400),
            ("PUT", "/drop/input/any/%ff", 400),
        ] {
            let r = parse(method, target).unwrap_err();
            assert_eq!(r.status, status, "{method} {target}: {}", r.message);
        }
    }
}
