//! Blocking and unblocking addresses: one `-s NET -j DROP` rule per blocked
//! network at the top of a chain. Idempotent both ways: blocking twice leaves
//! one rule, unblocking what is not blocked changes nothing.
//!
//! Pure changes of a [`Table`]; commit them through a [`Handle`](crate::Handle).

use crate::addr::Net;
use crate::error::{Error, Result};
use crate::rule::Rule;
use crate::ruleset::Table;
use crate::targets::Target;

/// The rule that blocks `net`.
pub fn block_rule(table: &Table, net: Net) -> Result<Rule> {
    block_rule_for(table.family, net)
}

/// The rule that blocks `net` in a table of `family`.
pub fn block_rule_for(family: crate::Family, net: Net) -> Result<Rule> {
    if net.family() != family {
        return Err(Error::InvalidAddress(format!(
            "{net} is not an {family:?} address"
        )));
    }
    Ok(Rule::new(family).source(net).with_target(Target::Drop))
}

/// Blocks each network not yet blocked, inserting its rule at the top of
/// `chain` (so it wins over later ACCEPTs). Returns how many rules were added.
pub fn block(table: &mut Table, chain: &str, nets: &[Net]) -> Result<usize> {
    let mut added = 0;
    for net in nets {
        let rule = block_rule(table, *net)?;
        if !table.contains_rule(chain, &rule)? {
            table.insert(chain, added, rule)?;
            added += 1;
        }
    }
    Ok(added)
}

/// Removes every blocking rule of each network. Returns how many were removed.
pub fn unblock(table: &mut Table, chain: &str, nets: &[Net]) -> Result<usize> {
    let mut removed = 0;
    for net in nets {
        let rule = block_rule(table, *net)?;
        while table.contains_rule(chain, &rule)? {
            table.delete_rule(chain, &rule)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The networks currently blocked in `chain`, in rule order.
pub fn blocked(table: &Table, chain: &str) -> Result<Vec<Net>> {
    Ok(table
        .get(chain)?
        .rules
        .iter()
        .filter(|r| {
            r.target == Target::Drop
                && r.matches.is_empty()
                && r.dst.is_none()
                && r.in_iface.is_none()
                && r.out_iface.is_none()
                && r.proto.is_none()
        })
        .filter_map(|r| r.src.filter(|s| !s.invert).map(|s| s.value))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;

    #[test]
    fn idempotent_both_ways() {
        let mut t = Table::new(Family::Ipv4, "filter").unwrap();
        t.append("INPUT", Rule::new(Family::Ipv4).with_target(Target::Accept))
            .unwrap();
        let nets: Vec<Net> = vec![
            "192.0.2.1".parse().unwrap(),
            "198.51.100.0/24".parse().unwrap(),
        ];
        assert_eq!(block(&mut t, "INPUT", &nets).unwrap(), 2);
        assert_eq!(block(&mut t, "INPUT", &nets).unwrap(), 0);
        assert_eq!(blocked(&t, "INPUT").unwrap(), nets);
        assert_eq!(
            t.get("INPUT").unwrap().rules.last().unwrap().target,
            Target::Accept
        );
        assert_eq!(unblock(&mut t, "INPUT", &nets[..1]).unwrap(), 1);
        assert_eq!(unblock(&mut t, "INPUT", &nets[..1]).unwrap(), 0);
        assert_eq!(blocked(&t, "INPUT").unwrap(), nets[1..]);
        assert!(block(&mut t, "INPUT", &["::1".parse().unwrap()]).is_err());
        assert!(block(&mut t, "NOPE", &nets).is_err());
    }
}
