//! `-m icmp6`: not yet typed (placeholder; kept as raw bytes until its codec lands).

use crate::error::Result;
use crate::extension::{bad_revision, Args, Ctx, Extension};

/// `-m icmp6` (placeholder).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Icmp6 {}

impl Extension for Icmp6 {
    const NAME: &'static str = "icmp6";
    const TYPED: bool = false;

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Icmp6::default()
    }

    fn decode(_ctx: &Ctx, revision: u8, _data: &[u8]) -> Result<Self> {
        Err(bad_revision(Self::NAME, revision))
    }

    fn revision(&self) -> u8 {
        0
    }

    fn encode(&self, _ctx: &Ctx, _out: &mut Vec<u8>) {}

    fn parse_option(
        &mut self,
        _ctx: &Ctx,
        _option: &str,
        _invert: bool,
        _args: &mut Args,
    ) -> Result<bool> {
        Ok(false)
    }

    fn save(&self, _ctx: &Ctx, _out: &mut String) {}
}
