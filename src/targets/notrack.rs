//! `-j NOTRACK` as older iptables wrote it: the kernel's own NOTRACK target
//! (revision 0, no data). iptables 1.8.9 writes `-j NOTRACK` as `CT` with the
//! NOTRACK alias flag instead (see [`Ct`](super::ct::Ct)), and so does this
//! crate; this type only reads and keeps what older tools left in a table.
//!
//! ```
//! use iptkit::targets::{ct::Ct, notrack::Notrack};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(Family::Ipv4, "-j NOTRACK")?;
//! assert!(rule.target_as::<Notrack>().is_none()); // text makes a Ct
//! assert_eq!(rule.target_as::<Ct>(), Some(&Ct::notrack_alias()));
//! # Ok::<(), iptkit::Error>(())
//! ```

use super::trace::bare_target;

bare_target!(
    /// The kernel's `NOTRACK` target: do not track the packet's connection.
    Notrack, "NOTRACK"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::Ipv4;
    use crate::extension::{Ctx, Extension};
    use crate::targets::{Target, TargetExt};

    #[test]
    fn old_kernel_target_reads_and_text_goes_to_ct() {
        let t = TargetExt::decode(&Ctx::new(Ipv4), "NOTRACK", 0, &[]);
        assert_eq!(t, TargetExt::Notrack(Notrack {}));
        assert!(Notrack::decode(&Ctx::new(Ipv4), 0, &[1, 0, 0, 0, 0, 0, 0, 0]).is_err());
        let r = crate::Rule::parse(Ipv4, "-j NOTRACK").unwrap();
        assert!(
            matches!(r.target, Target::Ext(TargetExt::Ct(_))),
            "{:?}",
            r.target
        );
        assert_eq!(r.to_string(), "-j NOTRACK");
    }
}
