//! Which rule, and which match or target of it, the kernel refused in a
//! batch. The kernel answers the message that failed (by its sequence
//! number), so the rule is known; its errno is all it says about why. The
//! extension and the reason are found as on the legacy backend (see
//! `legacy::diagnose`): by committing the table again in a scratch private
//! network namespace, without each extension of the rule in turn, and the
//! rule in a chain no hook reaches.

use crate::error::Errno;

use crate::backend::Driver;

use super::Nft;
use crate::addr::Family;
use crate::backend::legacy::diagnose::{self, Scratch};
use crate::backend::legacy::socket::Socket;
use crate::error::{Error, Refusal};
use crate::rule::Rule;
use crate::ruleset::Table;
use crate::targets::Target;

/// The refusal of the rule at `(chain, index)` of `new`, named, when it can
/// be repeated.
pub(super) fn refused(new: &Table, (chain, index): (&str, usize), errno: Errno) -> Option<Error> {
    let ci = new.chains.iter().position(|c| c.name == chain)?;
    let rule = new.chains[ci].rules.get(index)?;
    let mut found = diagnose::search(new, &[(ci, index)], errno, |_| {
        Some(Nft {
            scratch: true,
            ..Nft::default()
        })
    })?;
    if let Error::Refused {
        family,
        extension,
        is_target,
        revision,
        errno: Errno::ENOENT,
        reason,
        ..
    } = &mut found
    {
        if lacks(*family, rule, extension, *is_target, *revision) {
            *reason = Refusal::Missing;
        }
    }
    Some(found)
}

/// Does the kernel lack this revision of the rule's extension (its name
/// as written)? Asked the way iptables asks, on an xtables socket: the
/// kernel's extensions are the same for both backends.
fn lacks(family: Family, rule: &Rule, shown: &str, is_target: bool, revision: u8) -> bool {
    let name = if is_target {
        match &rule.target {
            Target::Ext(t) => t.name(),
            _ => return false,
        }
    } else {
        match rule.matches.iter().find(|m| m.save_name() == shown) {
            Some(m) => m.name(),
            None => return false,
        }
    };
    Socket::open(family)
        .and_then(|s| s.revision_supported(name, revision, is_target))
        .is_ok_and(|has| !has)
}

/// A whole table committed the usual way: read what the scratch namespace
/// holds, send the difference.
impl Scratch for Nft {
    fn fails(&mut self, table: &Table) -> Option<bool> {
        let loaded = self.load(table.family, &table.name).ok()?;
        match self.commit(&loaded, table) {
            Ok(_) => Some(false),
            Err(Error::Kernel { errno, .. }) if diagnose::worth_a_search(errno) => Some(true),
            // Refused before anything was sent (a table the extension
            // does not belong in).
            Err(Error::Refused { .. }) => Some(true),
            Err(_) => None,
        }
    }
}
