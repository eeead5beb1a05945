//! `-m conntrack` (and `-m state`, which iptables 1.8.9 writes as a conntrack
//! match flagged `XT_CONNTRACK_STATE_ALIAS`): the connection tracking entry
//! of a packet (`xt_conntrack.h`, `struct xt_conntrack_mtinfo1/2/3`).
//!
//! ```
//! use iptkit::matches::conntrack::{Conntrack, CtState};
//! use iptkit::{Family, Rule};
//! // `-m state` (what older scripts use) is read into a Conntrack, and printed
//! // back under its own name.
//! let rule = Rule::parse(Family::Ipv4, "-m state --state ESTABLISHED,RELATED -j ACCEPT")?;
//! let ct = rule.find::<Conntrack>().unwrap();
//! assert!(ct.state_alias);
//! assert_eq!(ct.state.unwrap().value, CtState::ESTABLISHED | CtState::RELATED);
//! assert_eq!(rule.to_string(), "-m state --state RELATED,ESTABLISHED -j ACCEPT");
//! # Ok::<(), iptkit::Error>(())
//! ```

use std::net::IpAddr;

use bitflags::bitflags;
use iptkit_sys::ext::xt_conntrack::*;
use iptkit_sys::Pod;

use super::port::PortRange;
use super::tcp::set_once;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::Seen;
use crate::xtopt::{inet_addr_bytes, inet_addr_of, mask_to_cidr, no_invert, numeric_host};

bitflags! {
    /// Connection states (`--ctstate`, `--state`), `XT_CONNTRACK_STATE_*` bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct CtState: u16 {
        /// The packet belongs to no known connection.
        const INVALID = XT_CONNTRACK_STATE_INVALID;
        /// Part of a connection seen both ways.
        const ESTABLISHED = XT_CONNTRACK_STATE_ESTABLISHED;
        /// Starts a connection related to another one.
        const RELATED = XT_CONNTRACK_STATE_RELATED;
        /// Starts a new connection.
        const NEW = XT_CONNTRACK_STATE_NEW;
        /// The original destination differs from the reply source.
        const SNAT = XT_CONNTRACK_STATE_SNAT;
        /// The original source differs from the reply destination.
        const DNAT = XT_CONNTRACK_STATE_DNAT;
        /// The packet is not tracked.
        const UNTRACKED = XT_CONNTRACK_STATE_UNTRACKED;
        // Bits without a name are kept as they are.
        const _ = !0;
    }
}

bitflags! {
    /// Connection status bits (`--ctstatus`), `IPS_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct CtStatus: u16 {
        /// An expected connection.
        const EXPECTED = IPS_EXPECTED;
        /// Packets have been seen both ways.
        const SEEN_REPLY = IPS_SEEN_REPLY;
        /// The connection will not be dropped early.
        const ASSURED = IPS_ASSURED;
        /// The connection left the box.
        const CONFIRMED = IPS_CONFIRMED;
        // Bits without a name are kept as they are.
        const _ = !0;
    }
}

/// State names as `--ctstate` tries them (prefixes match), and the bit of each.
const STATE_NAMES: &[(&str, CtState)] = &[
    ("INVALID", CtState::INVALID),
    ("NEW", CtState::NEW),
    ("ESTABLISHED", CtState::ESTABLISHED),
    ("RELATED", CtState::RELATED),
    ("UNTRACKED", CtState::UNTRACKED),
    ("SNAT", CtState::SNAT),
    ("DNAT", CtState::DNAT),
];

/// The order iptables prints states in.
const STATE_PRINT: &[(&str, CtState)] = &[
    ("INVALID", CtState::INVALID),
    ("NEW", CtState::NEW),
    ("RELATED", CtState::RELATED),
    ("ESTABLISHED", CtState::ESTABLISHED),
    ("UNTRACKED", CtState::UNTRACKED),
    ("SNAT", CtState::SNAT),
    ("DNAT", CtState::DNAT),
];

/// Status names as `--ctstatus` tries them; NONE is no bit.
const STATUS_NAMES: &[(&str, CtStatus)] = &[
    ("NONE", CtStatus::empty()),
    ("EXPECTED", CtStatus::EXPECTED),
    ("SEEN_REPLY", CtStatus::SEEN_REPLY),
    ("ASSURED", CtStatus::ASSURED),
    ("CONFIRMED", CtStatus::CONFIRMED),
];

/// The mask of a [`CtAddr`], in the forms iptables writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtMask {
    /// Every bit compared; iptables writes all 16 bytes of the field as ones
    /// (no `/len` given, or a mask that is not a prefix).
    Host,
    /// `/len`: the first `len` bits.
    Prefix(u8),
    /// Any other mask, as read from the kernel.
    Mask(IpAddr),
}

/// An address and mask of `--ctorigsrc` and friends. Unlike `-s`, the
/// address is stored as given, not masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtAddr {
    /// The address.
    pub addr: IpAddr,
    /// Which bits of it are compared.
    pub mask: CtMask,
}

/// `--ctexpire`: remaining lifetime range in seconds, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CtExpires {
    /// Lower bound.
    pub min: u32,
    /// Upper bound.
    pub max: u32,
}

/// `--ctdir`: which direction of the connection the packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CtDirection {
    /// `ORIGINAL`: from the initiator.
    Original,
    /// `REPLY`: towards the initiator.
    Reply,
}

