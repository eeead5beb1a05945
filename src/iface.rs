//! Interface names for `-i` / `-o`, with the `+` wildcard.

use std::fmt;
use std::str::FromStr;

use iptkit_sys::xtables::IFNAMSIZ;

use crate::error::{Error, Result};

/// An interface name as in `-i eth0`, or a prefix as in `-i eth+`.
///
/// The kernel compares the bytes selected by a mask: the whole name and its
/// NUL for `eth0`, only `eth` for `eth+`. A lone `+` matches every interface.
///
/// ```
/// use iptkit::{Family, Iface, Rule};
/// let eth = Iface::new("eth+")?;
/// assert!(eth.is_wildcard());
/// let rule = Rule::new(Family::Ipv4).in_interface(eth).out_interface("wg0".parse()?);
/// assert_eq!(rule.to_string(), "-i eth+ -o wg0");
/// assert!(Iface::new("a-name-longer-than-15").is_err()); // IFNAMSIZ
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iface {
    // The name in place, as the kernel's field holds it: no allocation for
    // the one or two interfaces of a rule. Bytes after `len` are zero.
    bytes: [u8; IFNAMSIZ],
    len: u8,
}

impl Iface {
    /// Checks and wraps a name: at most 15 bytes (IFNAMSIZ - 1), no NUL.
    pub fn new(name: &str) -> Result<Iface> {
        if name.len() + 1 > IFNAMSIZ {
            return Err(Error::NameTooLong {
                what: "interface name",
                name: name.into(),
                max: IFNAMSIZ - 1,
            });
        }
        // The kernel's own rule (dev_valid_name) refuses white space; control
        // characters and quotes could not survive iptables-save text either.
        if name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"')
        {
            return Err(Error::InvalidName {
                what: "interface",
                name: name.into(),
                reason: "white space, control characters and quotes are not allowed",
            });
        }
        Ok(Iface::from_bytes(name.as_bytes()))
    }

    /// `bytes` (at most IFNAMSIZ, valid UTF-8) in place.
    fn from_bytes(b: &[u8]) -> Iface {
        let mut bytes = [0u8; IFNAMSIZ];
        bytes[..b.len()].copy_from_slice(b);
        Iface {
            bytes,
            len: b.len() as u8,
        }
    }

    /// The name as written (with its `+`, if any).
    pub fn name(&self) -> &str {
        // Only whole UTF-8 strings are ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// True for a `+` prefix wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.name().ends_with('+')
    }

    /// True when the mask selects nothing (`+` alone, or empty): every interface matches.
    pub fn matches_all(&self) -> bool {
        matches!(self.name(), "" | "+")
    }

    /// The kernel's `iniface`/`iniface_mask` pair.
    pub fn to_kernel(&self) -> ([u8; IFNAMSIZ], [u8; IFNAMSIZ]) {
        let name = self.bytes;
        let mut mask = [0u8; IFNAMSIZ];
        let b = self.name().as_bytes();
        let selected = if b.is_empty() {
            0
        } else if self.is_wildcard() {
            b.len() - 1
        } else {
            b.len() + 1
        };
        mask[..selected.min(IFNAMSIZ)].fill(0xff);
        (name, mask)
    }

    /// Reads the kernel's name/mask pair; `None` when no interface is set.
    /// A name that is not UTF-8 is refused ([`Error::Malformed`]): it could
    /// not be printed, nor written back as it was.
    pub fn from_kernel(name: &[u8; IFNAMSIZ], mask: &[u8; IFNAMSIZ]) -> Result<Option<Iface>> {
        let len = name.iter().position(|&c| c == 0).unwrap_or(IFNAMSIZ);
        if len == 0 && mask[0] == 0 {
            return Ok(None);
        }
        // A mask that stops before the name's end is a prefix match, even when
        // the name was not written with a `+` (other tools may do that).
        let selected = mask.iter().take_while(|&&m| m != 0).count();
        let iface = if selected < len && name[len - 1] != b'+' {
            let mut prefix = Iface::from_bytes(&name[..selected]);
            prefix.bytes[selected] = b'+';
            prefix.len += 1;
            prefix
        } else {
            Iface::from_bytes(&name[..len])
        };
        if std::str::from_utf8(&iface.bytes[..usize::from(iface.len)]).is_err() {
            return Err(Error::Malformed(format!(
                "interface name {:?} is not UTF-8",
                &name[..len]
            )));
        }
        Ok(Some(iface))
    }
}

impl FromStr for Iface {
    type Err = Error;
    fn from_str(s: &str) -> Result<Iface> {
        Iface::new(s)
    }
}

impl fmt::Display for Iface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Debug for Iface {
    /// As the name: `Iface("eth0")`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iface").field(&self.name()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_xtables_parse_interface() {
        let (n, m) = Iface::new("eth0").unwrap().to_kernel();
        assert_eq!(&n[..5], b"eth0\0");
        assert_eq!(&m[..6], &[0xff, 0xff, 0xff, 0xff, 0xff, 0]);
        let (_, m) = Iface::new("eth+").unwrap().to_kernel();
        assert_eq!(&m[..4], &[0xff, 0xff, 0xff, 0]);
        let (_, m) = Iface::new("+").unwrap().to_kernel();
        assert_eq!(m, [0; 16]);
        let (n, m) = Iface::new("abcdefghijklmno").unwrap().to_kernel();
        assert_eq!(m, [0xff; 16]);
        assert_eq!(
            Iface::from_kernel(&n, &m).unwrap().unwrap().name(),
            "abcdefghijklmno"
        );
        assert!(Iface::new("thisinterfaceistoolong0").is_err());
        assert!(Iface::new("-j\r").is_err());
        assert!(Iface::new("a b").is_err());
        for name in ["eth0", "eth+", "+", "x"] {
            let (n, m) = Iface::new(name).unwrap().to_kernel();
            assert_eq!(Iface::from_kernel(&n, &m).unwrap().unwrap().name(), name);
        }
        assert_eq!(Iface::from_kernel(&[0; 16], &[0; 16]).unwrap(), None);
        // Written by another tool: all 16 bytes a name, or a short mask.
        let full = Iface::from_kernel(b"abcdefghijklmnop", &[0xff; 16])
            .unwrap()
            .unwrap();
        assert_eq!(full.name(), "abcdefghijklmnop");
        assert_eq!(full.to_kernel(), (*b"abcdefghijklmnop", [0xff; 16]));
        let mut short = [0u8; 16];
        short[..3].fill(0xff);
        let prefix = Iface::from_kernel(b"eth0\0\0\0\0\0\0\0\0\0\0\0\0", &short).unwrap();
        assert_eq!(prefix.unwrap().name(), "eth+");
        assert_eq!(format!("{:?}", Iface::new("lo").unwrap()), "Iface(\"lo\")");
        let mut bad = [0xffu8; 16];
        bad[15] = 0;
        assert!(Iface::from_kernel(&bad, &[0xff; 16]).is_err());
        let mut utf = [0u8; 16];
        utf[..4].copy_from_slice("ééx".as_bytes().get(..4).unwrap());
        assert!(Iface::from_kernel(
            &utf,
            &[0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        )
        .is_err());
    }
}
