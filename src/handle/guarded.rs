//! The lock-out guard and commit with confirmation, on [`Handle`].

use std::time::Duration;

use super::Handle;
use crate::confirm::Pending;
use crate::error::{Error, Result};
use crate::ruleset::Table;
use crate::whatif::{evaluate_flow, Action, Flow, Verdict};

impl Handle {
    /// Protects a flow: from now on, every commit of this handle first
    /// evaluates the flow against the table it is about to send (with
    /// [`whatif`](crate::whatif)), and refuses to send it when the verdict
    /// is `DROP`, `REJECT` or undecided, with [`Error::LockedOut`] naming
    /// the flow and the rule (or policy) that decided. Nothing reaches the
    /// kernel then, and the changes stay pending (undo them, or
    /// [`Handle::refresh`]).
    ///
    /// Undecided is refused because it is the safe side: a guard that
    /// lets a rate limit or an ipset decide would not guard. Other verdicts
    /// (ACCEPT, QUEUE, DNAT, ...) pass. A flow whose chain is not in this
    /// table, or of the other family, is not this table's business and
    /// passes. Every commit checks the whole table, so it reads the whole
    /// table (no append-only shortcut).
    ///
    /// ```
    /// use iptkit::whatif::{Flow, Packet};
    /// use iptkit::{Error, Family, Handle, Policy, Rule};
    /// # iptkit::netns::unshare_net()?;
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// let admin = Packet::new("192.0.2.7".parse().unwrap(), "198.51.100.1".parse().unwrap()).tcp(40000, 22);
    /// h.guard(Flow::input(admin));
    /// h.set_policy("INPUT", Policy::Drop)?;
    /// assert!(matches!(h.commit(), Err(Error::LockedOut { .. }))); // nothing sent
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-p tcp --dport 22 -j ACCEPT")?)?;
    /// h.commit()?; // now the admin's flow is accepted
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn guard(&mut self, flow: Flow) {
        self.guards.push(flow);
    }

    /// The protected flows ([`Handle::guard`]).
    pub fn guards(&self) -> &[Flow] {
        &self.guards
    }

    /// Protects no flow any more.
    pub fn clear_guards(&mut self) {
        self.guards.clear();
    }

    /// Commits as [`Handle::commit`] does, then puts the previous table
    /// back unless [`Pending::confirm`] is called within `timeout` (what
    /// `iptables-apply` does): a change that cuts the caller off cannot be
    /// confirmed, and undoes itself.
    ///
    /// The put-back happens exactly once, at the timeout (on a thread of
    /// its own, started in the calling thread's network namespace) or when
    /// the [`Pending`] is dropped unconfirmed, whichever comes first; a
    /// `confirm` that comes after it fails with [`Error::NotConfirmed`].
    /// It restores the table the commit replaced, as one commit, and only
    /// when the kernel still holds what this commit made (counters aside):
    /// when somebody changed the table in between, their change is not
    /// undone, nothing is put back, and the outcome is
    /// [`Error::RollbackConflict`] (from [`Pending::rollback`] or
    /// [`Pending::wait`]; a put-back at drop or timeout that fails says so
    /// on stderr).
    ///
    /// With nothing pending (nothing to commit; with
    /// [`Options::autocommit`](crate::Options::autocommit) every change
    /// is committed as it is made, so use a handle without it), the
    /// [`Pending`] is confirmed at once: there is nothing to put back.
    ///
    /// The put-back goes through its own handle, opened now with this
    /// handle's options in the calling thread's network namespace (so not
    /// for a handle of [`Handle::open_in`]); on legacy it takes the
    /// xtables lock, so a [`Handle::hold_lock`] held past the timeout
    /// delays it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use iptkit::{Family, Handle, Rule};
    /// # iptkit::netns::unshare_net()?;
    /// let mut h = Handle::open(Family::Ipv4, "filter")?;
    /// h.append("INPUT", Rule::parse(Family::Ipv4, "-s 192.0.2.1 -j DROP")?)?;
    /// let pending = h.commit_confirmed(Duration::from_secs(30))?;
    /// // ... check that the machine is still reachable, then:
    /// pending.confirm()?;
    /// assert_eq!(Handle::open(Family::Ipv4, "filter")?.rules("INPUT")?.len(), 1);
    /// # Ok::<(), iptkit::Error>(())
    /// ```
    pub fn commit_confirmed(&mut self, timeout: Duration) -> Result<Pending> {
        let options = self.options.clone().backend(self.backend).autocommit(false);
        let mut restorer = Handle::open_with(self.family, &self.name, options)?;
        restorer.driver.connect(self.family)?;
        self.captured = None;
        self.capture = true;
        let done = self.commit();
        self.capture = false;
        done?;
        let Some(prev) = self.captured.take() else {
            // Nothing was pending: nothing to put back.
            return Ok(Pending::confirmed(&self.name));
        };
        let applied = self.working()?.clone();
        Ok(Pending::start(restorer, prev, applied, timeout))
    }
}

