//! The value shared by `-m dst` and `-m hbh`: an IPv6 destination-options or
//! hop-by-hop-options header (`ip6t_opts.h`, `struct ip6t_opts`). The two
//! matches differ only in their name and option prefix.

use iptkit_sys::ext::ip6t_opts::*;
use iptkit_sys::Pod;

use crate::error::{Error, Result};
use crate::extension::{bad_revision, read_struct, Args};
use crate::inv::Inv;
use crate::xtopt::{c_strtoul, uint_option, Seen};

/// One option of the header: its type and, optionally, its length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ip6Opt {
    /// Option type.
    pub kind: u8,
    /// Option data length; `None` for any (the kernel's 0xFF, which is
    /// also what `TYPE:255` gives).
    pub len: Option<u8>,
}

/// An options header match: `[!] --PREFIX-len N`, `--PREFIX-opts LIST`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ip6Opts {
    /// `[!] --dst-len` / `--hbh-len`: the header length.
    pub len: Option<Inv<u32>>,
    /// `--dst-opts` / `--hbh-opts`: options that must appear, in order (at
    /// most [`IP6T_OPTS_OPTSNR`]).
    pub opts: Option<Vec<Ip6Opt>>,
}

const O_LEN: u32 = 1 << 0;
const O_OPTS: u32 = 1 << 1;

/// `parse_opts_num`: a `strtoul` number with nothing after it, of which the
/// caller keeps the low byte.
fn opts_num(ext: &str, option: &str, what: &str, s: &str) -> Result<u8> {
    let n = c_strtoul(s, 0);
    if n.end == 0 {
        return Err(Error::value(
            option,
            s,
            format!("{ext}: no valid digits in {what}"),
        ));
    }
    if n.overflow {
        return Err(Error::value(
            option,
            s,
            format!("{what} specified too big: would overflow"),
        ));
    }
    if n.end != s.len() {
        return Err(Error::value(
            option,
            s,
            format!("{ext}: error parsing {what}"),
        ));
    }
    Ok(n.value as u8)
}

/// `parse_options` of libip6t_dst/hbh: `TYPE[:LEN][,TYPE[:LEN]...]`, at
/// most 16 items, the 16th without a length.
fn parse_opts(ext: &str, option: &str, s: &str) -> Result<Vec<Ip6Opt>> {
    let items: Vec<&str> = s.split(',').collect();
    if items.len() > IP6T_OPTS_OPTSNR {
        return Err(Error::value(option, s, "too many addresses specified"));
    }
    let mut opts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (kind, len) = match item.split_once(':') {
            Some((k, l)) => {
                if i == IP6T_OPTS_OPTSNR - 1 {
                    return Err(Error::value(option, s, "too many ports specified"));
                }
                (k, Some(l))
            }
            None => (*item, None),
        };
        let kind = opts_num(ext, option, "opt", kind)?;
        let len = match len {
            None => None,
            Some(_) if kind == 0 => {
                return Err(Error::value(option, s, "PAD0 has not got length"));
            }
            Some(l) => Some(opts_num(ext, option, "length", l)?).filter(|&l| l != 0xFF),
        };
        opts.push(Ip6Opt { kind, len });
    }
    Ok(opts)
}

