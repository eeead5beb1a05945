//! [`Inv`]: a value with the `!` of iptables in front of it, or not.

/// A condition that may be inverted, like `! -s 10.0.0.0/8` or `! --dport 22`.
///
/// ```
/// use iptkit::{Family, Inv, Net, Rule};
/// let rule = Rule::parse(Family::Ipv4, "! -s 10.0.0.0/8 -j DROP")?;
/// let src = rule.src.unwrap();
/// assert!(src.invert);
/// assert_eq!(src, Inv::not(Net::parse(Family::Ipv4, "10.0.0.0/8")?));
/// assert_eq!(src.to_string(), "! 10.0.0.0/8");
/// // Setting a field by hand: `Inv::is` for a plain test, `Inv::not` for `!`.
/// let mut built = Rule::new(Family::Ipv4);
/// built.dst = Some(Inv::not(Net::parse(Family::Ipv4, "192.0.2.0/24")?));
/// assert_eq!(built.to_string(), "! -d 192.0.2.0/24");
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Inv<T> {
    /// The value compared with.
    pub value: T,
    /// `true` for `! ...`: the rule matches when the value does not.
    pub invert: bool,
}

impl<T> Inv<T> {
    /// A plain (not inverted) condition.
    pub fn is(value: T) -> Self {
        Inv {
            value,
            invert: false,
        }
    }

    /// An inverted condition (`! ...`).
    pub fn not(value: T) -> Self {
        Inv {
            value,
            invert: true,
        }
    }

    /// A condition inverted when `invert` is true.
    pub fn new(value: T, invert: bool) -> Self {
        Inv { value, invert }
    }

    /// `" !"` when inverted, else `""`: the prefix iptables-save prints before an option.
    pub fn bang(&self) -> &'static str {
        if self.invert {
            " !"
        } else {
            ""
        }
    }
}

impl<T> From<T> for Inv<T> {
    fn from(value: T) -> Self {
        Inv::is(value)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Inv<T> {
    /// The value, with `! ` in front when inverted: `! 10.0.0.0/8`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.invert {
            f.write_str("! ")?;
        }
        self.value.fmt(f)
    }
}
