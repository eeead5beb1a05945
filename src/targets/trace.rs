//! `-j TRACE`: log every rule the packet passes from here on (no options,
//! no kernel data; the `raw` table only).

use crate::error::{Error, Result};
use crate::extension::bad_revision;

/// Checks the data of a target that has none (revision 0, nothing but
/// padding): anything else would not come back as it was.
pub(crate) fn no_data(name: &str, revision: u8, data: &[u8]) -> Result<()> {
    if revision != 0 {
        return Err(bad_revision(name, revision));
    }
    if data.iter().any(|&b| b != 0) {
        return Err(Error::Malformed(format!(
            "{name}: {} bytes of data",
            data.len()
        )));
    }
    Ok(())
}

/// The codec of a target with no options and no kernel data (revision 0):
/// `-j TRACE`, and `-j NOTRACK` as old tools wrote it.
macro_rules! bare_target {
    ($(#[$doc:meta])* $ty:ident, $name:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $ty {}

        impl $crate::extension::Extension for $ty {
            const NAME: &'static str = $name;

            fn example(_family: $crate::addr::Family) -> Self {
                $ty {}
            }

            fn start(_ctx: &$crate::extension::Ctx, _name: &str) -> Self {
                $ty {}
            }

            fn decode(
                _ctx: &$crate::extension::Ctx,
                revision: u8,
                data: &[u8],
            ) -> $crate::error::Result<Self> {
                super::trace::no_data(Self::NAME, revision, data).map(|()| $ty {})
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &$crate::extension::Ctx, _out: &mut Vec<u8>) {}

            fn parse_option(
                &mut self,
                _ctx: &$crate::extension::Ctx,
                _option: &str,
                _invert: bool,
                _args: &mut $crate::extension::Args,
                _seen: &mut $crate::xtopt::Seen,
            ) -> $crate::error::Result<bool> {
                Ok(false)
            }

            fn save(&self, _ctx: &$crate::extension::Ctx, _out: &mut String) {}
        }
    };
}
pub(super) use bare_target;

bare_target!(
    /// `-j TRACE`.
    Trace, "TRACE"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::extension::{Ctx, Extension};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `-j TRACE`: a bare 32-byte target header.
        both_ways(Ipv4, &Trace {}, &[]);
        assert!(Trace::decode(&Ctx::new(Ipv4), 0, &[1]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv4, "-j TRACE", Some("-j TRACE")),
            (Ipv6, "-j TRACE", Some("-j TRACE")),
            (Ipv4, "-j TRACE --foo", None),
        ]);
    }
}
