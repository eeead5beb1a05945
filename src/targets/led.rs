//! `-j LED`: flash a LED through a netfilter LED trigger (`xt_LED.h`,
//! `struct xt_led_info`). The kernel on the machine this crate is developed
//! on lacks the module, so the byte fixtures are what iptables sends.

use iptkit_sys::ext::xt_led::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{
    bad_revision, c_str, check_name, read_struct, Args, Ctx, Extension, EXAMPLE_NAME,
};
use crate::xtopt::{put_truncated, same_bytes, uint, Opt, Seen};

/// What iptables puts before the trigger name in the kernel struct.
const ID_PREFIX: &str = "netfilter-";
/// The longest trigger name iptables takes.
const MAX_ID: usize = 27 - ID_PREFIX.len() - 1;

/// `-j LED --led-trigger-id NAME [--led-delay MS|inf] [--led-always-blink]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Led {
    /// `--led-trigger-id`: the trigger's name without its `netfilter-`
    /// prefix, at most 16 bytes.
    pub trigger_id: String,
    /// `--led-delay`: milliseconds the LED stays on; 0 (the default) for a
    /// blink, [`Led::DELAY_INF`] (`inf`) for ever.
    pub delay: u32,
    /// `--led-always-blink`: blink even when the LED is on already.
    pub always_blink: bool,
}

impl Led {
    /// `--led-delay inf`.
    pub const DELAY_INF: u32 = u32::MAX;

    /// `--led-trigger-id trigger_id`: blinks the LED of trigger
    /// `netfilter-trigger_id`. Refused when empty or longer than 16 bytes.
    ///
    /// ```
    /// use iptkit::{targets::led::Led, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).with_target(Led::trigger("ssh")?);
    /// assert_eq!(rule.to_string(), r#"-j LED --led-trigger-id "ssh""#);
    /// assert!(Led::trigger("").is_err());
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn trigger(trigger_id: &str) -> Result<Led> {
        check_name("LED trigger id", "--led-trigger-id", trigger_id, MAX_ID)?;
        Ok(Led {
            trigger_id: trigger_id.to_string(),
            delay: 0,
            always_blink: false,
        })
    }
}

const O_TRIGGER_ID: usize = 0;
const O_DELAY: usize = 1;
const O_ALWAYS_BLINK: usize = 2;
const OPTS: &[Opt] = &[
    Opt::new("led-trigger-id").mand(),
    Opt::new("led-delay"),
    Opt::new("led-always-blink"),
];

impl Extension for Led {
    const NAME: &'static str = "LED";

    fn example(_family: crate::addr::Family) -> Self {
        Led::trigger(EXAMPLE_NAME).expect("a valid trigger id")
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        // No trigger until `--led-trigger-id` gives one; it is mandatory.
        Led {
            trigger_id: String::new(),
            delay: 0,
            always_blink: false,
        }
    }

    fn decode(ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_led_info = read_struct(Self::NAME, revision, data)?;
        let id = c_str(&k.id);
        let trigger_id = id
            .strip_prefix(ID_PREFIX)
            .ok_or_else(|| Error::Malformed(format!("LED: trigger {id:?}")))?;
        let t = Led {
            trigger_id: trigger_id.to_string(),
            delay: k.delay,
            always_blink: k.always_blink != 0,
        };
        let mut again = Vec::new();
        t.encode(ctx, &mut again);
        same_bytes(
            Self::NAME,
            &again,
            data,
            std::mem::offset_of!(xt_led_info, internal_data),
        )?;
        Ok(t)
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_led_info::zeroed();
        put_truncated(&format!("{ID_PREFIX}{}", self.trigger_id), &mut k.id);
        k.always_blink = u8::from(self.always_blink);
        k.delay = self.delay;
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
        let Some(id) = OPTS.iter().position(|o| o.name == option) else {
            return Ok(false);
        };
        seen.take_opt(Self::NAME, OPTS, id, invert)?;
        match id {
            O_TRIGGER_ID => {
                let v = args.value("--led-trigger-id")?;
                if v.len() > MAX_ID {
                    return Err(Error::value(
                        "LED --led-trigger-id",
                        v,
                        format!("must have a maximum length of {MAX_ID} characters"),
                    ));
                }
                self.trigger_id = v.to_string();
            }
            O_DELAY => {
                let v = args.value("--led-delay")?;
                // Anything starting with `inf` is for ever, as in libxt_LED.
                self.delay = if v.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("inf")) {
                    Led::DELAY_INF
                } else {
                    uint(v, 0, u32::MAX.into()).ok_or_else(|| {
                        Error::value("LED --led-delay", v, "must be within range 0..4294967295")
                    })? as u32
                };
            }
            O_ALWAYS_BLINK => self.always_blink = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.fcheck(Self::NAME, OPTS)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        // Always quoted, `"` and `\` escaped, as libxt_LED prints it.
        out.push_str(" --led-trigger-id \"");
        for c in self.trigger_id.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        // libxt_LED prints the delay with `%d`: `inf` comes out as -1
        // (which iptables does not read back).
        if self.delay != 0 {
            push_fmt!(out, " --led-delay {}", self.delay as i32);
        }
        if self.always_blink {
            out.push_str(" --led-always-blink");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family::{Ipv4, Ipv6};
    use crate::testutil::{both_ways, conformance_each};

    fn bytes(id: &str, blink: u8, delay: u32) -> Vec<u8> {
        let mut b = vec![0u8; 40];
        b[..10 + id.len()].copy_from_slice(format!("netfilter-{id}").as_bytes());
        b[27] = blink;
        b[28..32].copy_from_slice(&delay.to_ne_bytes());
        b
    }

    #[test]
    fn kernel_bytes_both_ways() {
        // What iptables sends for `--led-trigger-id foo --led-delay 42
        // --led-always-blink` and `--led-delay inf`.
        let t = Led {
            delay: 42,
            always_blink: true,
            ..Led::trigger("foo").unwrap()
        };
        both_ways(Ipv4, &t, &bytes("foo", 1, 42));
        let t = Led {
            delay: Led::DELAY_INF,
            ..Led::trigger("0123456789abcdef").unwrap()
        };
        both_ways(Ipv6, &t, &bytes("0123456789abcdef", 0, u32::MAX));
        let mut b = bytes("foo", 0, 0);
        b[0] = b'N';
        assert!(Led::decode(&Ctx::new(Ipv4), 0, &b).is_err());
    }

    #[test]
    fn text_like_iptables() {
        conformance_each(&[
            (Ipv4, "-j LED", None),
            (Ipv6, "-j LED", None),
            (
                Ipv4,
                r#"-j LED --led-trigger-id "foo""#,
                Some(r#"-j LED --led-trigger-id "foo""#),
            ),
            (
                Ipv6,
                r#"-j LED --led-trigger-id "foo" --led-delay 42 --led-always-blink"#,
                Some(r#"-j LED --led-trigger-id "foo" --led-delay 42 --led-always-blink"#),
            ),
            (
                Ipv4,
                "-j LED --led-trigger-id foo --led-delay infinite",
                Some(r#"-j LED --led-trigger-id "foo" --led-delay -1"#),
            ),
            (
                Ipv4,
                r#"-j LED --led-trigger-id "a\"b" --led-delay 0x10"#,
                Some(r#"-j LED --led-trigger-id "a\"b" --led-delay 16"#),
            ),
            (Ipv4, "-j LED --led-trigger-id foo --led-delay x", None),
            (Ipv4, "-j LED --led-trigger-id 0123456789abcdefg", None),
            (Ipv4, "-j LED --led-delay 1", None),
        ]);
    }
}
