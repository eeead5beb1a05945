//! `-m hashlimit`: per-flow rate limits, one token bucket per hash key
//! (`xt_hashlimit.h`, `xt_hashlimit_mtinfo1`/`2`/`3`, revisions 1 to 3).
//!
//! The value holds the kernel's numbers (`avg`, `burst`, `expire`, ...), not
//! the text it was written as: iptables turns `--hashlimit-upto 4kb/s
//! --hashlimit-burst 400kb` into a byte cost and a bucket count, and prints
//! the text back from those numbers. `Hashlimit::save` does the same
//! arithmetic, so it prints exactly what iptables-save prints.
//!
//! ```
//! use iptkit::matches::hashlimit::{HashMode, Hashlimit};
//! use iptkit::{Family, Rule};
//! let rule = Rule::parse(
//!     Family::Ipv4,
//!     "-m hashlimit --hashlimit-upto 50/sec --hashlimit-mode srcip --hashlimit-name ssh -j ACCEPT",
//! )?;
//! let limit = rule.find::<Hashlimit>().unwrap();
//! assert_eq!((limit.name.as_str(), limit.mode), ("ssh", HashMode::SRC_IP));
//! let built = Hashlimit { mode: HashMode::SRC_IP, ..Hashlimit::upto(Family::Ipv4, "50/sec", "ssh")? };
//! assert_eq!(&built, limit);
//! # Ok::<(), iptkit::Error>(())
//! ```

use iptkit_sys::ext::xt_hashlimit::*;
use iptkit_sys::Pod;

use super::recent::parse_u32;
use crate::addr::Family;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, c_str, from_words, read_struct, Args, Ctx, Extension};
use crate::xtopt::{strtol, strtoul, truncated, Seen};

/// Default bucket size (`XT_HASHLIMIT_BURST`).
pub const DEFAULT_BURST: u64 = 5;
/// Default garbage collection interval, ms.
pub const DEFAULT_GC_INTERVAL: u32 = 1000;
/// Largest packet burst at revision 1.
const BURST_MAX_V1: u64 = 10_000;
/// Largest packet burst at revisions 2 and 3.
const BURST_MAX: u64 = 1_000_000;
/// Default expiry of a byte-rate entry, s (`XT_HASHLIMIT_BYTE_EXPIRE`).
const BYTE_EXPIRE: u32 = 15;
/// Default expiry of a byte-rate entry with a burst, s.
const BYTE_EXPIRE_BURST: u32 = 60;

bitflags::bitflags! {
    /// `--hashlimit-mode`: what the hash key is made of.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct HashMode: u32 {
        /// `dstip`.
        const DST_IP = XT_HASHLIMIT_HASH_DIP;
        /// `dstport`.
        const DST_PORT = XT_HASHLIMIT_HASH_DPT;
        /// `srcip`.
        const SRC_IP = XT_HASHLIMIT_HASH_SIP;
        /// `srcport`.
        const SRC_PORT = XT_HASHLIMIT_HASH_SPT;
    }
}

/// Mode words in the order iptables prints them.
const MODE_NAMES: &[(&str, HashMode)] = &[
    ("srcip", HashMode::SRC_IP),
    ("srcport", HashMode::SRC_PORT),
    ("dstip", HashMode::DST_IP),
    ("dstport", HashMode::DST_PORT),
];

// Where the rate's unit in seconds (`/min` is 60; a byte rate is 15) is
// kept in the parser's `Seen` for `finish`.
const AUX_MULT: usize = 0;

// Option ids for the parser's `Seen`.
const O_UPTO: u32 = 1 << 0;
const O_ABOVE: u32 = 1 << 1;
const O_MODE: u32 = 1 << 2;
const O_SRCMASK: u32 = 1 << 3;
const O_DSTMASK: u32 = 1 << 4;
const O_NAME: u32 = 1 << 5;
const O_BURST: u32 = 1 << 6;
const O_SIZE: u32 = 1 << 7;
const O_MAX: u32 = 1 << 8;
const O_GCINT: u32 = 1 << 9;
const O_EXPIRE: u32 = 1 << 10;
const O_RATEMATCH: u32 = 1 << 11;
const O_INTERVAL: u32 = 1 << 12;

