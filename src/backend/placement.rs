//! Where the kernel lets an extension be used: the tables and hooks its
//! module registers (`.table`, `.hooks` in `xt_*.c`, checked by
//! `xt_check_match`/`xt_check_target`) or checks itself (rpfilter,
//! SECMARK). The kernel's refusal is a bare EINVAL ("only valid in nat
//! table" goes to its log); knowing the rules, a commit refuses such a rule
//! before anything is sent, with [`Refusal::Hook`], on both backends.
//!
//! Only what is fixed per extension is here. Extensions whose hooks depend
//! on their options (physdev, addrtype, policy, devgroup) are left to the
//! kernel, and so is a user chain, whose hooks are those of the chains
//! jumping to it: the diagnosis after the kernel's refusal names those.
//! Every entry was checked against the kernel, table by table and chain by
//! chain (`tests/legacy_refusals.rs` keeps a few of them honest).

use crate::addr::Family;
use crate::error::{Error, Refusal, Result};
use crate::rule::Rule;
use crate::targets::Target;

/// Where an extension may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The tables; empty for any.
    pub tables: &'static [&'static str],
    /// The hooks, named as their built-in chains; empty for any.
    pub hooks: &'static [&'static str],
}

const NAT: &[&str] = &["nat"];
const MANGLE: &[&str] = &["mangle"];
const RAW: &[&str] = &["raw"];
const ANY: &[&str] = &[];

const fn at(tables: &'static [&'static str], hooks: &'static [&'static str]) -> Placement {
    Placement { tables, hooks }
}

/// Where the target of this kernel name may be used; `None` anywhere.
pub(crate) fn of_target(name: &str) -> Option<Placement> {
    Some(match name {
        "SNAT" => at(NAT, &["INPUT", "POSTROUTING"]),
        "DNAT" | "REDIRECT" => at(NAT, &["PREROUTING", "OUTPUT"]),
        "MASQUERADE" => at(NAT, &["POSTROUTING"]),
        "NETMAP" => at(NAT, ANY),
        "REJECT" => at(&["filter"], &["INPUT", "FORWARD", "OUTPUT"]),
        "TPROXY" => at(MANGLE, &["PREROUTING"]),
        "DNPT" => at(MANGLE, &["PREROUTING", "OUTPUT"]),
        "SNPT" => at(MANGLE, &["INPUT", "POSTROUTING"]),
        "TCPOPTSTRIP" | "DSCP" | "TOS" | "ECN" | "TTL" | "HL" | "CHECKSUM" => at(MANGLE, ANY),
        "CT" | "NOTRACK" | "TRACE" => at(RAW, ANY),
        "SECMARK" | "CONNSECMARK" => at(&["mangle", "security"], ANY),
        "CLASSIFY" | "TCPMSS" => at(ANY, &["FORWARD", "OUTPUT", "POSTROUTING"]),
        "SYNPROXY" => at(ANY, &["INPUT", "FORWARD"]),
        _ => return None,
    })
}

