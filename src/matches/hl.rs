//! `-m hl`: not yet typed (placeholder; kept as raw bytes until its codec lands).

use crate::error::Result;
use crate::extension::{bad_revision, Args, Ctx, Extension};

/// `-m hl` (placeholder).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hl {}

impl Extension for Hl {
    const NAME: &'static str = "hl";
    const TYPED: bool = false;

    fn new(_ctx: &Ctx, _name: &str) -> Self {
        Hl::default()
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