/// `-m hashlimit`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Hashlimit {
    /// The kernel struct revision: 3 (what iptables 1.8.9 writes), 2 or 1.
    /// `avg` is in the units of this revision.
    pub revision: u8,
    /// `--hashlimit-name`: the table name (at most 254 bytes; 15 at revision 1).
    pub name: String,
    /// `--hashlimit-above` (match above the rate) rather than `--hashlimit-upto`.
    pub above: bool,
    /// The rate is in bytes (`4kb/s`), not packets (`4/sec`).
    pub bytes: bool,
    /// Packets: the average time between packets, in 1/1,000,000 s
    /// (1/10,000 s at revision 1). Bytes: the kernel's cost of 16 bytes,
    /// `u32::MAX / (bytes_per_second / 16 + 1)`.
    pub avg: u64,
    /// Bucket size: packets, or (byte rates) multiples of the rate; 0 = none.
    pub burst: u64,
    /// `--hashlimit-mode`.
    pub mode: HashMode,
    /// `--hashlimit-htable-size`, 0 = kernel default.
    pub htable_size: u32,
    /// `--hashlimit-htable-max`, 0 = kernel default.
    pub htable_max: u32,
    /// `--hashlimit-htable-gcinterval`, ms.
    pub gc_interval: u32,
    /// `--hashlimit-htable-expire`, ms.
    pub expire: u32,
    /// `--hashlimit-srcmask`: source prefix length grouped together.
    pub srcmask: u8,
    /// `--hashlimit-dstmask`: destination prefix length grouped together.
    pub dstmask: u8,
    /// `--hashlimit-rate-match` (revision 3).
    pub rate_match: bool,
    /// `--hashlimit-rate-interval`, s (revision 3).
    pub interval: u32,
}

impl Hashlimit {
    /// `--hashlimit-upto RATE --hashlimit-name NAME` in a rule of `family`,
    /// with iptables' defaults for the rest (burst 5, expiry from the rate's
    /// unit, masks of the whole address): the rate is written as iptables
    /// takes it, `50/sec`, `3/minute`, `1000/hour`, `4kb/s`, and refused as
    /// iptables refuses it. Set other fields on the value afterwards.
    ///
    /// ```
    /// use iptkit::{matches::hashlimit::Hashlimit, Family, Rule};
    /// let limit = Hashlimit::upto(Family::Ipv4, "50/sec", "ssh")?;
    /// let rule = Rule::new(Family::Ipv4).with_match(limit);
    /// assert_eq!(rule.to_string(), "-m hashlimit --hashlimit-upto 50/sec \
    ///     --hashlimit-burst 5 --hashlimit-name ssh");
    /// assert!(Hashlimit::upto(Family::Ipv4, "fast", "ssh").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn upto(family: Family, rate: &str, name: &str) -> Result<Hashlimit> {
        let ctx = Ctx::new(family);
        from_words(
            &ctx,
            Self::NAME,
            &["--hashlimit-upto", rate, "--hashlimit-name", name],
        )
    }

    /// `--hashlimit-above RATE --hashlimit-name NAME`: matches what goes
    /// faster than the rate; otherwise as [`Hashlimit::upto`].
    pub fn above(family: Family, rate: &str, name: &str) -> Result<Hashlimit> {
        let ctx = Ctx::new(family);
        from_words(
            &ctx,
            Self::NAME,
            &["--hashlimit-above", rate, "--hashlimit-name", name],
        )
    }

    /// The value the parser starts from, with iptables' defaults for
    /// `family` before any option (no rate and no name: not valid alone).
    pub(crate) fn new_for(family: Family) -> Hashlimit {
        Hashlimit {
            revision: 3,
            name: String::new(),
            above: false,
            bytes: false,
            avg: 0,
            burst: DEFAULT_BURST,
            mode: HashMode::empty(),
            htable_size: 0,
            htable_max: 0,
            gc_interval: DEFAULT_GC_INTERVAL,
            expire: 0,
            srcmask: family.bits(),
            dstmask: family.bits(),
            rate_match: false,
            interval: 0,
        }
    }

    fn scale(&self) -> u64 {
        if self.revision == 1 {
            XT_HASHLIMIT_SCALE
        } else {
            XT_HASHLIMIT_SCALE_V2
        }
    }

    fn mode_word(&self) -> u32 {
        let mut m = self.mode.bits();
        if self.above {
            m |= XT_HASHLIMIT_INVERT;
        }
        if self.bytes {
            m |= XT_HASHLIMIT_BYTES;
        }
        if self.rate_match && self.revision >= 3 {
            m |= XT_HASHLIMIT_RATE_MATCH;
        }
        m
    }

    /// Sets the fields of the kernel's mode word; refuses unknown bits.
    fn set_mode_word(&mut self, m: u32) -> Result<()> {
        let mut known = HashMode::all().bits() | XT_HASHLIMIT_INVERT | XT_HASHLIMIT_BYTES;
        if self.revision >= 3 {
            known |= XT_HASHLIMIT_RATE_MATCH;
        }
        if m & !known != 0 {
            return Err(Error::Malformed(format!("hashlimit: mode {m:#x}")));
        }
        self.mode = HashMode::from_bits_retain(m & HashMode::all().bits());
        self.above = m & XT_HASHLIMIT_INVERT != 0;
        self.bytes = m & XT_HASHLIMIT_BYTES != 0;
        self.rate_match = m & XT_HASHLIMIT_RATE_MATCH != 0;
        Ok(())
    }

    /// `--hashlimit-upto`/`--hashlimit-above RATE`: a byte rate (`4kb/s`)
    /// or a packet rate (`4/sec`).
    fn parse_rate(&mut self, option: &str, s: &str, seen: &mut Seen) -> Result<()> {
        let max = if self.revision == 1 {
            u64::from(u32::MAX)
        } else {
            u64::MAX
        };
        let bad = || Error::value(option, s, "bad rate");
        if let Some(pos) = s.find("b/s").filter(|&p| p > 0) {
            let r = strtol(s);
            if r != 0 {
                let v = (r as u64).wrapping_mul(unit_factor(s.as_bytes()[pos - 1]));
                if v > max {
                    return Err(Error::value(
                        option,
                        s,
                        format!("rate value too large (max {max})"),
                    ));
                }
                let cost = bytes_to_cost(v);
                if cost == 0 {
                    return Err(Error::value(option, s, "rate too high"));
                }
                self.avg = cost;
                self.bytes = true;
                seen.aux[AUX_MULT] = BYTE_EXPIRE;
                return Ok(());
            }
        }
        let mut mult = 1u32;
        if let Some((_, unit)) = s.split_once('/') {
            if unit.is_empty() {
                return Err(bad());
            }
            let prefix_of = |word: &str| {
                unit.len() <= word.len() && word[..unit.len()].eq_ignore_ascii_case(unit)
            };
            mult = if prefix_of("second") {
                1
            } else if prefix_of("minute") {
                60
            } else if prefix_of("hour") {
                3600
            } else if prefix_of("day") {
                86400
            } else {
                return Err(bad());
            };
        }
        seen.aux[AUX_MULT] = mult;
        let r = strtol(s);
        if r == 0 {
            return Err(bad());
        }
        let avg = (self.scale() * u64::from(mult)) / (r as u64);
        if avg == 0 {
            return Err(Error::value(option, s, "rate too fast"));
        }
        self.avg = avg;
        Ok(())
    }

    /// `--hashlimit-burst N[k|m]`.
    fn parse_burst(&mut self, s: &str) -> Result<()> {
        let (max, burst_max) = if self.revision == 1 {
            (u64::from(u32::MAX), BURST_MAX_V1)
        } else {
            (u64::MAX, BURST_MAX)
        };
        let bad = || {
            Error::value(
                "--hashlimit-burst",
                s,
                format!("bad value, or out of range (1-{burst_max})"),
            )
        };
        // The number is what strtoul reads (base 0); anything after it is a unit.
        let (v, rest) = strtoul(s).ok_or_else(bad)?;
        if v < 1 || (rest.is_empty() && v > burst_max) {
            return Err(bad());
        }
        let v = v
            .checked_mul(rest.bytes().next().map_or(1, unit_factor))
            .filter(|&v| v <= max)
            .ok_or_else(|| Error::value("--hashlimit-burst", s, "value too large"))?;
        self.burst = v;
        Ok(())
    }
}

