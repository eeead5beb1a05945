//! The groups file: server roles and their addresses, as a deployment tool
//! keeps them (see [`parse_groups`]).

use crate::addr::{Family, Net};
use crate::error::{Error, Result};

/// One group of a groups file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The name before the colon (`web`).
    pub name: String,
    /// Its addresses, of both families, in file order, each once.
    pub addresses: Vec<Net>,
}

impl Group {
    /// The group's addresses of one family, in order.
    pub fn addresses_of(&self, family: Family) -> impl Iterator<Item = &Net> {
        self.addresses.iter().filter(move |a| a.family() == family)
    }
}

/// Reads a groups file: the server roles a deployment tool keeps (an
/// Ansible inventory's groups, a Salt nodegroup list).
///
/// ```text
/// # role: addresses (IPv4 and IPv6, hosts or networks)
/// web: 192.0.2.10 192.0.2.11 2001:db8::10
/// db:  198.51.100.0/28, 2001:db8:1::/64
/// ```
///
/// One group a line: a name, a colon and white space, then addresses
/// separated by white space or commas (a group may be empty; an address
/// repeated in a group is kept once). `#` starts a comment; blank lines
/// are skipped. Names are letters, digits, `_`, `.` and `-`, not starting
/// with `-` ([`check_group_name`]); each is defined once. An address that
/// does not parse, a line without `name:`, a bad name or a group defined
/// twice is an error naming its line ([`Error::Line`]).
///
/// ```
/// use iptkit::allowlist::parse_groups;
/// let groups = parse_groups("web: 192.0.2.10 192.0.2.11\n# later\ndb: 2001:db8::/64\n")?;
/// assert_eq!(groups[0].name, "web");
/// assert_eq!(groups[1].addresses[0].to_string(), "2001:db8::/64");
/// assert!(parse_groups("web: 192.0.2.10\nweb: 192.0.2.12\n").is_err()); // defined twice
/// # Ok::<(), iptkit::Error>(())
/// ```
pub fn parse_groups(text: &str) -> Result<Vec<Group>> {
    let mut groups: Vec<(usize, Group)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let group = parse_line(line).map_err(|e| e.at_line(i + 1))?;
        if let Some((first, _)) = groups.iter().find(|(_, g)| g.name == group.name) {
            let e = Error::Syntax(format!(
                "group `{}` is already defined on line {first}",
                group.name
            ));
            return Err(e.at_line(i + 1));
        }
        groups.push((i + 1, group));
    }
    Ok(groups.into_iter().map(|(_, g)| g).collect())
}

fn parse_line(line: &str) -> Result<Group> {
    // The colon ends the name only when white space or the end of the
    // line follows: an IPv6 address never has one there (`2001:db8::`).
    let Some((name, rest)) = line
        .split_once(':')
        .filter(|(_, rest)| rest.is_empty() || rest.starts_with(char::is_whitespace))
    else {
        return Err(Error::Syntax(format!(
            "`{line}` is not `group: address ...`"
        )));
    };
    let name = name.trim();
    check_group_name(name)?;
    let mut addresses = Vec::new();
    for word in rest.split(|c: char| c.is_whitespace() || c == ',') {
        if word.is_empty() {
            continue;
        }
        let net: Net = word.parse()?;
        if !addresses.contains(&net) {
            addresses.push(net);
        }
    }
    Ok(Group {
        name: name.into(),
        addresses,
    })
}

/// A group name: letters, digits, `_`, `.`, `-`, not starting with `-`.
pub fn check_group_name(name: &str) -> Result<()> {
    let invalid = |reason| Error::InvalidName {
        what: "group",
        name: name.into(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("empty"));
    }
    if name.starts_with('-') {
        return Err(invalid("may not start with `-'"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(invalid(
            "only letters, digits, `_`, `.` and `-` are allowed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(e: &Error) -> usize {
        match e {
            Error::Line { line, .. } => *line,
            e => panic!("no line: {e}"),
        }
    }

    #[test]
    fn reads_groups_comments_and_both_families() {
        let text = "# fleet\n\nweb: 192.0.2.10  192.0.2.11,2001:db8::10 # front\n\
                    db:\t198.51.100.0/28, 198.51.100.0/28\nempty:\n";
        let g = parse_groups(text).unwrap();
        let names: Vec<&str> = g.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["web", "db", "empty"]);
        let web: Vec<String> = g[0].addresses.iter().map(Net::to_string).collect();
        assert_eq!(web, ["192.0.2.10/32", "192.0.2.11/32", "2001:db8::10/128"]);
        assert_eq!(g[0].addresses_of(Family::Ipv6).count(), 1);
        assert_eq!(g[1].addresses.len(), 1, "a repeated address is kept once");
        assert!(g[2].addresses.is_empty());
    }

    proptest::proptest! {
        /// Any text: an answer, never a panic.
        #[test]
        fn any_text_is_read_without_a_panic(text in "[a-z0-9:./ ,#\n-]{0,80}") {
            let _ = parse_groups(&text);
        }

        /// Groups printed as a file read back as they were.
        #[test]
        fn printed_groups_read_back(
            groups in proptest::collection::vec(
                ("[a-z][a-z0-9_.-]{0,8}", proptest::collection::vec(proptest::prelude::any::<u32>(), 0..4)),
                0..6,
            )
        ) {
            let mut text = String::new();
            let mut want: Vec<Group> = Vec::new();
            for (name, hosts) in groups {
                if want.iter().any(|g| g.name == name) {
                    continue;
                }
                let mut addresses: Vec<Net> = Vec::new();
                for h in hosts {
                    let net = Net::host(std::net::Ipv4Addr::from(h).into());
                    if !addresses.contains(&net) {
                        addresses.push(net);
                    }
                }
                let words: Vec<String> = addresses.iter().map(Net::to_string).collect();
                text.push_str(&format!("{name}: {}  # role\n", words.join(" ")));
                want.push(Group { name, addresses });
            }
            proptest::prop_assert_eq!(parse_groups(&text).unwrap(), want);
        }
    }

    #[test]
    fn errors_name_the_line_and_what() {
        let e = parse_groups("web: 192.0.2.1\ndb: 192.0.2.300\n").unwrap_err();
        assert_eq!(line_of(&e), 2);
        assert_eq!(e.to_string(), "line 2: invalid address `192.0.2.300`");
        let e = parse_groups("web: 192.0.2.1\n\nweb: 192.0.2.2\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: group `web` is already defined on line 1"
        );
        let e = parse_groups("192.0.2.1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 1: `192.0.2.1` is not `group: address ...`"
        );
        for v6 in ["2001:db8::1", "2001:db8::", "::1", "web:192.0.2.1"] {
            let e = parse_groups(v6).unwrap_err();
            assert!(e.to_string().contains("is not `group: address"), "{e}");
        }
        assert_eq!(parse_groups("db: ::1\n").unwrap()[0].name, "db");
        let e = parse_groups("web server: 192.0.2.1\n").unwrap_err();
        assert!(matches!(
            e,
            Error::Line { ref source, .. } if matches!(**source, Error::InvalidName { .. })
        ));
        assert!(parse_groups("-web: 192.0.2.1\n").is_err());
        assert!(parse_groups(": 192.0.2.1\n").is_err());
    }
}