/// `-m conntrack`, or `-m state` when [`Conntrack::state_alias`] is set.
///
/// The default is revision 3 (what iptables writes) with no test set.
///
/// ```
/// use iptkit::matches::conntrack::{Conntrack, CtState};
/// use iptkit::{Family, Rule, Target};
/// let rule = Rule::new(Family::Ipv4)
///     .with_match(Conntrack::state(CtState::ESTABLISHED | CtState::RELATED))
///     .with_target(Target::Accept);
/// assert_eq!(rule.to_string(), "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Conntrack {
    /// Kernel struct revision (1, 2 or 3). Revisions 1 and 2 hold single
    /// ports only (a range keeps its first port); revision 1 holds 8-bit
    /// state and status masks (UNTRACKED is lost).
    pub revision: u8,
    /// Built as `-m state --state ...`: saved under that name.
    pub state_alias: bool,
    /// `--ctstate` (`--state` with the alias).
    pub state: Option<Inv<CtState>>,
    /// `--ctproto`: layer-4 protocol number.
    pub proto: Option<Inv<u16>>,
    /// `--ctorigsrc`.
    pub orig_src: Option<Inv<CtAddr>>,
    /// `--ctorigdst`.
    pub orig_dst: Option<Inv<CtAddr>>,
    /// `--ctreplsrc`.
    pub repl_src: Option<Inv<CtAddr>>,
    /// `--ctrepldst`.
    pub repl_dst: Option<Inv<CtAddr>>,
    /// `--ctorigsrcport`.
    pub orig_src_port: Option<Inv<PortRange>>,
    /// `--ctorigdstport`.
    pub orig_dst_port: Option<Inv<PortRange>>,
    /// `--ctreplsrcport`.
    pub repl_src_port: Option<Inv<PortRange>>,
    /// `--ctrepldstport`.
    pub repl_dst_port: Option<Inv<PortRange>>,
    /// `--ctstatus`.
    pub status: Option<Inv<CtStatus>>,
    /// `--ctexpire`.
    pub expires: Option<Inv<CtExpires>>,
    /// `--ctdir`.
    pub direction: Option<CtDirection>,
}

impl Conntrack {
    /// Nothing tested yet: where the parser starts (iptables refuses the match without an option).
    pub(crate) fn empty() -> Conntrack {
        Conntrack {
            revision: 3,
            state_alias: false,
            state: None,
            proto: None,
            orig_src: None,
            orig_dst: None,
            repl_src: None,
            repl_dst: None,
            orig_src_port: None,
            orig_dst_port: None,
            repl_src_port: None,
            repl_dst_port: None,
            status: None,
            expires: None,
            direction: None,
        }
    }
}

impl Conntrack {
    /// `--ctstate STATES`: the connection is in one of `states`.
    #[doc(alias = "ctstate")]
    pub fn state(states: CtState) -> Conntrack {
        Conntrack {
            state: Some(Inv::is(states)),
            ..Conntrack::empty()
        }
    }
}

/// Parses a comma list of names (`--ctstate`, `--ctstatus`, `--state`), each a case-insensitive prefix of one of
/// `names` (the first that fits wins), as `conntrack_ps_states` does.
pub(crate) fn parse_name_list<T: Copy + std::ops::BitOr<Output = T>>(
    option: &str,
    what: &str,
    names: &[(&str, T)],
    empty: T,
    s: &str,
) -> Result<T> {
    let mut v = empty;
    let mut rest = s;
    loop {
        let (item, next) = match rest.split_once(',') {
            Some((item, next)) => (item, Some(next)),
            None => (rest, None),
        };
        let found = names.iter().find(|(name, _)| {
            !item.is_empty()
                && item.len() <= name.len()
                && name.as_bytes()[..item.len()].eq_ignore_ascii_case(item.as_bytes())
        });
        let Some(&(_, bit)) = found else {
            return Err(Error::value(option, s, format!("bad {what} \"{rest}\"")));
        };
        v = v | bit;
        match next {
            Some(n) => rest = n,
            None => return Ok(v),
        }
    }
}

/// Appends ` NAME,NAME...` for the bits of `v` that have a name, in the
/// order of `names` (nothing when none has).
pub(crate) fn print_names<T: Copy + PartialEq + std::ops::BitAnd<Output = T>>(
    out: &mut String,
    names: &[(&str, T)],
    empty: T,
    v: T,
) {
    let mut sep = ' ';
    for &(name, bit) in names {
        if v & bit != empty {
            out.push(sep);
            out.push_str(name);
            sep = ',';
        }
    }
}

impl CtAddr {
    /// The address with every bit compared.
    pub fn host(addr: IpAddr) -> CtAddr {
        CtAddr {
            addr,
            mask: CtMask::Host,
        }
    }

    fn to_kernel(self) -> ([u8; 16], [u8; 16]) {
        let family = Family::of(&self.addr);
        let mask = match self.mask {
            CtMask::Host => [0xff; 16],
            CtMask::Prefix(len) => inet_addr_bytes(family.mask(len)),
            CtMask::Mask(m) => inet_addr_bytes(m),
        };
        (inet_addr_bytes(self.addr), mask)
    }

    fn from_kernel(family: Family, addr: &[u8; 16], mask: &[u8; 16]) -> CtAddr {
        let m = inet_addr_of(family, *mask);
        let tail_clear = family == Family::Ipv6 || mask[4..].iter().all(|&b| b == 0);
        let mask = if *mask == [0xff; 16] {
            CtMask::Host
        } else {
            match mask_to_cidr(m) {
                Some(len) if tail_clear => CtMask::Prefix(len),
                _ => CtMask::Mask(m),
            }
        };
        CtAddr {
            addr: inet_addr_of(family, *addr),
            mask,
        }
    }

    /// Parses `ADDR[/LEN|/MASK]` as `XTTYPE_HOSTMASK` does, without name
    /// lookups: a mask that is not a prefix compares every bit, as in iptables.
    fn parse(family: Family, option: &str, s: &str) -> Result<CtAddr> {
        let ip = |a: &str| numeric_host(family, a);
        let (a, m) = match s.split_once('/') {
            Some((a, m)) => (a, Some(m)),
            None => (s, None),
        };
        let addr = ip(a).ok_or_else(|| {
            Error::value(
                option,
                s,
                format!("not an {family:?} address (host names are not resolved)"),
            )
        })?;
        let bits = family.bits();
        let len = match m {
            None => return Ok(CtAddr::host(addr)),
            Some(m) => match crate::xtopt::uint(m, 0, bits.into()) {
                Some(len) => len as u8,
                None => {
                    let mask = ip(m).ok_or_else(|| {
                        Error::value(
                            option,
                            s,
                            format!("neither a valid network mask nor valid CIDR (0-{bits})"),
                        )
                    })?;
                    match mask_to_cidr(mask) {
                        Some(len) => len,
                        // iptables keeps the host mask it started from.
                        None => return Ok(CtAddr::host(addr)),
                    }
                }
            },
        };
        // A full IPv6 prefix is the same bytes as a plain host; IPv4 `/32` is
        // not (it leaves the other 12 bytes of the field clear).
        let mask = if len == bits && family == Family::Ipv6 {
            CtMask::Host
        } else {
            CtMask::Prefix(len)
        };
        Ok(CtAddr { addr, mask })
    }

