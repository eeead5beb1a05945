//! Layout entries for issue 3 area targets_h.

use super::super::Layout;
#[allow(unused_imports)]
use iptkit_sys::ext::*;
#[allow(unused_imports)]
use iptkit_sys::xtables::*;

/// Headers these structs come from (included after the core ones).
pub const HEADERS: &[&str] = &["linux/netfilter/xt_AUDIT.h"];

pub fn layouts() -> Vec<Layout> {
    vec![layout!(xt_audit::xt_audit_info, "struct xt_audit_info", r#type => "type")]
}
