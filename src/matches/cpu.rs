//! `-m cpu`: the CPU handling the packet (`xt_cpu.h`, `struct xt_cpu_info`).

use iptkit_sys::ext::xt_cpu::*;
use iptkit_sys::Pod;

use crate::error::Result;
use crate::extension::{bad_revision, read_struct, Args, Ctx, Extension};
use crate::inv::Inv;
use crate::xtopt::{bool_field, uint_option, Seen};

/// `-m cpu`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Cpu {
    /// `[!] --cpu N`: the CPU number.
    pub cpu: Inv<u32>,
}

impl Cpu {
    /// A match on CPU `cpu`.
    pub fn with(cpu: Inv<u32>) -> Self {
        Cpu { cpu }
    }
}

const O_CPU: u32 = 1;

impl Extension for Cpu {
    const NAME: &'static str = "cpu";

    fn example(_family: crate::addr::Family) -> Self {
        Cpu::default()
    }

    fn start(_ctx: &Ctx, _name: &str) -> Self {
        Cpu::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, data: &[u8]) -> Result<Self> {
        if revision != 0 {
            return Err(bad_revision(Self::NAME, revision));
        }
        let k: xt_cpu_info = read_struct(Self::NAME, revision, data)?;
        let invert = bool_field(Self::NAME, "invert", k.invert)?;
        Ok(Cpu::with(Inv::new(k.cpu, invert)))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, out: &mut Vec<u8>) {
        let mut k = xt_cpu_info::zeroed();
        k.cpu = self.cpu.value;
        k.invert = u32::from(self.cpu.invert);
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
        if option != "cpu" {
            return Ok(false);
        }
        seen.take(Self::NAME, option, O_CPU, invert, true)?;
        let v = args.value("--cpu")?;
        let cpu = uint_option(Self::NAME, option, v, 0, u64::from(u32::MAX))? as u32;
        self.cpu = Inv::new(cpu, invert);
        Ok(true)
    }

    fn finish(&mut self, _ctx: &Ctx, seen: Seen) -> Result<()> {
        seen.require(Self::NAME, "cpu", O_CPU)
    }

    fn save(&self, _ctx: &Ctx, out: &mut String) {
        push_fmt!(out, "{} --cpu {}", self.cpu.bang(), self.cpu.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::testutil::hex;
    use crate::testutil::{encode_as, parse_as, save_as};

    fn parse(words: &[&str]) -> Result<Cpu> {
        parse_as(Family::Ipv4, "cpu", words)
    }

    #[test]
    fn kernel_bytes_both_ways() {
        let ctx = Ctx::new(Family::Ipv4);
        let bytes = hex("0300000001000000");
        let m = parse(&["!", "--cpu", "3"]).unwrap();
        assert_eq!(encode_as(Family::Ipv4, &m), bytes);
        assert_eq!(Cpu::decode(&ctx, 0, &bytes).unwrap(), m);
        assert_eq!(save_as(&m), " ! --cpu 3");
        let m = Cpu::decode(&ctx, 0, &hex("1000000000000000")).unwrap();
        assert_eq!(save_as(&m), " --cpu 16");
        assert!(Cpu::decode(&ctx, 0, &hex("1000000002000000")).is_err());
    }

    #[test]
    fn refusals() {
        assert_eq!(save_as(&parse(&["--cpu", "0x10"]).unwrap()), " --cpu 16");
        assert!(parse(&[]).is_err());
        assert!(parse(&["--cpu", "4294967296"]).is_err());
        assert!(parse(&["--cpu", "-1"]).is_err());
        assert!(parse(&["--cpu", "1", "--cpu", "2"]).is_err());
    }

    /// Every case of the iptables test suite for this match, as
    /// iptables-legacy 1.8.9 printed or refused it.
    #[test]
    fn conformance_cases() {
        crate::testutil::check_cases(&[
            (46, "-m cpu --cpu 0", Some(" -m cpu --cpu 0")),
            (46, "-m cpu ! --cpu 0", Some(" -m cpu ! --cpu 0")),
            (
                46,
                "-m cpu --cpu 4294967295",
                Some(" -m cpu --cpu 4294967295"),
            ),
            (46, "-m cpu --cpu 4294967296", None),
            (46, "-m cpu", None),
        ]);
    }
}
