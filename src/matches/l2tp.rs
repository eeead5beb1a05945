//! `-m l2tp`: tunnel id, session id, version and packet type of an L2TP
//! packet (`xt_l2tp.h`, `struct xt_l2tp_info`).
//!
//! iptables 1.8.9 ships no userspace extension for it (its iptables-save
//! cannot print such a rule), so the words are iptkit's own, after the
//! kernel's field names: `--tunnel-id N`, `--session-id N`, `--pversion 2|3`,
//! `--type control|data`. The kernel has no inversion for any of them.

use iptkit_sys::ext::xt_l2tp::*;
use iptkit_sys::Pod;

use super::tcp::set_once;
use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::xtopt::Seen;
use crate::xtopt::{no_invert, uint_option};

/// L2TP packet type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L2tpType {
    /// Control messages.
    Control,
    /// Data messages.
    Data,
}

/// `-m l2tp`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct L2tp {
    /// `--tunnel-id N`.
    pub tunnel_id: Option<u32>,
    /// `--session-id N`.
    pub session_id: Option<u32>,
    /// `--pversion 2|3`: the L2TP protocol version.
    pub version: Option<u8>,
    /// `--type control|data`.
    pub packet_type: Option<L2tpType>,
}

impl L2tp {
    /// `--tunnel-id id`: the packet's tunnel id. The rule needs `-p udp`
    /// or `-p l2tp`.
    ///
    /// ```
    /// use iptkit::{matches::l2tp::L2tp, Family, Rule};
    /// let rule = Rule::new(Family::Ipv4).protocol(17).with_match(L2tp::tunnel(7));
    /// assert_eq!(rule.to_string(), "-p udp -m l2tp --tunnel-id 7");
    /// ```
    pub fn tunnel(id: u32) -> L2tp {
        L2tp {
            tunnel_id: Some(id),
            ..L2tp::empty()
        }
    }

    /// `--session-id id`: the packet's session id.
    pub fn session(id: u32) -> L2tp {
        L2tp {
            session_id: Some(id),
            ..L2tp::empty()
        }
    }

    /// No field yet (not valid alone): what parsing starts from.
    fn empty() -> L2tp {
        L2tp {
            tunnel_id: None,
            session_id: None,
            version: None,
            packet_type: None,
        }
    }
}

const KNOWN: u8 = XT_L2TP_TID | XT_L2TP_SID | XT_L2TP_VERSION | XT_L2TP_TYPE;

impl Extension for L2tp {
    const NAME: &'static str = "l2tp";