    /// `ADDR` or `ADDR/LEN` or `ADDR/MASK`, as `conntrack_dump_addr` prints it.
    fn save(&self, out: &mut String) {
        out.push(' ');
        push_fmt!(out, "{}", crate::addr::ntop(self.addr));
        let family = Family::of(&self.addr);
        let mask = match self.mask {
            CtMask::Host => return,
            CtMask::Prefix(len) => family.mask(len),
            CtMask::Mask(m) => m,
        };
        match mask_to_cidr(mask) {
            Some(len) if len == family.bits() => {}
            Some(len) => push_fmt!(out, "/{len}"),
            None => push_fmt!(out, "/{}", crate::addr::ntop(mask)),
        }
    }
}

/// Takes `--ctorigsrc` and friends into `slot`.
fn parse_addr(
    slot: &mut Option<Inv<CtAddr>>,
    ctx: &Ctx,
    name: &str,
    invert: bool,
    args: &mut Args,
) -> Result<()> {
    let a = CtAddr::parse(ctx.family, name, args.value(name)?)?;
    set_once(slot, name, Inv::new(a, invert))
}

/// Takes `--ctorigsrcport` and friends into `slot`; revisions 1 and 2 hold
/// single ports only.
fn parse_port(
    slot: &mut Option<Inv<PortRange>>,
    revision: u8,
    name: &str,
    invert: bool,
    args: &mut Args,
) -> Result<()> {
    let v = args.value(name)?;
    let r = crate::xtopt::port_range("conntrack", name, v)?;
    if revision < 3 && r.min != r.max {
        return Err(Error::value(
            name,
            v,
            format!("conntrack rev {revision} does not support port ranges"),
        ));
    }
    set_once(slot, name, Inv::new(r, invert))
}

/// Prints ` --NAME LOW` or ` --NAME LOW:HIGH` as `conntrack_dump_ports` does.
fn save_port(out: &mut String, name: &str, p: &Option<Inv<PortRange>>) {
    if let Some(p) = p {
        let r = p.value;
        push_fmt!(out, "{} --{name} {}", p.bang(), r.min);
        if r.max != 0 && r.min != r.max {
            push_fmt!(out, ":{}", r.max);
        }
    }
}

fn save_addr(out: &mut String, name: &str, a: &Option<Inv<CtAddr>>) {
    if let Some(a) = a {
        push_fmt!(out, "{} --{name}", a.bang());
        a.value.save(out);
    }
}

/// The revision-independent middle of the kernel struct, as revision 3 holds it.
fn to_mtinfo3(c: &Conntrack) -> xt_conntrack_mtinfo3 {
    let mut k = xt_conntrack_mtinfo3::zeroed();
    let mut flags = 0u16;
    let mut inv = 0u16;
    let mut mark = |bit: u16, invert: bool| {
        flags |= bit;
        if invert {
            inv |= bit;
        }
    };
    if let Some(s) = c.state {
        mark(XT_CONNTRACK_STATE, s.invert);
        k.state_mask = s.value.bits();
    }
    if let Some(p) = c.proto {
        mark(XT_CONNTRACK_PROTO, p.invert);
        k.l4proto = p.value;
    }
    for (a, bit, addr, mask) in [
        (
            &c.orig_src,
            XT_CONNTRACK_ORIGSRC,
            &mut k.origsrc_addr,
            &mut k.origsrc_mask,
        ),
        (
            &c.orig_dst,
            XT_CONNTRACK_ORIGDST,
            &mut k.origdst_addr,
            &mut k.origdst_mask,
        ),
        (
            &c.repl_src,
            XT_CONNTRACK_REPLSRC,
            &mut k.replsrc_addr,
            &mut k.replsrc_mask,
        ),
        (
            &c.repl_dst,
            XT_CONNTRACK_REPLDST,
            &mut k.repldst_addr,
            &mut k.repldst_mask,
        ),
    ] {
        if let Some(a) = a {
            mark(bit, a.invert);
            (*addr, *mask) = a.value.to_kernel();
        }
    }
    for (p, bit, low, high) in [
        (
            &c.orig_src_port,
            XT_CONNTRACK_ORIGSRC_PORT,
            &mut k.origsrc_port,
            &mut k.origsrc_port_high,
        ),
        (
            &c.orig_dst_port,
            XT_CONNTRACK_ORIGDST_PORT,
            &mut k.origdst_port,
            &mut k.origdst_port_high,
        ),
        (
            &c.repl_src_port,
            XT_CONNTRACK_REPLSRC_PORT,
            &mut k.replsrc_port,
            &mut k.replsrc_port_high,
        ),
        (
            &c.repl_dst_port,
            XT_CONNTRACK_REPLDST_PORT,
            &mut k.repldst_port,
            &mut k.repldst_port_high,
        ),
    ] {
        if let Some(p) = p {
            mark(bit, p.invert);
            (*low, *high) = (p.value.min, p.value.max);
        }
    }
    if let Some(s) = c.status {
        mark(XT_CONNTRACK_STATUS, s.invert);
        k.status_mask = s.value.bits();
    }
    if let Some(e) = c.expires {
        mark(XT_CONNTRACK_EXPIRES, e.invert);
        (k.expires_min, k.expires_max) = (e.value.min, e.value.max);
    }
    if let Some(d) = c.direction {
        mark(XT_CONNTRACK_DIRECTION, d == CtDirection::Reply);
    }
    if c.state_alias {
        flags |= XT_CONNTRACK_STATE_ALIAS;
    }
    k.match_flags = flags;
    k.invert_flags = inv;
    k
}

