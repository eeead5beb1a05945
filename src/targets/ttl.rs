//! `-j TTL`: change the IPv4 time to live (`ipt_TTL.h`, `struct
//! ipt_TTL_info`; IPv4 only). Also the operations and option handling it
//! shares with `-j HL`, its IPv6 twin.

use iptkit_sys::ext::ipt_ttl_target::*;
use iptkit_sys::Pod;

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::{uint_option, Opt, Seen};

/// What `-j TTL` / `-j HL` do to the TTL or hop limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TtlOp {
    /// `--ttl-set N` / `--hl-set N`.
    Set(u8),
    /// `--ttl-inc N` / `--hl-inc N` (iptables takes 1 to 255).
    Inc(u8),
    /// `--ttl-dec N` / `--hl-dec N` (iptables takes 1 to 255).
    Dec(u8),
}

impl Default for TtlOp {
    fn default() -> Self {
        TtlOp::Set(0)
    }
}

impl TtlOp {
    /// From the kernel's mode (set 0, inc 1, dec 2, the same for both
    /// targets) and value.
    pub(super) fn from_kernel(ext: &str, mode: u8, value: u8) -> Result<TtlOp> {
        Ok(match mode {
            IPT_TTL_SET => TtlOp::Set(value),
            IPT_TTL_INC => TtlOp::Inc(value),
            IPT_TTL_DEC => TtlOp::Dec(value),
            m => return Err(Error::Malformed(format!("{ext}: mode {m}"))),
        })
    }

    /// The kernel's mode and value.
    pub(super) fn to_kernel(self) -> (u8, u8) {
        match self {
            TtlOp::Set(v) => (IPT_TTL_SET, v),
            TtlOp::Inc(v) => (IPT_TTL_INC, v),
            TtlOp::Dec(v) => (IPT_TTL_DEC, v),
        }
    }

    /// Takes `--{prefix}-set|dec|inc N` of target `ext` (option table
    /// `opts`, in that order), as libipt_TTL / libip6t_HL do.
    pub(super) fn parse(
        ext: &str,
        opts: &[Opt],
        seen: &mut Seen,
        option: &str,
        invert: bool,
        args: &mut Args,
    ) -> Result<Option<TtlOp>> {
        let Some(id) = opts.iter().position(|o| o.name == option) else {
            return Ok(None);
        };
        seen.take_opt(ext, opts, id, invert)?;
        let v = args.value(&format!("--{option}"))?;
        let min = if id == 0 { 0 } else { 1 };
        let n = uint_option(ext, option, v, min, 255)? as u8;
        Ok(Some(match id {
            0 => TtlOp::Set(n),
            1 => TtlOp::Dec(n),
            _ => TtlOp::Inc(n),
        }))
    }

    /// Checks that an operation was given and that there was only one.
    pub(super) fn finish(ext: &str, opts: &[Opt], seen: Seen) -> Result<()> {
        if seen.none() {
            return Err(Error::rule(ext, "you must specify an action"));
        }
        seen.fcheck(ext, opts)
    }

    /// ` --{prefix}-set N` and so on.
    pub(super) fn save(self, prefix: &str, out: &mut String) {
        let (what, n) = match self {
            TtlOp::Set(n) => ("set", n),
            TtlOp::Inc(n) => ("inc", n),
            TtlOp::Dec(n) => ("dec", n),
        };
        push_fmt!(out, " --{prefix}-{what} {n}");
    }
}

/// The option tables of TTL and HL: set, dec, inc, each excluding the others.
pub(super) const fn ttl_opts(set: &'static str, dec: &'static str, inc: &'static str) -> [Opt; 3] {
    [
        Opt::new(set).excl(0b111),
        Opt::new(dec).excl(0b111),
        Opt::new(inc).excl(0b111),
    ]
}