/// `get_factor`: `k` and `m` multiply by 1024 and 1024², anything else by 1.
fn unit_factor(c: u8) -> u64 {
    match c {
        b'm' => 1024 * 1024,
        b'k' => 1024,
        _ => 1,
    }
}

/// The kernel's cost of a byte rate (`bytes_to_cost`).
fn bytes_to_cost(bytes: u64) -> u64 {
    let r = (bytes >> XT_HASHLIMIT_BYTE_SHIFT) as u32;
    u64::from(u32::MAX) / (u64::from(r) + 1)
}

/// The byte rate of a cost (`cost_to_bytes`).
fn cost_to_bytes(cost: u64) -> u64 {
    let r = u64::from(u32::MAX)
        .checked_div(cost)
        .unwrap_or(u64::from(u32::MAX));
    r.wrapping_sub(1) << XT_HASHLIMIT_BYTE_SHIFT
}

/// Prints a packet rate as iptables does; returns the unit in ms (the
/// expiry iptables would have chosen for it).
fn print_rate(out: &mut String, period: u64, scale: u64) -> u64 {
    let rates = [
        ("day", scale * 86400),
        ("hour", scale * 3600),
        ("min", scale * 60),
        ("sec", scale),
    ];
    if period == 0 {
        out.push_str(" inf");
        return 0;
    }
    let mut i = 1;
    while i < rates.len() {
        let m = rates[i].1;
        if period > m || m / period < m % period {
            break;
        }
        i += 1;
    }
    let (name, mult) = rates[i - 1];
    push_fmt!(out, " {}/{name}", mult / period);
    mult / scale * 1000
}