    fn example(_family: crate::addr::Family) -> Self {
        L2tp::tunnel(1)
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        L2tp::empty()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_l2tp_info = read_struct(Self::NAME, revision, data)?;
        let f = k.flags;
        let has = |bit: u8| f & bit != 0;
        let stray = f & !KNOWN != 0
            || (!has(XT_L2TP_TID) && k.tid != 0)
            || (!has(XT_L2TP_SID) && k.sid != 0)
            || (!has(XT_L2TP_VERSION) && k.version != 0)
            || (!has(XT_L2TP_TYPE) && k.r#type != 0)
            || k.r#type > XT_L2TP_TYPE_DATA;
        if stray {
            return Err(Error::Malformed(format!(
                "l2tp: flags {f:#x} and fields disagree"
            )));
        }
        Ok(L2tp {
            tunnel_id: has(XT_L2TP_TID).then_some(k.tid),
            session_id: has(XT_L2TP_SID).then_some(k.sid),
            version: has(XT_L2TP_VERSION).then_some(k.version),
            packet_type: has(XT_L2TP_TYPE).then_some(if k.r#type == XT_L2TP_TYPE_DATA {
                L2tpType::Data
            } else {
                L2tpType::Control
            }),
        })
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_l2tp_info::zeroed();
        if let Some(t) = self.tunnel_id {
            k.flags |= XT_L2TP_TID;
            k.tid = t;
        }
        if let Some(s) = self.session_id {
            k.flags |= XT_L2TP_SID;
            k.sid = s;
        }
        if let Some(v) = self.version {
            k.flags |= XT_L2TP_VERSION;
            k.version = v;
        }
        if let Some(t) = self.packet_type {
            k.flags |= XT_L2TP_TYPE;
            k.r#type = match t {
                L2tpType::Control => XT_L2TP_TYPE_CONTROL,
                L2tpType::Data => XT_L2TP_TYPE_DATA,
            };
        }
        out.extend_from_slice(k.as_bytes());
    }

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        option: &str,
        invert: bool,
        args: &mut Args,
        _seen: &mut Seen,
    ) -> Result<bool> {
        let name = format!("--{option}");
        let id = |args: &mut Args| -> Result<u32> {
            let v = args.value(&name)?;
            Ok(uint_option("l2tp", &name, v, 0, u32::MAX.into())? as u32)
        };
        match option {
            "tunnel-id" => {
                no_invert("l2tp", &name, invert)?;
                let v = id(args)?;
                set_once(&mut self.tunnel_id, &name, v)?;
            }
            "session-id" => {
                no_invert("l2tp", &name, invert)?;
                let v = id(args)?;
                set_once(&mut self.session_id, &name, v)?;
            }
            "pversion" => {
                no_invert("l2tp", &name, invert)?;
                let v = args.value(&name)?;
                let n = uint_option("l2tp", &name, v, 2, 3)?;
                set_once(&mut self.version, &name, n as u8)?;
            }
            "type" => {
                no_invert("l2tp", &name, invert)?;
                let v = args.value(&name)?;
                let t = match v.to_ascii_lowercase().as_str() {
                    "control" => L2tpType::Control,
                    "data" => L2tpType::Data,
                    _ => return Err(Error::value(&name, v, "must be `control' or `data'")),
                };
                set_once(&mut self.packet_type, &name, t)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The kernel's checks (`l2tp_mt_check`), so that the rule is refused
    /// before a commit: some field, version 2 ids fit 16 bits, and the rule's
    /// protocol is UDP or L2TP/IP (IPv4) as the kernel wants.
    fn finish(&mut self, ctx: &Ctx, _seen: Seen) -> Result<()> {
        if *self == L2tp::empty() {
            return Err(Error::rule("l2tp", "an l2tp option is required"));
        }
        if self.version == Some(2)
            && (self.tunnel_id.is_some_and(|t| t > 0xffff)
                || self.session_id.is_some_and(|s| s > 0xffff))
        {
            return Err(Error::rule(
                "l2tp",
                "v2 tunnel and session ids are at most 65535",
            ));
        }
        if !matches!(ctx.proto, 17 | 115) || ctx.proto_inv {
            return Err(Error::rule("l2tp", "needs `-p udp' or `-p l2tp'"));
        }
        Ok(())
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        if let Some(t) = self.tunnel_id {
            push_fmt!(out, " --tunnel-id {t}");
        }
        if let Some(s) = self.session_id {
            push_fmt!(out, " --session-id {s}");
        }
        if let Some(v) = self.version {
            push_fmt!(out, " --pversion {v}");
        }
        if let Some(t) = self.packet_type {
            out.push_str(match t {
                L2tpType::Control => " --type control",
                L2tpType::Data => " --type data",
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::{bytes_both_ways, parse_opts, round};

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx {
            family: Family::Ipv4,
            proto: 17,
            proto_inv: false,
            dialect: crate::extension::Dialect::Legacy,
        };
        let l: L2tp = parse_opts(
            &ctx,
            &[
                "--tunnel-id",
                "5",
                "--session-id",
                "0x10",
                "--pversion",
                "3",
                "--type",
                "data",
            ],
        )
        .unwrap();
        bytes_both_ways(&ctx, &l, &[5, 0, 0, 0, 16, 0, 0, 0, 3, 1, 0x0f, 0]);
    }

    #[test]
    fn text_round_trip() {
        let r = |s: &str| round(Family::Ipv4, s);
        assert_eq!(
            r("-p udp -m l2tp --type control --pversion 2 --tunnel-id 7").unwrap(),
            " -p udp -m l2tp --tunnel-id 7 --pversion 2 --type control"
        );
        for bad in [
            "-p udp -m l2tp",
            "-m l2tp --tunnel-id 1",
            "-p udp -m l2tp --pversion 4",
            "-p udp -m l2tp --pversion 2 --tunnel-id 65536",
            "-p udp -m l2tp ! --tunnel-id 1",
            "-p udp -m l2tp --type other",
            "-p udp -m l2tp --tunnel-id 1 --tunnel-id 2",
        ] {
            assert!(r(bad).is_err(), "{bad}");
        }
    }
}