impl Ip6Opts {
    /// Reads `struct ip6t_opts` (revision 0 only).
    pub(crate) fn decode(ext: &str, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(ext, revision));
        }
        let k: ip6t_opts = read_struct(ext, revision, data)?;
        let n = (k.optsnr as usize).min(IP6T_OPTS_OPTSNR);
        Ok(Ip6Opts {
            len: (k.flags & IP6T_OPTS_LEN != 0)
                .then(|| Inv::new(k.hdrlen, k.invflags & IP6T_OPTS_INV_LEN != 0)),
            opts: (k.flags & IP6T_OPTS_OPTS != 0).then(|| {
                k.opts[..n]
                    .iter()
                    .map(|&o| Ip6Opt {
                        kind: (o >> 8) as u8,
                        len: Some(o as u8).filter(|&l| l != 0xFF),
                    })
                    .collect()
            }),
        })
    }

    /// Writes `struct ip6t_opts`.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let mut k = ip6t_opts::zeroed();
        if let Some(l) = self.len {
            k.flags |= IP6T_OPTS_LEN;
            k.hdrlen = l.value;
            if l.invert {
                k.invflags |= IP6T_OPTS_INV_LEN;
            }
        }
        if let Some(opts) = &self.opts {
            k.flags |= IP6T_OPTS_OPTS;
            for (slot, o) in k.opts.iter_mut().zip(opts) {
                *slot = u16::from(o.kind) << 8 | u16::from(o.len.unwrap_or(0xFF));
            }
            k.optsnr = opts.len().min(IP6T_OPTS_OPTSNR) as u8;
        }
        out.extend_from_slice(k.as_bytes());
    }

    /// Takes `--EXT-len` or `--EXT-opts`.
    pub(crate) fn parse_option(
        &mut self,
        ext: &str,
        option: &str,
        invert: bool,
        args: &mut Args,
        seen: &mut Seen,
    ) -> Result<bool> {
        let Some(which) = option.strip_prefix(ext) else {
            return Ok(false);
        };
        let flag = format!("--{option}");
        match which {
            "-len" => {
                seen.take(ext, option, O_LEN, invert, true)?;
                let n = uint_option(ext, &flag, args.value(&flag)?, 0, u32::MAX.into())?;
                self.len = Some(Inv::new(n as u32, invert));
            }
            "-opts" => {
                seen.take(ext, option, O_OPTS, invert, false)?;
                self.opts = Some(parse_opts(ext, &flag, args.value(&flag)?)?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Prints ` [!] --EXT-len N --EXT-opts LIST`.
    pub(crate) fn save(&self, ext: &str, out: &mut String) {
        if let Some(l) = self.len {
            push_fmt!(out, "{} --{ext}-len {}", l.bang(), l.value);
        }
        if let Some(opts) = &self.opts {
            push_fmt!(out, " --{ext}-opts");
            for (i, o) in opts.iter().enumerate() {
                out.push(if i == 0 { ' ' } else { ',' });
                out.push_str(&o.kind.to_string());
                if let Some(l) = o.len {
                    push_fmt!(out, ":{l}");
                }
            }
        }
    }
}
/// The [`Extension`](crate::extension::Extension) impl of a match whose
/// value is an [`Ip6Opts`] (`dst`, `hbh`): IPv6 only, every codec the
/// header's, under the match's name.
macro_rules! ip6opts_match {
    ($ty:ident, $name:literal) => {
        impl $crate::extension::Extension for $ty {
            const NAME: &'static str = $name;
            const FAMILIES: &'static [$crate::addr::Family] = &[$crate::addr::Family::Ipv6];

            fn example(_family: $crate::addr::Family) -> Self {
                $ty::default()
            }

            fn start(_ctx: &$crate::extension::Ctx, _name: &str) -> Self {
                $ty::default()
            }

            fn decode(
                ctx: &$crate::extension::Ctx,
                revision: u8,
                data: &[u8],
            ) -> $crate::error::Result<Self> {
                let opts = Ip6Opts::decode(Self::NAME, revision, data)?;
                $crate::xtopt::exact(ctx, data, $ty(opts))
            }

            fn revision(&self) -> u8 {
                0
            }

            fn encode(&self, _ctx: &$crate::extension::Ctx, out: &mut Vec<u8>) {
                self.0.encode(out);
            }

            fn parse_option(
                &mut self,
                _ctx: &$crate::extension::Ctx,
                option: &str,
                invert: bool,
                args: &mut $crate::extension::Args,
                seen: &mut $crate::xtopt::Seen,
            ) -> $crate::error::Result<bool> {
                self.0.parse_option(Self::NAME, option, invert, args, seen)
            }

            fn save(&self, _ctx: &$crate::extension::Ctx, out: &mut String) {
                self.0.save(Self::NAME, out);
            }
        }
    };
}
pub(crate) use ip6opts_match;