const UNITS: [(&str, u64); 3] = [("m", 1024 * 1024), ("k", 1024), ("", 1)];

/// Prints a byte rate and its burst as iptables does; returns the expiry,
/// ms, iptables would have chosen.
fn print_bytes(out: &mut String, avg: u64, burst: u64) -> u64 {
    let r = cost_to_bytes(avg);
    let (name, thresh) = UNITS
        .iter()
        .take(2)
        .find(|(_, t)| r >= *t && bytes_to_cost(r & !(t - 1)) == avg)
        .copied()
        .unwrap_or(UNITS[2]);
    push_fmt!(out, " {}{name}b/s", r / thresh);
    if burst == 0 {
        return u64::from(BYTE_EXPIRE) * 1000;
    }
    let r = r.wrapping_mul(burst);
    let (name, thresh) = UNITS
        .iter()
        .take(2)
        .find(|(_, t)| r >= *t)
        .copied()
        .unwrap_or(UNITS[2]);
    push_fmt!(out, " --hashlimit-burst {}{name}b", r / thresh);
    u64::from(BYTE_EXPIRE_BURST) * 1000
}

impl Extension for Hashlimit {
    const NAME: &'static str = "hashlimit";
    const REVISIONS: &'static [u8] = &[1, 2, 3];

    fn example(family: Family) -> Self {
        Hashlimit::upto(family, "1/sec", "example").expect("a valid rate and name")
    }