/// The value and codec of `-j TTL` and `-j HL`, which differ only in
/// name, family, kernel struct (`mode` and a `u8` value either way) and
/// option prefix.
macro_rules! ttl_target {
    (
        $(#[$doc:meta])*
        $ty:ident, $name:literal, $family:ident,
        $kernel:ty, $value:ident, prefix: $prefix:literal
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $ty {
            /// The change.
            pub op: TtlOp,
        }

        impl $ty {
            #[doc = concat!("A ", $name, " target doing `op`.")]
            pub fn of(op: TtlOp) -> $ty {
                $ty { op }
            }
        }

        impl Extension for $ty {
            const NAME: &'static str = $name;
            const FAMILIES: &'static [Family] = &[Family::$family];

            fn example(_family: Family) -> Self {
                $ty::default()
            }

            fn start(_ctx: &Ctx, _name: &str) -> Self {
                $ty::default()
            }

            fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
                if revision != 0 {
                    return Err(bad_revision(Self::NAME, revision));
                }
                let k: $kernel = read_struct(Self::NAME, revision, data)?;
                Ok($ty::of(TtlOp::from_kernel(Self::NAME, k.mode, k.$value)?))
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
                let mut k = <$kernel>::zeroed();
                (k.mode, k.$value) = self.op.to_kernel();
                out.extend_from_slice(k.as_bytes());
            }

            fn parse_option(
                &mut self,
                _ctx: &Ctx,
                option: &str,
                invert: bool,
                args: &mut Args,
                seen: &mut Seen,
            ) -> Result<bool> {
                const OPTS: &[Opt] = &super::ttl::ttl_opts(
                    concat!($prefix, "-set"),
                    concat!($prefix, "-dec"),
                    concat!($prefix, "-inc"),
                );
                match TtlOp::parse(Self::NAME, OPTS, seen, option, invert, args)? {
                    Some(op) => self.op = op,
                    None => return Ok(false),
                }
                Ok(true)
            }

            fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
                const OPTS: &[Opt] = &super::ttl::ttl_opts(
                    concat!($prefix, "-set"),
                    concat!($prefix, "-dec"),
                    concat!($prefix, "-inc"),
                );
                TtlOp::finish(Self::NAME, OPTS, seen)
            }

            fn save(&self, _ctx: &Ctx, out: &mut String) {
                self.op.save($prefix, out);
            }
        }
    };
}
pub(super) use ttl_target;

ttl_target!(
    /// `-j TTL --ttl-set|--ttl-inc|--ttl-dec N`.
    TtlTarget, "TTL", Ipv4, ipt_TTL_info, ttl, prefix: "ttl"
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--ttl-inc 5` and `--ttl-set 42`, as the kernel holds them.
        both_ways(
            Ipv4,
            &TtlTarget::of(TtlOp::Inc(5)),
            &[1, 5, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            Ipv4,
            &TtlTarget::of(TtlOp::Set(42)),
            &[0, 42, 0, 0, 0, 0, 0, 0],
        );
        assert!(TtlTarget::decode(&Ctx::new(Ipv4), 0, &[3, 1]).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv4, "-j TTL --ttl-set 42", Some("-j TTL --ttl-set 42")),
            (Ipv4, "-j TTL --ttl-inc 1", Some("-j TTL --ttl-inc 1")),
            (Ipv4, "-j TTL --ttl-dec 1", Some("-j TTL --ttl-dec 1")),
            (Ipv4, "-j TTL --ttl-set 256", None),
            (Ipv4, "-j TTL --ttl-inc 0", None),
            (Ipv4, "-j TTL --ttl-dec 0", None),
            (Ipv4, "-j TTL --ttl-dec 1 --ttl-inc 1", None),
            (Ipv4, "-j TTL --ttl-set --ttl-inc 1", None),
            (Ipv4, "-j TTL --ttl-set 1 --ttl-set 2", None),
            (Ipv4, "-j TTL", None),
            // ip6tables has no TTL target (`Couldn't load target`).
            (Ipv6, "-j TTL --ttl-set 1", None),
        ]);
    }
}