/// Reads the revision-independent view (revision 3's layout) back.
fn from_mtinfo3(family: Family, revision: u8, k: &xt_conntrack_mtinfo3) -> Conntrack {
    let has = |bit: u16| k.match_flags & bit != 0;
    let inv = |bit: u16| k.invert_flags & bit != 0;
    let opt = |bit: u16| has(bit).then_some(inv(bit));
    let addr = |bit, a: &[u8; 16], m: &[u8; 16]| {
        opt(bit).map(|i| Inv::new(CtAddr::from_kernel(family, a, m), i))
    };
    let port =
        |bit, low: u16, high: u16| opt(bit).map(|i| Inv::new(PortRange::range(low, high), i));
    Conntrack {
        revision,
        state_alias: has(XT_CONNTRACK_STATE_ALIAS),
        state: opt(XT_CONNTRACK_STATE)
            .map(|i| Inv::new(CtState::from_bits_retain(k.state_mask), i)),
        proto: opt(XT_CONNTRACK_PROTO).map(|i| Inv::new(k.l4proto, i)),
        orig_src: addr(XT_CONNTRACK_ORIGSRC, &k.origsrc_addr, &k.origsrc_mask),
        orig_dst: addr(XT_CONNTRACK_ORIGDST, &k.origdst_addr, &k.origdst_mask),
        repl_src: addr(XT_CONNTRACK_REPLSRC, &k.replsrc_addr, &k.replsrc_mask),
        repl_dst: addr(XT_CONNTRACK_REPLDST, &k.repldst_addr, &k.repldst_mask),
        orig_src_port: port(
            XT_CONNTRACK_ORIGSRC_PORT,
            k.origsrc_port,
            k.origsrc_port_high,
        ),
        orig_dst_port: port(
            XT_CONNTRACK_ORIGDST_PORT,
            k.origdst_port,
            k.origdst_port_high,
        ),
        repl_src_port: port(
            XT_CONNTRACK_REPLSRC_PORT,
            k.replsrc_port,
            k.replsrc_port_high,
        ),
        repl_dst_port: port(
            XT_CONNTRACK_REPLDST_PORT,
            k.repldst_port,
            k.repldst_port_high,
        ),
        status: opt(XT_CONNTRACK_STATUS)
            .map(|i| Inv::new(CtStatus::from_bits_retain(k.status_mask), i)),
        expires: opt(XT_CONNTRACK_EXPIRES).map(|i| {
            Inv::new(
                CtExpires {
                    min: k.expires_min,
                    max: k.expires_max,
                },
                i,
            )
        }),
        direction: has(XT_CONNTRACK_DIRECTION).then(|| {
            if inv(XT_CONNTRACK_DIRECTION) {
                CtDirection::Reply
            } else {
                CtDirection::Original
            }
        }),
    }
}

/// Copies the fields every revision has at the same place (all but ports,
/// state and status masks).
macro_rules! copy_common {
    ($dst:expr, $src:expr) => {{
        $dst.origsrc_addr = $src.origsrc_addr;
        $dst.origsrc_mask = $src.origsrc_mask;
        $dst.origdst_addr = $src.origdst_addr;
        $dst.origdst_mask = $src.origdst_mask;
        $dst.replsrc_addr = $src.replsrc_addr;
        $dst.replsrc_mask = $src.replsrc_mask;
        $dst.repldst_addr = $src.repldst_addr;
        $dst.repldst_mask = $src.repldst_mask;
        $dst.expires_min = $src.expires_min;
        $dst.expires_max = $src.expires_max;
        $dst.l4proto = $src.l4proto;
        $dst.match_flags = $src.match_flags;
        $dst.invert_flags = $src.invert_flags;
    }};
}

/// Revision 1/2 single ports (network byte order) to revision 3 ranges.
fn widen_ports(k3: &mut xt_conntrack_mtinfo3, ports: [u16; 4]) {
    let [a, b, c, d] = ports.map(u16::from_be);
    (k3.origsrc_port, k3.origsrc_port_high) = (a, a);
    (k3.origdst_port, k3.origdst_port_high) = (b, b);
    (k3.replsrc_port, k3.replsrc_port_high) = (c, c);
    (k3.repldst_port, k3.repldst_port_high) = (d, d);
}

/// Revision 3 ranges to revision 1/2 single ports (first port, network order).
fn narrow_ports(k3: &xt_conntrack_mtinfo3) -> [u16; 4] {
    [
        k3.origsrc_port,
        k3.origdst_port,
        k3.replsrc_port,
        k3.repldst_port,
    ]
    .map(u16::to_be)
}

impl Conntrack {
    /// True when no test is set (iptables wants at least one).
    fn is_empty(&self) -> bool {
        self.state.is_none()
            && self.proto.is_none()
            && [self.orig_src, self.orig_dst, self.repl_src, self.repl_dst]
                .iter()
                .all(Option::is_none)
            && [
                self.orig_src_port,
                self.orig_dst_port,
                self.repl_src_port,
                self.repl_dst_port,
            ]
            .iter()
            .all(Option::is_none)
            && self.status.is_none()
            && self.expires.is_none()
            && self.direction.is_none()
    }
}