    fn start(ctx: &Ctx, _name: &str) -> Self {
        Hashlimit::new_for(ctx.family)
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let mut h = Hashlimit {
            revision,
            ..Hashlimit::new_for(ctx.family)
        };
        let mode = match revision {
            1 => {
                let k: xt_hashlimit_mtinfo1 = read_struct(Self::NAME, revision, data)?;
                let c = k.cfg;
                h.name = c_str(&k.name);
                (h.avg, h.burst) = (c.avg.into(), c.burst.into());
                (h.htable_size, h.htable_max) = (c.size, c.max);
                (h.gc_interval, h.expire) = (c.gc_interval, c.expire);
                (h.srcmask, h.dstmask) = (c.srcmask, c.dstmask);
                c.mode
            }
            2 => {
                let k: xt_hashlimit_mtinfo2 = read_struct(Self::NAME, revision, data)?;
                let c = k.cfg;
                h.name = c_str(&k.name);
                (h.avg, h.burst) = (c.avg, c.burst);
                (h.htable_size, h.htable_max) = (c.size, c.max);
                (h.gc_interval, h.expire) = (c.gc_interval, c.expire);
                (h.srcmask, h.dstmask) = (c.srcmask, c.dstmask);
                c.mode
            }
            3 => {
                let k: xt_hashlimit_mtinfo3 = read_struct(Self::NAME, revision, data)?;
                let c = k.cfg;
                h.name = c_str(&k.name);
                (h.avg, h.burst) = (c.avg, c.burst);
                (h.htable_size, h.htable_max) = (c.size, c.max);
                (h.gc_interval, h.expire) = (c.gc_interval, c.expire);
                (h.srcmask, h.dstmask) = (c.srcmask, c.dstmask);
                h.interval = c.interval;
                c.mode
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        h.set_mode_word(mode)?;
        Ok(h)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        match self.revision {
            1 => {
                let mut k = xt_hashlimit_mtinfo1::zeroed();
                // Values too long for the revision 1 fields are cut.
                let _ = crate::extension::put_c_str("hashlimit name", &self.name, &mut k.name);
                k.cfg = hashlimit_cfg1 {
                    mode: self.mode_word(),
                    avg: self.avg as u32,
                    burst: self.burst as u32,
                    size: self.htable_size,
                    max: self.htable_max,
                    gc_interval: self.gc_interval,
                    expire: self.expire,
                    srcmask: self.srcmask,
                    dstmask: self.dstmask,
                    __pad0: [0; 2],
                };
                out.extend_from_slice(k.as_bytes());
            }
            2 => {
                let mut k = xt_hashlimit_mtinfo2::zeroed();
                let _ = crate::extension::put_c_str("hashlimit name", &self.name, &mut k.name);
                k.cfg = hashlimit_cfg2 {
                    avg: self.avg,
                    burst: self.burst,
                    mode: self.mode_word(),
                    size: self.htable_size,
                    max: self.htable_max,
                    gc_interval: self.gc_interval,
                    expire: self.expire,
                    srcmask: self.srcmask,
                    dstmask: self.dstmask,
                    __pad0: [0; 2],
                };
                out.extend_from_slice(k.as_bytes());
            }
            _ => {
                let mut k = xt_hashlimit_mtinfo3::zeroed();
                let _ = crate::extension::put_c_str("hashlimit name", &self.name, &mut k.name);
                k.cfg = hashlimit_cfg3 {
                    avg: self.avg,
                    burst: self.burst,
                    mode: self.mode_word(),
                    size: self.htable_size,
                    max: self.htable_max,
                    gc_interval: self.gc_interval,
                    expire: self.expire,
                    interval: self.interval,
                    srcmask: self.srcmask,
                    dstmask: self.dstmask,
                    __pad0: [0; 6],
                };
                out.extend_from_slice(k.as_bytes());
            }
        }
    }

    fn parse_option(
        &mut self,
        ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let opt = format!("--{option}");
        match option {
            // `--hashlimit` is the old name of `--hashlimit-upto`.
            "hashlimit-upto" | "hashlimit" => {
                seen.take(Self::NAME, &opt, O_UPTO, invert, true)?;
                self.above = invert;
                self.parse_rate(&opt, args.value(&opt)?, seen)?;
            }
            "hashlimit-above" => {
                seen.take(Self::NAME, &opt, O_ABOVE, invert, true)?;
                self.above = !invert;
                self.parse_rate(&opt, args.value(&opt)?, seen)?;
            }
            "hashlimit-burst" => {
                seen.take(Self::NAME, &opt, O_BURST, invert, false)?;
                self.parse_burst(args.value(&opt)?)?;
            }
            "hashlimit-mode" => {
                seen.take(Self::NAME, &opt, O_MODE, invert, false)?;
                let v = args.value(&opt)?;
                for word in v.split([',', '|']).filter(|w| !w.is_empty()) {
                    let (_, m) = MODE_NAMES
                        .iter()
                        .find(|(n, _)| *n == word)
                        .ok_or_else(|| Error::value(&opt, v, format!("unknown mode `{word}'")))?;
                    self.mode |= *m;
                }
            }
            "hashlimit-srcmask" | "hashlimit-dstmask" => {
                let id = if option == "hashlimit-srcmask" {
                    O_SRCMASK
                } else {
                    O_DSTMASK
                };
                seen.take(Self::NAME, &opt, id, invert, false)?;
                let v = args.value(&opt)?;
                let bits = ctx.family.bits();
                let len = crate::xtopt::uint(v, 0, u64::MAX)
                    .filter(|&n| n <= u64::from(bits))
                    .ok_or_else(|| {
                        Error::value(&opt, v, format!("must be a prefix length 0-{bits}"))
                    })? as u8;
                if id == O_SRCMASK {
                    self.srcmask = len;
                } else {
                    self.dstmask = len;
                }
            }
            "hashlimit-name" => {
                seen.take(Self::NAME, &opt, O_NAME, invert, false)?;
                let v = args.value(&opt)?;
                if v.is_empty() {
                    return Err(Error::value(
                        &opt,
                        v,
                        "must have a minimum length of 1 characters",
                    ));
                }
                // Longer names are cut to the field, as iptables does.
                self.name = truncated(v, NAME_MAX).to_string();
            }
            "hashlimit-htable-size"
            | "hashlimit-htable-max"
            | "hashlimit-htable-gcinterval"
            | "hashlimit-htable-expire" => {
                let id = match option {
                    "hashlimit-htable-size" => O_SIZE,
                    "hashlimit-htable-max" => O_MAX,
                    "hashlimit-htable-gcinterval" => O_GCINT,
                    _ => O_EXPIRE,
                };
                seen.take(Self::NAME, &opt, id, invert, false)?;
                let v = parse_u32(&opt, args.value(&opt)?, 0)?;
                match id {
                    O_SIZE => self.htable_size = v,
                    O_MAX => self.htable_max = v,
                    O_GCINT => self.gc_interval = v,
                    _ => self.expire = v,
                }
            }
            "hashlimit-rate-match" => {
                seen.take(Self::NAME, &opt, O_RATEMATCH, invert, false)?;
                self.rate_match = true;
            }
            "hashlimit-rate-interval" => {
                seen.take(Self::NAME, &opt, O_INTERVAL, invert, false)?;
                let v = args.value(&opt)?;
                // atoi: an int, whatever follows the digits.
                let n = strtol(v) as i32;
                if n <= 0 {
                    return Err(Error::value(
                        &opt,
                        v,
                        "must be a positive number of seconds",
                    ));
                }
                self.interval = n as u32;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        if !seen.has(O_UPTO | O_ABOVE) {
            return Err(Error::rule("hashlimit", "you have to specify --hashlimit"));
        }
        if seen.has(O_UPTO) && seen.has(O_ABOVE) {
            return Err(Error::rule(
                "--hashlimit-upto",
                "cannot be used together with --hashlimit-above",
            ));
        }
        if !seen.has(O_NAME) {
            return Err(Error::rule(
                "hashlimit",
                "option --hashlimit-name must be specified",
            ));
        }
        let mult = seen.aux[AUX_MULT];
        if !seen.has(O_EXPIRE) {
            self.expire = mult * 1000;
        }
        if self.bytes {
            // A byte burst becomes a number of rate units, rounded up.
            let mut burst: u32 = 0;
            if seen.has(O_BURST) {
                let unit = cost_to_bytes(self.avg);
                if self.burst < unit {
                    return Err(Error::value(
                        "--hashlimit-burst",
                        self.burst.to_string(),
                        format!("burst cannot be smaller than {unit}b"),
                    ));
                }
                burst = (self.burst / unit) as u32;
                if self.burst % unit != 0 {
                    burst = burst.wrapping_add(1);
                }
                if !seen.has(O_EXPIRE) {
                    self.expire = BYTE_EXPIRE_BURST * 1000;
                }
            }
            self.burst = burst.into();
        } else {
            let max = if self.revision == 1 {
                BURST_MAX_V1
            } else {
                BURST_MAX
            };
            if self.burst > max {
                return Err(Error::value(
                    "--hashlimit-burst",
                    self.burst.to_string(),
                    format!("out of range (1-{max})"),
                ));
            }
        }
        if self.rate_match {
            if !self.bytes {
                self.avg /= u64::from(mult.max(1));
            }
            if self.interval == 0 {
                self.interval = if self.bytes { 1 } else { mult };
            }
        }
        Ok(())
    }

    fn save(&self, ctx: &Ctx, out: &mut String) {
        out.push_str(if self.above {
            " --hashlimit-above"
        } else {
            " --hashlimit-upto"
        });
        let quantum = if self.bytes {
            print_bytes(out, self.avg, self.burst)
        } else {
            let q = print_rate(out, self.avg, self.scale());
            push_fmt!(out, " --hashlimit-burst {}", self.burst);
            q
        };
        if !self.mode.is_empty() {
            let words: Vec<&str> = MODE_NAMES
                .iter()
                .filter(|(_, m)| self.mode.contains(*m))
                .map(|(n, _)| *n)
                .collect();
            push_fmt!(out, " --hashlimit-mode {}", words.join(","));
        }
        push_fmt!(out, " --hashlimit-name {}", self.name);
        if self.htable_size != 0 {
            push_fmt!(out, " --hashlimit-htable-size {}", self.htable_size);
        }
        if self.htable_max != 0 {
            push_fmt!(out, " --hashlimit-htable-max {}", self.htable_max);
        }
        if self.gc_interval != DEFAULT_GC_INTERVAL {
            push_fmt!(out, " --hashlimit-htable-gcinterval {}", self.gc_interval);
        }
        // iptables compares in 32 bits.
        if self.expire != quantum as u32 {
            push_fmt!(out, " --hashlimit-htable-expire {}", self.expire);
        }
        let dmask = ctx.family.bits();
        if self.srcmask != dmask {
            push_fmt!(out, " --hashlimit-srcmask {}", self.srcmask);
        }
        if self.dstmask != dmask {
            push_fmt!(out, " --hashlimit-dstmask {}", self.dstmask);
        }
        if self.revision >= 3 && self.rate_match {
            out.push_str(" --hashlimit-rate-match");
            if self.interval != 1 {
                push_fmt!(out, " --hashlimit-rate-interval {}", self.interval);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_rule_spec, save_rule_spec, split_words};
    use crate::testutil::hex;

    /// A revision 2/3 struct: the name in its 256-byte field, then `rest`.
    fn v3_bytes(name: &str, rest: &str) -> Vec<u8> {
        let mut b = name.as_bytes().to_vec();
        b.resize(NAME_MAX + 1, 0);
        b.extend(hex(rest));
        b
    }

    fn parsed(family: Family, spec: &str) -> Result<Hashlimit> {
        let (rules, _) = parse_rule_spec(family, &split_words(spec).unwrap())?;
        match &rules[0].matches[0] {
            crate::Match::Hashlimit(m) => Ok((**m).clone()),
            m => panic!("{m:?}"),
        }
    }

    fn save(family: Family, m: &Hashlimit) -> String {
        let mut s = String::new();
        m.save(&Ctx::new(family), &mut s);
        s
    }

    #[test]
    fn kernel_bytes_revision_3() {
        let c = Ctx::new(Family::Ipv4);
        // From the kernel, for each rule.
        let cases = [
            (
                "-m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5",
                v3_bytes(
                    "mini5",
                    "ff00ff00000000006400000000000000200000000000000000000000e803000060ea0000\
                     0000000020200000000000000000000000000000",
                ),
                " --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5",
            ),
            (
                "-m hashlimit ! --hashlimit-above 1/min --hashlimit-burst 7 \
                 --hashlimit-mode srcip,dstport --hashlimit-name x --hashlimit-htable-size 10 \
                 --hashlimit-htable-max 20 --hashlimit-htable-gcinterval 30 \
                 --hashlimit-htable-expire 40 --hashlimit-srcmask 24 --hashlimit-dstmask 16",
                v3_bytes(
                    "x",
                    "00879303000000000700000000000000060000000a000000140000001e00000028000000\
                     0000000018100000000000000000000000000000",
                ),
                " --hashlimit-upto 1/min --hashlimit-burst 7 --hashlimit-mode srcip,dstport \
                 --hashlimit-name x --hashlimit-htable-size 10 --hashlimit-htable-max 20 \
                 --hashlimit-htable-gcinterval 30 --hashlimit-htable-expire 40 \
                 --hashlimit-srcmask 24 --hashlimit-dstmask 16",
            ),
            (
                "-m hashlimit --hashlimit-upto 1/min --hashlimit-name r --hashlimit-rate-match",
                v3_bytes(
                    "r",
                    "40420f00000000000500000000000000400000000000000000000000e803000060ea0000\
                     3c00000020200000000000000000000000000000",
                ),
                " --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name r \
                 --hashlimit-htable-expire 60000 --hashlimit-rate-match \
                 --hashlimit-rate-interval 60",
            ),
        ];
        for (spec, bytes, text) in cases {
            let m = parsed(Family::Ipv4, spec).unwrap();
            let mut out = Vec::new();
            m.encode(&c, &mut out);
            assert_eq!(out, bytes, "{spec}");
            let d = Hashlimit::decode(&c, 3, &bytes).unwrap();
            assert_eq!(d, m, "{spec}");
            assert_eq!(save(Family::Ipv4, &d), text);
        }
    }

    #[test]
    fn older_revisions_by_the_header() {
        // Revision 1: `--hashlimit-upto 1/sec --hashlimit-mode srcip
        // --hashlimit-name a` as iptables 1.4 wrote it (1/10,000 s units).
        let mut v1 = b"a".to_vec();
        v1.resize(IFNAMSIZ, 0);
        v1.extend(hex(
            "0400000010270000050000000000000000000000e8030000e8030000202000000000000000000000",
        ));
        let c = Ctx::new(Family::Ipv4);
        let m = Hashlimit::decode(&c, 1, &v1).unwrap();
        assert_eq!(
            save(Family::Ipv4, &m),
            " --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name a"
        );
        let mut out = Vec::new();
        m.encode(&c, &mut out);
        assert_eq!(out, v1);

        // Revision 2: revision 3 without rate-match and interval.
        let v2 = v3_bytes(
            "b",
            "40420f00000000000500000000000000010000000000000000000000e8030000e8030000\
             808000000000000000000000",
        );
        let c6 = Ctx::new(Family::Ipv6);
        let m = Hashlimit::decode(&c6, 2, &v2).unwrap();
        assert_eq!(
            save(Family::Ipv6, &m),
            " --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-mode dstip --hashlimit-name b"
        );
        let mut out = Vec::new();
        m.encode(&c6, &mut out);
        assert_eq!(out, v2);
        assert!(Hashlimit::decode(&c6, 0, &v2).is_err());
        assert!(Hashlimit::decode(&c6, 3, &v2).is_err());
    }

    #[test]
    fn text_like_iptables_save() {
        let round = |f, s: &str| {
            let (rules, _) = parse_rule_spec(f, &split_words(s).unwrap()).unwrap();
            save_rule_spec(&rules[0])
        };
        assert_eq!(
            round(Family::Ipv6, "-m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7"),
            " -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7"
        );
        assert_eq!(
            round(
                Family::Ipv4,
                "-m hashlimit --hashlimit 10/s --hashlimit-name a --hashlimit-burst 2k"
            ),
            " -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 2048 --hashlimit-name a"
        );
        assert_eq!(
            round(
                Family::Ipv4,
                "-m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6"
            ),
            " -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6"
        );
        assert_eq!(
            round(Family::Ipv4, "-m hashlimit --hashlimit-upto 7/HOUR --hashlimit-name a --hashlimit-mode srcport|dstip"),
            " -m hashlimit --hashlimit-upto 7/hour --hashlimit-burst 5 --hashlimit-mode srcport,dstip --hashlimit-name a"
        );
    }

    #[test]
    fn refusals() {
        let bad = |s| parsed(Family::Ipv4, s).is_err();
        assert!(bad("-m hashlimit"));
        assert!(bad("-m hashlimit --hashlimit-name a"));
        assert!(bad("-m hashlimit --hashlimit-upto 1/sec"));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-above 1/sec --hashlimit-name a"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit 2/sec --hashlimit-name a"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/fortnight --hashlimit-name a"
        ));
        assert!(bad("-m hashlimit --hashlimit-upto 1/ --hashlimit-name a"));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 0/sec --hashlimit-name a"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 2000000/sec --hashlimit-name a"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name \"\""
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-name b"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-burst 0"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-burst 1000001"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-mode srcip,foo"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-srcmask 33"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a ! --hashlimit-burst 3"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-rate-interval 0"
        ));
        assert!(bad(
            "-m hashlimit --hashlimit-upto 4kb/s --hashlimit-name a --hashlimit-burst 1"
        ));
        assert!(parsed(
            Family::Ipv6,
            "-m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-dstmask 128"
        )
        .is_ok());
    }

    /// Every rule of iptables' own tests for this match (`extensions/*.t`)
    /// and what iptables-legacy 1.8.9 saved for it, or `None` where its
    /// parser refused the rule (rules only the kernel refused are left out).
    const CONFORMANCE: &[(Family, &[&str], Option<&str>)] = &[
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-above", "1/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-above", "1/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-above", "1000000/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-above", "1000000/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-above", "1/min", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/min --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-above", "1/min", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/min --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-above", "1/hour", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-above", "1/hour", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-above", "1/day", "--hashlimit-burst", "1", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/day --hashlimit-burst 1 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-above", "1/day", "--hashlimit-burst", "1", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-above 1/day --hashlimit-burst 1 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1000000/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1000000/sec", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1000000/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/min", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/min", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/min --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/hour", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/hour", "--hashlimit-burst", "5", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/day", "--hashlimit-burst", "1", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/day", "--hashlimit-burst", "1", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "srcip", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "srcip", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-expire 2000")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-max", "2000", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-expire 2000")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-max", "2000", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-expire 2000")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-max", "2000", "--hashlimit-htable-gcinterval", "60000", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-gcinterval 60000 --hashlimit-htable-expire 2000")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-burst", "1", "--hashlimit-mode", "dstip", "--hashlimit-name", "mini1", "--hashlimit-htable-max", "2000", "--hashlimit-htable-gcinterval", "60000", "--hashlimit-htable-expire", "2000"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-gcinterval 60000 --hashlimit-htable-expire 2000")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec", "--hashlimit-name", "mini1"], Some(" -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "4kb/s", "--hashlimit-burst", "400kb", "--hashlimit-name", "mini5"], Some(" -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "4kb/s", "--hashlimit-burst", "400kb", "--hashlimit-name", "mini5"], Some(" -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "10mb/s", "--hashlimit-name", "mini6"], Some(" -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "10mb/s", "--hashlimit-name", "mini6"], Some(" -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "123456b/s", "--hashlimit-burst", "1mb", "--hashlimit-name", "mini7"], Some(" -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "123456b/s", "--hashlimit-burst", "1mb", "--hashlimit-name", "mini7"], Some(" -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-name", "mini1"], None),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-name", "mini1"], None),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "1/sec"], None),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "1/sec"], None),
        (Family::Ipv4, &["-m", "hashlimit"], None),
        (Family::Ipv6, &["-m", "hashlimit"], None),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "syn-flood"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name syn-flood")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "syn-flood"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name syn-flood")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate1", "--hashlimit-rate-match"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate1 --hashlimit-rate-match")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate1", "--hashlimit-rate-match"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate1 --hashlimit-rate-match")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "40mb/s", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate2", "--hashlimit-rate-match"], Some(" -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate2 --hashlimit-rate-match")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "40mb/s", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate2", "--hashlimit-rate-match"], Some(" -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate2 --hashlimit-rate-match")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate3", "--hashlimit-rate-match", "--hashlimit-rate-interval", "10"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate3 --hashlimit-rate-match --hashlimit-rate-interval 10")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "40/sec", "--hashlimit-burst", "20", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate3", "--hashlimit-rate-match", "--hashlimit-rate-interval", "10"], Some(" -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name rate3 --hashlimit-rate-match --hashlimit-rate-interval 10")),
        (Family::Ipv4, &["-m", "hashlimit", "--hashlimit-upto", "40mb/s", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate4", "--hashlimit-rate-match", "--hashlimit-rate-interval", "10"], Some(" -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate4 --hashlimit-rate-match --hashlimit-rate-interval 10")),
        (Family::Ipv6, &["-m", "hashlimit", "--hashlimit-upto", "40mb/s", "--hashlimit-mode", "srcip", "--hashlimit-name", "rate4", "--hashlimit-rate-match", "--hashlimit-rate-interval", "10"], Some(" -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate4 --hashlimit-rate-match --hashlimit-rate-interval 10")),
    ];

    #[test]
    fn conformance_with_iptables() {
        crate::testutil::conformance_argv(CONFORMANCE);
    }
}
