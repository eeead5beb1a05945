//! Layout entries for issue 3 area matches_g.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &[];

pub fn layouts() -> Vec<Layout> {
    vec![]
}