impl Extension for Conntrack {
    const NAME: &'static str = "conntrack";
    const ALIASES: &'static [&'static str] = &["state"];
    const REVISIONS: &'static [u8] = &[1, 2, 3];

    fn example(_family: Family) -> Self {
        Conntrack::empty()
    }

    fn start(_ctx: &Ctx, name: &str) -> Self {
        Conntrack {
            revision: 3,
            state_alias: name == "state",
            ..Conntrack::empty()
        }
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let k3 = match revision {
            1 => {
                let k: xt_conntrack_mtinfo1 = read_struct(Self::NAME, revision, data)?;
                let mut k3 = xt_conntrack_mtinfo3::zeroed();
                copy_common!(k3, k);
                widen_ports(
                    &mut k3,
                    [
                        k.origsrc_port,
                        k.origdst_port,
                        k.replsrc_port,
                        k.repldst_port,
                    ],
                );
                k3.state_mask = k.state_mask.into();
                k3.status_mask = k.status_mask.into();
                k3
            }
            2 => {
                let k: xt_conntrack_mtinfo2 = read_struct(Self::NAME, revision, data)?;
                let mut k3 = xt_conntrack_mtinfo3::zeroed();
                copy_common!(k3, k);
                widen_ports(
                    &mut k3,
                    [
                        k.origsrc_port,
                        k.origdst_port,
                        k.replsrc_port,
                        k.repldst_port,
                    ],
                );
                k3.state_mask = k.state_mask;
                k3.status_mask = k.status_mask;
                k3
            }
            3 => read_struct(Self::NAME, revision, data)?,
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        Ok(from_mtinfo3(ctx.family, revision, &k3))
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let k3 = to_mtinfo3(self);
        match self.revision {
            1 => {
                let mut k = xt_conntrack_mtinfo1::zeroed();
                copy_common!(k, k3);
                [
                    k.origsrc_port,
                    k.origdst_port,
                    k.replsrc_port,
                    k.repldst_port,
                ] = narrow_ports(&k3);
                k.state_mask = k3.state_mask as u8;
                k.status_mask = k3.status_mask as u8;
                out.extend_from_slice(k.as_bytes());
            }
            2 => {
                let mut k = xt_conntrack_mtinfo2::zeroed();
                copy_common!(k, k3);
                [
                    k.origsrc_port,
                    k.origdst_port,
                    k.replsrc_port,
                    k.repldst_port,
                ] = narrow_ports(&k3);
                k.state_mask = k3.state_mask;
                k.status_mask = k3.status_mask;
                out.extend_from_slice(k.as_bytes());
            }
            _ => out.extend_from_slice(k3.as_bytes()),
        }
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        if self.state_alias {
            if option != "state" {
                return Ok(false);
            }
            let v = args.value("--state")?;
            let s = parse_name_list("--state", "state", &STATE_NAMES[..5], CtState::empty(), v)?;
            set_once(&mut self.state, "--state", Inv::new(s, invert))?;
            return Ok(true);
        }
        let dashed = format!("--{option}");
        let name = dashed.as_str();
        let rev = self.revision;
        match option {
            "ctstate" => {
                let v = args.value(name)?;
                let s = parse_name_list(name, "ctstate", STATE_NAMES, CtState::empty(), v)?;
                set_once(&mut self.state, name, Inv::new(s, invert))?;
            }
            "ctproto" => {
                let v = args.value(name)?;
                let p = crate::names::parse_protocol(v).ok_or_else(|| {
                    Error::value(name, v, format!("unknown protocol \"{v}\" specified"))
                })?;
                // iptables tests the wrong bit here (XT_INV_PROTO, which is
                // XT_CONNTRACK_STATUS): refuse what it refuses.
                if p == 0 && self.status.is_some_and(|s| s.invert) {
                    return Err(Error::rule("conntrack", "rule would never match protocol"));
                }
                set_once(&mut self.proto, name, Inv::new(p.into(), invert))?;
            }
            "ctorigsrc" => parse_addr(&mut self.orig_src, ctx, name, invert, args)?,
            "ctorigdst" => parse_addr(&mut self.orig_dst, ctx, name, invert, args)?,
            "ctreplsrc" => parse_addr(&mut self.repl_src, ctx, name, invert, args)?,
            "ctrepldst" => parse_addr(&mut self.repl_dst, ctx, name, invert, args)?,
            "ctorigsrcport" => parse_port(&mut self.orig_src_port, rev, name, invert, args)?,
            "ctorigdstport" => parse_port(&mut self.orig_dst_port, rev, name, invert, args)?,
            "ctreplsrcport" => parse_port(&mut self.repl_src_port, rev, name, invert, args)?,
            "ctrepldstport" => parse_port(&mut self.repl_dst_port, rev, name, invert, args)?,
            "ctstatus" => {
                let v = args.value(name)?;
                let s = parse_name_list(name, "ctstatus", STATUS_NAMES, CtStatus::empty(), v)?;
                set_once(&mut self.status, name, Inv::new(s, invert))?;
            }
            "ctexpire" => {
                let v = args.value(name)?;
                let (min, max) =
                    crate::xtopt::uint_range_full("conntrack", name, v, u32::MAX.into())?;
                let e = CtExpires {
                    min: min as u32,
                    max: max as u32,
                };
                set_once(&mut self.expires, name, Inv::new(e, invert))?;
            }
            "ctdir" => {
                no_invert(Self::NAME, option, invert)?;
                let v = args.value(name)?;
                let d = if v.eq_ignore_ascii_case("ORIGINAL") {
                    CtDirection::Original
                } else if v.eq_ignore_ascii_case("REPLY") {
                    CtDirection::Reply
                } else {
                    return Err(Error::value(name, v, "must be ORIGINAL or REPLY"));
                };
                set_once(&mut self.direction, name, d)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, _seen: Seen) -> Result<()> {
        if self.state_alias && self.state.is_none() {
            return Err(Error::rule("state", "option \"--state\" must be specified"));
        }
        if self.is_empty() {
            return Err(Error::rule("conntrack", "at least one option is required"));
        }
        Ok(())
    }

    fn save_name(&self) -> &'static str {
        if self.state_alias {
            "state"
        } else {
            Self::NAME
        }
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(s) = self.state {
            out.push_str(s.bang());
            out.push_str(if self.state_alias {
                " --state"
            } else {
                " --ctstate"
            });
            print_names(out, STATE_PRINT, CtState::empty(), s.value);
        }
        if let Some(p) = self.proto {
            push_fmt!(out, "{} --ctproto {}", p.bang(), p.value);
        }
        save_addr(out, "ctorigsrc", &self.orig_src);
        save_addr(out, "ctorigdst", &self.orig_dst);
        save_addr(out, "ctreplsrc", &self.repl_src);
        save_addr(out, "ctrepldst", &self.repl_dst);
        save_port(out, "ctorigsrcport", &self.orig_src_port);
        save_port(out, "ctorigdstport", &self.orig_dst_port);
        save_port(out, "ctreplsrcport", &self.repl_src_port);
        save_port(out, "ctrepldstport", &self.repl_dst_port);
        if let Some(s) = self.status {
            push_fmt!(out, "{} --ctstatus", s.bang());
            if s.value.is_empty() {
                out.push_str(" NONE");
            } else {
                print_names(out, &STATUS_NAMES[1..], CtStatus::empty(), s.value);
            }
        }
        if let Some(e) = self.expires {
            push_fmt!(out, "{} --ctexpire {}", e.bang(), e.value.min);
            if e.value.min != e.value.max {
                push_fmt!(out, ":{}", e.value.max);
            }
        }
        match self.direction {
            Some(CtDirection::Original) => out.push_str(" --ctdir ORIGINAL"),
            Some(CtDirection::Reply) => out.push_str(" --ctdir REPLY"),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_rule_spec, split_words};
    use crate::testutil::hex;
    use crate::testutil::round;

    fn parse_one(family: Family, spec: &str) -> Conntrack {
        let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap()).unwrap();
        match &rules[0].matches[0] {
            crate::Match::Conntrack(c) => (**c).clone(),
            m => panic!("not conntrack: {m:?}"),
        }
    }

    /// Encodes `spec`'s match and compares with the kernel's bytes (which
    /// carry 4 bytes of alignment padding), then decodes them back.
    fn both_ways(family: Family, spec: &str, dump: &str, save: &str) {
        let ctx = Ctx::new(family);
        let bytes = hex(dump);
        let c = parse_one(family, spec);
        let mut out = Vec::new();
        c.encode(&ctx, &mut out);
        assert_eq!(out, bytes[..out.len()], "{spec}");
        assert_eq!(out.len() + 4, bytes.len());
        let d = Conntrack::decode(&ctx, c.revision, &bytes).unwrap();
        assert_eq!(d, c, "{spec}");
        let mut s = String::new();
        d.save(&ctx, &mut s);
        assert_eq!(format!(" -m {}{s}", d.save_name()), save);
    }

    const ZERO_ADDRS: &str = "
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000
        0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn kernel_bytes_revision_3() {
        both_ways(
            Family::Ipv4,
            "-m conntrack --ctorigsrcport 4:3 --ctorigdst 1.2.3.4/8 ! --ctstate NEW \
             --ctexpire 5: --ctdir REPLY --ctproto tcp --ctstatus ASSURED",
            "0000000000000000000000000000000000000000000000000000000000000000
             01020304000000000000000000000000ff000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             05000000ffffffff06000400000000000000cb11011008000400030000000000
             0000000000000000",
            " -m conntrack ! --ctstate NEW --ctproto 6 --ctorigdst 1.2.3.4/8 --ctorigsrcport 4:3 \
             --ctstatus ASSURED --ctexpire 5:4294967295 --ctdir REPLY",
        );
        both_ways(
            Family::Ipv4,
            "-m state ! --state NEW,UNTRACKED",
            &format!("{ZERO_ADDRS} 0000000000000000000000000000000000000120010008010000000000000000 0000000000000000"),
            " -m state ! --state NEW,UNTRACKED",
        );
        both_ways(
            Family::Ipv6,
            "-m conntrack ! --ctrepldst 2001:db8::1/64 --ctreplsrcport 80",
            "0000000000000000000000000000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             0000000000000000000000000000000000000000000000000000000000000000
             20010db8000000000000000000000001ffffffffffffffff0000000000000000
             0000000000000000000000000000500000002004200000000000000000005000
             0000000000000000",
            " -m conntrack ! --ctrepldst 2001:db8::1/64 --ctreplsrcport 80",
        );
        // A plain IPv4 host fills the whole mask field with ones; `/32` does not.
        let c = parse_one(Family::Ipv4, "-m conntrack --ctorigsrc 1.2.3.4");
        let mut out = Vec::new();
        c.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(out[16..32], [0xff; 16]);
        let c = parse_one(Family::Ipv4, "-m conntrack --ctorigsrc 1.2.3.4/32");
        let mut out = Vec::new();
        c.encode(&Ctx::new(Family::Ipv4), &mut out);
        assert_eq!(out[16..32], hex("ffffffff000000000000000000000000")[..]);
        assert_eq!(
            Conntrack::decode(&Ctx::new(Family::Ipv4), 3, &out).unwrap(),
            c
        );
    }

    #[test]
    fn revisions_1_and_2() {
        // iptables 1.8.9 writes revision 3 on this kernel; these fixtures follow
        // xt_conntrack.h: single ports in network byte order, revision 1 with
        // 8-bit masks. `--ctstate ESTABLISHED --ctorigdstport 443`.
        let ctx = Ctx::new(Family::Ipv4);
        let mut c = parse_one(
            Family::Ipv4,
            "-m conntrack --ctstate ESTABLISHED --ctorigdstport 443",
        );
        let tail1 = "0000000000000000 0000 0000 01bb 0000 0000 0102 0000 02 00";
        let tail2 = "0000000000000000 0000 0000 01bb 0000 0000 0102 0000 0200 0000 0000";
        for (rev, tail) in [(1, tail1), (2, tail2)] {
            c.revision = rev;
            let bytes = hex(&format!("{ZERO_ADDRS} {tail}"));
            let mut out = Vec::new();
            c.encode(&ctx, &mut out);
            assert_eq!(out, bytes, "revision {rev}");
            assert_eq!(Conntrack::decode(&ctx, rev, &bytes).unwrap(), c);
        }
        assert!(Conntrack::decode(&ctx, 0, &[0; 200]).is_err());
        assert!(Conntrack::decode(&ctx, 3, &[0; 100]).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let ok = |family, spec: &str, want: &str| {
            assert_eq!(round(family, spec).unwrap(), want, "{spec}");
        };
        let v4 = Family::Ipv4;
        ok(
            v4,
            "-m conntrack --ctstate N,e",
            " -m conntrack --ctstate NEW,ESTABLISHED",
        );
        ok(
            v4,
            "-m conntrack --ctstate SNAT,DNAT",
            " -m conntrack --ctstate SNAT,DNAT",
        );
        ok(
            v4,
            "-m conntrack --ctstatus none,assured",
            " -m conntrack --ctstatus ASSURED",
        );
        ok(
            v4,
            "-m conntrack --ctstatus NONE",
            " -m conntrack --ctstatus NONE",
        );
        ok(
            v4,
            "-m conntrack --ctproto all",
            " -m conntrack --ctproto 0",
        );
        ok(
            v4,
            "-m conntrack ! --ctproto 0",
            " -m conntrack ! --ctproto 0",
        );
        ok(
            v4,
            "-m conntrack --ctexpire 3:3",
            " -m conntrack --ctexpire 3",
        );
        ok(
            v4,
            "-m conntrack --ctexpire 4:3",
            " -m conntrack --ctexpire 4:3",
        );
        ok(
            v4,
            "-m conntrack --ctexpire 0x10",
            " -m conntrack --ctexpire 16",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrcport :",
            " -m conntrack --ctorigsrcport 0:65535",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrcport 5:0",
            " -m conntrack --ctorigsrcport 5",
        );
        ok(
            v4,
            "-m conntrack --ctdir reply",
            " -m conntrack --ctdir REPLY",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 1.2.3.4/255.0.0.0",
            " -m conntrack --ctorigsrc 1.2.3.4/8",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 1.2.3.4/255.0.255.0",
            " -m conntrack --ctorigsrc 1.2.3.4",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 1.2.3.4/33",
            " -m conntrack --ctorigsrc 1.2.3.4",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 0.0.0.0/0",
            " -m conntrack --ctorigsrc 0.0.0.0/0",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 1.2.3.4/0x8",
            " -m conntrack --ctorigsrc 1.2.3.4/8",
        );
        ok(
            v4,
            "-m conntrack --ctorigsrc 10.1",
            " -m conntrack --ctorigsrc 10.0.0.1",
        );
        ok(v4, "-m state --state INVALID", " -m state --state INVALID");
        ok(
            Family::Ipv6,
            "-m conntrack --ctorigsrc 2001:db8::1/ffff:ffff::",
            " -m conntrack --ctorigsrc 2001:db8::1/32",
        );
        ok(
            Family::Ipv6,
            "-m state --state NEW,RELATED",
            " -m state --state NEW,RELATED",
        );
    }

    #[test]
    fn refusals() {
        for spec in [
            "-m conntrack",
            "-m state",
            "-m state wrong",
            "-m state --state SNAT",
            "-m state --ctstate NEW",
            "-m conntrack --ctstate wrong",
            "-m conntrack --ctstate NEWX",
            "-m conntrack --ctstate NEW,",
            "-m conntrack --ctstate ,NEW",
            "-m conntrack --ctstatus \"\"",
            "-m conntrack ! --ctstatus NONE --ctproto 0",
            "-m conntrack --ctproto 256",
            "-m conntrack --ctexpire 42949672956",
            "-m conntrack --ctexpire -1",
            "-m conntrack --ctexpire 1:2:3",
            "-m conntrack --ctorigsrc 1.2.3.4/",
            "-m conntrack --ctorigsrc 1.2.3.4/08",
            "-m conntrack --ctorigsrc localhost",
            "-m conntrack ! --ctdir REPLY",
            "-m conntrack --ctdir X",
            "-m conntrack --ctstate NEW --ctstate NEW",
            "-m conntrack --ctorigsrcport 1:2:3",
        ] {
            assert!(round(Family::Ipv4, spec).is_err(), "{spec}");
        }
        assert!(round(Family::Ipv6, "-m conntrack --ctorigsrc 1.1.1.1").is_err());
        assert!(round(Family::Ipv6, "-m conntrack --ctorigsrc ::1/129").is_err());
    }
    /// Every case of extensions/libxt_conntrack.t, extensions/libipt_conntrack.t, extensions/libip6t_conntrack.t, extensions/libxt_state.t that iptables-legacy 1.8.9's parser took or
    /// refused (from the project's conformance data; kernel refusals left out).
    #[test]
    #[rustfmt::skip]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (6, "-m conntrack --ctorigsrc 2001:db8::1", Some(" -m conntrack --ctorigsrc 2001:db8::1")),
            (6, "-m conntrack --ctorigdst 2001:db8::1", Some(" -m conntrack --ctorigdst 2001:db8::1")),
            (6, "-m conntrack --ctreplsrc 2001:db8::1", Some(" -m conntrack --ctreplsrc 2001:db8::1")),
            (6, "-m conntrack --ctrepldst 2001:db8::1", Some(" -m conntrack --ctrepldst 2001:db8::1")),
            (4, "-m conntrack --ctorigsrc 1.1.1.1", Some(" -m conntrack --ctorigsrc 1.1.1.1")),
            (6, "-m conntrack --ctorigsrc 1.1.1.1", None),
            (4, "-m conntrack --ctorigdst 1.1.1.1", Some(" -m conntrack --ctorigdst 1.1.1.1")),
            (6, "-m conntrack --ctorigdst 1.1.1.1", None),
            (4, "-m conntrack --ctreplsrc 1.1.1.1", Some(" -m conntrack --ctreplsrc 1.1.1.1")),
            (6, "-m conntrack --ctreplsrc 1.1.1.1", None),
            (4, "-m conntrack --ctrepldst 1.1.1.1", Some(" -m conntrack --ctrepldst 1.1.1.1")),
            (6, "-m conntrack --ctrepldst 1.1.1.1", None),
            (46, "-m conntrack --ctstate NEW", Some(" -m conntrack --ctstate NEW")),
            (46, "-m conntrack --ctstate NEW,ESTABLISHED", Some(" -m conntrack --ctstate NEW,ESTABLISHED")),
            (46, "-m conntrack --ctstate NEW,RELATED,ESTABLISHED", Some(" -m conntrack --ctstate NEW,RELATED,ESTABLISHED")),
            (46, "-m conntrack --ctstate INVALID", Some(" -m conntrack --ctstate INVALID")),
            (46, "-m conntrack --ctstate UNTRACKED", Some(" -m conntrack --ctstate UNTRACKED")),
            (46, "-m conntrack --ctstate SNAT,DNAT", Some(" -m conntrack --ctstate SNAT,DNAT")),
            (46, "-m conntrack --ctstate wrong", None),
            (46, "-m conntrack --ctproto tcp", Some(" -m conntrack --ctproto 6")),
            (46, "-m conntrack --ctexpire 0", Some(" -m conntrack --ctexpire 0")),
            (46, "-m conntrack --ctexpire 4294967295", Some(" -m conntrack --ctexpire 4294967295")),
            (46, "-m conntrack --ctexpire 0:4294967295", Some(" -m conntrack --ctexpire 0:4294967295")),
            (46, "-m conntrack --ctexpire 42949672956", None),
            (46, "-m conntrack --ctexpire -1", None),
            (46, "-m conntrack --ctexpire 3:3", Some(" -m conntrack --ctexpire 3")),
            (46, "-m conntrack --ctexpire 4:3", Some(" -m conntrack --ctexpire 4:3")),
            (46, "-m conntrack --ctdir ORIGINAL", Some(" -m conntrack --ctdir ORIGINAL")),
            (46, "-m conntrack --ctdir REPLY", Some(" -m conntrack --ctdir REPLY")),
            (46, "-m conntrack --ctstatus NONE", Some(" -m conntrack --ctstatus NONE")),
            (46, "-m conntrack --ctstatus CONFIRMED", Some(" -m conntrack --ctstatus CONFIRMED")),
            (46, "-m conntrack --ctstatus ASSURED", Some(" -m conntrack --ctstatus ASSURED")),
            (46, "-m conntrack --ctstatus EXPECTED", Some(" -m conntrack --ctstatus EXPECTED")),
            (46, "-m conntrack --ctstatus SEEN_REPLY", Some(" -m conntrack --ctstatus SEEN_REPLY")),
            (46, "-m conntrack", None),
            (46, "-m conntrack --ctproto 0", Some(" -m conntrack --ctproto 0")),
            (46, "-m conntrack ! --ctproto 0", Some(" -m conntrack ! --ctproto 0")),
            (46, "-m conntrack --ctorigsrcport :", Some(" -m conntrack --ctorigsrcport 0:65535")),
            (46, "-m conntrack --ctorigsrcport :4", Some(" -m conntrack --ctorigsrcport 0:4")),
            (46, "-m conntrack --ctorigsrcport 4:", Some(" -m conntrack --ctorigsrcport 4:65535")),
            (46, "-m conntrack --ctorigsrcport 3:4", Some(" -m conntrack --ctorigsrcport 3:4")),
            (46, "-m conntrack --ctorigsrcport 4:4", Some(" -m conntrack --ctorigsrcport 4")),
            (46, "-m conntrack --ctorigsrcport 4:3", Some(" -m conntrack --ctorigsrcport 4:3")),
            (46, "-m conntrack --ctreplsrcport :", Some(" -m conntrack --ctreplsrcport 0:65535")),
            (46, "-m conntrack --ctreplsrcport :4", Some(" -m conntrack --ctreplsrcport 0:4")),
            (46, "-m conntrack --ctreplsrcport 4:", Some(" -m conntrack --ctreplsrcport 4:65535")),
            (46, "-m conntrack --ctreplsrcport 3:4", Some(" -m conntrack --ctreplsrcport 3:4")),
            (46, "-m conntrack --ctreplsrcport 4:4", Some(" -m conntrack --ctreplsrcport 4")),
            (46, "-m conntrack --ctreplsrcport 4:3", Some(" -m conntrack --ctreplsrcport 4:3")),
            (46, "-m conntrack --ctorigdstport :", Some(" -m conntrack --ctorigdstport 0:65535")),
            (46, "-m conntrack --ctorigdstport :4", Some(" -m conntrack --ctorigdstport 0:4")),
            (46, "-m conntrack --ctorigdstport 4:", Some(" -m conntrack --ctorigdstport 4:65535")),
            (46, "-m conntrack --ctorigdstport 3:4", Some(" -m conntrack --ctorigdstport 3:4")),
            (46, "-m conntrack --ctorigdstport 4:4", Some(" -m conntrack --ctorigdstport 4")),
            (46, "-m conntrack --ctorigdstport 4:3", Some(" -m conntrack --ctorigdstport 4:3")),
            (46, "-m conntrack --ctrepldstport :", Some(" -m conntrack --ctrepldstport 0:65535")),
            (46, "-m conntrack --ctrepldstport :4", Some(" -m conntrack --ctrepldstport 0:4")),
            (46, "-m conntrack --ctrepldstport 4:", Some(" -m conntrack --ctrepldstport 4:65535")),
            (46, "-m conntrack --ctrepldstport 3:4", Some(" -m conntrack --ctrepldstport 3:4")),
            (46, "-m conntrack --ctrepldstport 4:4", Some(" -m conntrack --ctrepldstport 4")),
            (46, "-m conntrack --ctrepldstport 4:3", Some(" -m conntrack --ctrepldstport 4:3")),
            (46, "-m state --state INVALID", Some(" -m state --state INVALID")),
            (46, "-m state --state NEW,RELATED", Some(" -m state --state NEW,RELATED")),
            (46, "-m state --state UNTRACKED", Some(" -m state --state UNTRACKED")),
            (46, "-m state wrong", None),
            (46, "-m state", None),
        ]);
    }
}