/// Where the match of this kernel name may be used; `None` anywhere.
pub(crate) fn of_match(name: &str) -> Option<Placement> {
    Some(match name {
        "rpfilter" => at(&["raw", "mangle"], &["PREROUTING"]),
        "owner" => at(ANY, &["OUTPUT", "POSTROUTING"]),
        "socket" => at(ANY, &["PREROUTING", "INPUT"]),
        "mac" | "eui64" => at(ANY, &["PREROUTING", "INPUT", "FORWARD"]),
        "realm" => at(ANY, &["INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]),
        "cgroup" => at(ANY, &["INPUT", "OUTPUT", "POSTROUTING"]),
        _ => return None,
    })
}

impl Placement {
    /// Why this extension may not be used in `table` from `hook` (a hook
    /// name, `None` for a user chain): `None` when it may.
    pub fn refuses(&self, table: &str, hook: Option<&'static str>) -> Option<Refusal> {
        if !self.tables.is_empty() && !self.tables.contains(&table) {
            return Some(Refusal::Hook {
                hook: hook.and_then(number),
                tables: Refusal::table_bits(self.tables),
            });
        }
        let hook = hook?;
        (!self.hooks.is_empty() && !self.hooks.contains(&hook)).then_some(Refusal::Hook {
            hook: number(hook),
            tables: 0,
        })
    }
}

/// The number of a hook, for [`Refusal::Hook`].
pub(crate) fn number(hook: &str) -> Option<u8> {
    crate::ruleset::hook_of(hook).and_then(|h| u8::try_from(h).ok())
}

/// The hook name of a built-in chain (`None` for a user chain).
pub(crate) fn hook_name(chain: &str) -> Option<&'static str> {
    crate::ruleset::HOOKS.iter().copied().find(|h| *h == chain)
}

/// Refuses `rule`, bound for `chain` of `table`, when one of its
/// extensions may not be used in that table, or (in a built-in chain) in
/// that hook: the kernel would answer EINVAL for the whole table.
pub(crate) fn check(family: Family, table: &str, chain: &str, rule: &Rule) -> Result<()> {
    let hook = hook_name(chain);
    let target = match &rule.target {
        Target::Ext(t) => of_target(t.name())
            .and_then(|p| p.refuses(table, hook))
            .map(|why| (t.save_name().to_string(), t.revision(), true, why)),
        _ => None,
    };
    let refused = rule
        .matches
        .iter()
        .find_map(|m| {
            let why = of_match(m.name())?.refuses(table, hook)?;
            Some((m.save_name().to_string(), m.revision(), false, why))
        })
        .or(target);
    match refused {
        None => Ok(()),
        Some((extension, revision, is_target, reason)) => Err(Error::Refused {
            family,
            table: table.to_string(),
            chain: chain.to_string(),
            rule: rule.to_string(),
            extension,
            is_target,
            revision,
            errno: crate::error::Errno::EINVAL,
            reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(table: &str, chain: &str, spec: &str) -> Option<Refusal> {
        let rule = Rule::parse(Family::Ipv4, spec).unwrap();
        match check(Family::Ipv4, table, chain, &rule) {
            Ok(()) => None,
            Err(Error::Refused { reason, .. }) => Some(reason),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_nat_target_outside_nat_names_the_table() {
        let why = refusal("filter", "INPUT", "-j SNAT --to-source 192.0.2.1");
        assert_eq!(
            why,
            Some(Refusal::Hook {
                hook: number("INPUT"),
                tables: Refusal::table_bits(&["nat"])
            })
        );
        let e = Refusal::Hook {
            hook: None,
            tables: Refusal::table_bits(&["nat"]),
        };
        assert_eq!(
            e.explain(crate::error::Errno::EINVAL),
            "only valid in the nat table"
        );
    }

    #[test]
    fn a_built_in_chain_of_the_wrong_hook_names_the_hook() {
        assert_eq!(
            refusal("nat", "PREROUTING", "-j SNAT --to-source 192.0.2.1"),
            Some(Refusal::Hook {
                hook: number("PREROUTING"),
                tables: 0
            })
        );
        assert_eq!(
            refusal("filter", "INPUT", "-m owner --uid-owner 0"),
            Some(Refusal::Hook {
                hook: number("INPUT"),
                tables: 0
            })
        );
    }

    #[test]
    fn allowed_places_and_user_chains_pass() {
        assert_eq!(
            refusal("nat", "POSTROUTING", "-j SNAT --to-source 192.0.2.1"),
            None
        );
        assert_eq!(
            refusal("nat", "mine", "-j SNAT --to-source 192.0.2.1"),
            None
        );
        assert_eq!(refusal("filter", "mine", "-m owner --uid-owner 0"), None);
        assert_eq!(refusal("filter", "INPUT", "-j REJECT"), None);
        assert_eq!(refusal("mangle", "INPUT", "-j LOG"), None);
    }
}