/// Refuses `table` when it drops, rejects, or may drop a guarded flow.
pub(super) fn check(guards: &[Flow], table: &Table) -> Result<()> {
    for flow in guards {
        if flow.packet.family() != table.family || table.chain(&flow.chain).is_none() {
            continue;
        }
        let e = evaluate_flow(table, flow)?;
        if !matches!(
            e.verdict,
            Verdict::Drop | Verdict::Reject | Verdict::Undecided
        ) {
            continue;
        }
        let at = match (&e.verdict, e.decided_by()) {
            (Verdict::Undecided, _) => format!(
                "undecided rules (it may be {}): {}",
                e.possible
                    .iter()
                    .map(Verdict::to_string)
                    .collect::<Vec<_>>()
                    .join(" or "),
                e.reasons.join("; ")
            ),
            (_, Some(step)) => match (&step.action, step.index) {
                (Action::Policy(v), _) => format!("chain {} policy {v}", step.chain),
                (_, Some(i)) => format!("chain {} rule {i} ({})", step.chain, step.rule),
                _ => format!("chain {}", step.chain),
            },
            (_, None) => "an undecided way".into(),
        };
        return Err(Error::LockedOut {
            table: table.name.clone(),
            flow: flow.to_string(),
            verdict: e.verdict.to_string(),
            at,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Family;
    use crate::whatif::{ConnState, Packet};

    fn filter(family: Family, text: &str) -> Table {
        let mut t = Table::new(family, "filter").unwrap();
        let text = format!("*filter\n{text}COMMIT\n");
        crate::syntax::restore::parse(family, &text).unwrap()[0]
            .apply(&mut t, &Default::default())
            .unwrap();
        t
    }

    fn admin() -> Flow {
        let p = Packet::new(
            "192.0.2.7".parse().unwrap(),
            "198.51.100.1".parse().unwrap(),
        );
        Flow::input(p.tcp(40000, 22).in_iface("eth0").state(ConnState::New))
    }

    fn refusal(t: &Table, flows: &[Flow]) -> (String, String) {
        match check(flows, t) {
            Err(Error::LockedOut { verdict, at, .. }) => (verdict, at),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_the_rule_or_policy_that_cuts_the_flow() {
        let t = filter(
            Family::Ipv4,
            ":INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\n",
        );
        assert_eq!(
            refusal(&t, &[admin()]),
            ("DROP".into(), "chain INPUT policy DROP".into())
        );
        let t = filter(Family::Ipv4, "-A INPUT -p tcp -j REJECT\n");
        assert_eq!(
            refusal(&t, &[admin()]),
            (
                "REJECT".into(),
                "chain INPUT rule 0 (-p tcp -j REJECT --reject-with icmp-port-unreachable)".into()
            )
        );
        let t = filter(
            Family::Ipv4,
            ":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n",
        );
        assert!(check(&[admin()], &t).is_ok());
    }

    #[test]
    fn undecided_is_refused_with_the_reasons() {
        let t = filter(
            Family::Ipv4,
            "-A INPUT -m set --match-set bad src -j DROP\n",
        );
        let (verdict, at) = refusal(&t, &[admin()]);
        assert_eq!(verdict, "UNDECIDED");
        assert_eq!(
            at,
            "undecided rules (it may be ACCEPT or DROP): INPUT rule 0: -m set: depends on the ipset's contents"
        );
    }

    #[test]
    fn flows_a_table_does_not_see_pass() {
        // Another family, or a chain the table does not have.
        let t = filter(Family::Ipv6, ":INPUT DROP [0:0]\n");
        assert!(check(&[admin()], &t).is_ok());
        let raw = Table::new(Family::Ipv4, "raw").unwrap();
        assert!(check(&[admin()], &raw).is_ok());
    }
}
