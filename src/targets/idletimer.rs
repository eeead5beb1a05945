//! `-j IDLETIMER`: a timer, reset by each packet, that notifies user space
//! (sysfs, netlink) when it runs out (`xt_IDLETIMER.h`, revisions 0 and 1).

use iptkit_sys::ext::xt_idletimer::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, read_struct, Args, Ctx, Extension, EXAMPLE_NAME,
};
use crate::xtopt::{put_truncated, same_bytes, truncated, uint_option, Opt, Seen};

/// `-j IDLETIMER --timeout SECONDS --label NAME [--alarm]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Idletimer {
    /// The kernel struct revision: 1 (what iptables 1.8.9 writes) or 0
    /// (no `--alarm`).
    pub revision: u8,
    /// `--timeout`: seconds.
    pub timeout: u32,
    /// `--label`: the timer's name, at most 27 bytes (iptables cuts longer ones).
    pub label: String,
    /// `--alarm`: an alarm timer, which wakes a suspended system (revision 1).
    pub alarm: bool,
}

impl Idletimer {
    /// A timer of `timeout` seconds named `label`, at revision 1. Refused
    /// as the kernel refuses it: a timeout of 0 or of `i32::MAX / 1000`
    /// seconds or more, an empty label, one longer than 27 bytes, or
    /// `power` (a name sysfs has already).
    ///
    /// ```
    /// use iptkit::{targets::idletimer::Idletimer, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_target(Idletimer::timer(60, "uplink")?);
    /// assert_eq!(rule.to_string(), "-j IDLETIMER --timeout 60 --label uplink");
    /// assert!(Idletimer::timer(0, "uplink").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn timer(timeout: u32, label: &str) -> Result<Idletimer> {
        if timeout == 0 || timeout >= i32::MAX as u32 / 1000 {
            return Err(Error::value(
                "--timeout",
                timeout.to_string(),
                "IDLETIMER: out of range",
            ));
        }
        check_name(
            "timer label",
            "--label",
            label,
            MAX_IDLETIMER_LABEL_SIZE - 1,
        )?;
        if label == "power" {
            return Err(Error::value(
                "--label",
                label,
                "IDLETIMER: a name sysfs has already",
            ));
        }
        Ok(Idletimer {
            timeout,
            label: label.to_string(),
            ..Idletimer::empty()
        })
    }

    /// No timer yet (not valid alone), at revision 1: what parsing starts from.
    fn empty() -> Idletimer {
        Idletimer {
            revision: 1,
            timeout: 0,
            label: String::new(),
            alarm: false,
        }
    }
}

const O_TIMEOUT: usize = 0;
const O_LABEL: usize = 1;
const O_ALARM: usize = 2;
const OPTS: &[Opt] = &[
    Opt::new("timeout").mand(),
    Opt::new("label").mand(),
    Opt::new("alarm"),
];

impl Extension for Idletimer {
    const NAME: &'static str = "IDLETIMER";
    const REVISIONS: &'static [u8] = &[0, 1];

    fn example(_family: crate::addr::Family) -> Self {
        Idletimer::timer(60, EXAMPLE_NAME).expect("a valid timer")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Idletimer::empty()
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        let (t, upto) = match revision {
            0 => {
                let k: idletimer_tg_info = read_struct(Self::NAME, revision, data)?;
                let t = Idletimer {
                    revision,
                    timeout: k.timeout,
                    label: c_str(&k.label),
                    ..Idletimer::empty()
                };
                (t, std::mem::offset_of!(idletimer_tg_info, timer))
            }
            1 => {
                let k: idletimer_tg_info_v1 = read_struct(Self::NAME, revision, data)?;
                if k.timer_type & !XT_IDLETIMER_ALARM != 0 {
                    return Err(Error::Malformed(format!(
                        "IDLETIMER: timer type {}",
                        k.timer_type
                    )));
                }
                let t = Idletimer {
                    revision,
                    timeout: k.timeout,
                    label: c_str(&k.label),
                    alarm: k.timer_type == XT_IDLETIMER_ALARM,
                };
                (t, std::mem::offset_of!(idletimer_tg_info_v1, timer))
            }
            _ => return Err(bad_revision(Self::NAME, revision)),
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(Self::NAME, &again, data, upto)?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        self.revision
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        if self.revision == 0 {
            let mut k = idletimer_tg_info::zeroed();
            k.timeout = self.timeout;
            put_truncated(&self.label, &mut k.label);
            out.extend_from_slice(k.as_bytes());
        } else {
            let mut k = idletimer_tg_info_v1::zeroed();
            k.timeout = self.timeout;
            put_truncated(&self.label, &mut k.label);
            if self.alarm {
                k.timer_type = XT_IDLETIMER_ALARM;
            }
            out.extend_from_slice(k.as_bytes());
        }
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        match id {
            O_TIMEOUT => {
                let v = args.value("--timeout")?;
                self.timeout = uint_option(Self::NAME, option, v, 0, u32::MAX.into())? as u32;
            }
            O_LABEL => {
                let v = args.value("--label")?;
                self.label = truncated(v, MAX_IDLETIMER_LABEL_SIZE).to_string();
            }
            O_ALARM => self.alarm = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // The label goes out as it is, unquoted, as libxt_IDLETIMER prints it.
        push_fmt!(out, " --timeout {} --label {}", self.timeout, self.label);
        if self.alarm && self.revision >= 1 {
            out.push_str(" --alarm");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    #[test]
    fn kernel_bytes_both_ways() {
        // `--timeout 42 --label foo --alarm`, as the kernel holds it
        // (revision 1; the timer pointer reads back as zero).
        let mut bytes = vec![0u8; 48];
        bytes[0] = 42;
        bytes[4..7].copy_from_slice(b"foo");
        bytes[33] = 1;
        let t = Idletimer {
            alarm: true,
            ..Idletimer::timer(42, "foo").unwrap()
        };
        both_ways(Ipv4, &t, &bytes);
        // Revision 0 has no timer type.
        let mut bytes = vec![0u8; 40];
        bytes[0] = 16;
        bytes[4..7].copy_from_slice(b"a b");
        let t = Idletimer {
            revision: 0,
            ..Idletimer::timer(16, "a b").unwrap()
        };
        both_ways(Ipv6, &t, &bytes);
        // Bytes after the label's NUL cannot be written back.
        bytes[10] = 1;
        assert!(Idletimer::decode(&Ctx::new(Ipv6), 0, &bytes).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv4, "-j IDLETIMER --timeout", None),
            (Ipv6, "-j IDLETIMER --timeout 42", None),
            (
                Ipv4,
                "-j IDLETIMER --timeout 42 --label foo",
                Some("-j IDLETIMER --timeout 42 --label foo"),
            ),
            (
                Ipv6,
                "-j IDLETIMER --timeout 42 --label bar --alarm",
                Some("-j IDLETIMER --timeout 42 --label bar --alarm"),
            ),
            (
                Ipv4,
                "-j IDLETIMER --timeout 42 --label abcdefghijklmnopqrstuvwxyz0123456789",
                Some("-j IDLETIMER --timeout 42 --label abcdefghijklmnopqrstuvwxyz0"),
            ),
            (
                Ipv4,
                "-j IDLETIMER --timeout 0x10 --label \"a b\"",
                Some("-j IDLETIMER --timeout 16 --label a b"),
            ),
            (Ipv4, "-j IDLETIMER --label a --label b --timeout 1", None),
            (Ipv4, "-j IDLETIMER --label a --timeout -1", None),
            (Ipv4, "-j IDLETIMER --label a --timeout 1 ! --alarm", None),
        ]);
    }
}
