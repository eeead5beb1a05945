//! Ready-made rules against brute force and port scans: a per-source rate
//! limit on new connections (`-m hashlimit`), and a block of sources that
//! knock on too many closed ports (`-m recent`).
//!
//! [`RateLimit`] is one rule, put at the head of a chain so that it runs
//! before the rule accepting the service (on IPv6 the masks print as
//! `ffff:...`):
//!
//! ```text
//! -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m hashlimit --hashlimit-above 4/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name ssh -j DROP
//! ```
//!
//! [`PortScan`] is a chain, jumped to from the head of `INPUT`: a source
//! that opened `hitcount` new TCP connections to ports that are not
//! `open_ports` within `seconds` is dropped (all its packets) until it has
//! been quiet that long:
//!
//! ```text
//! :PORTSCAN - [0:0]
//! -A INPUT -j PORTSCAN
//! -A PORTSCAN -m recent --rcheck --seconds 60 --hitcount 10 --name portscan --mask 255.255.255.255 --rsource -j DROP
//! -A PORTSCAN -p tcp -m multiport ! --dports 22,80 -m conntrack --ctstate NEW -m recent --set --name portscan --mask 255.255.255.255 --rsource
//! ```
//!
//! Both are values: build them, look at their rules, and put them in a
//! [`Table`] with `apply` (idempotent: a second apply changes nothing),
//! then commit through a [`Handle`](crate::Handle).

use crate::addr::Family;
use crate::error::{Error, Result};
use crate::inv::Inv;
use crate::matches::conntrack::{Conntrack, CtState};
use crate::matches::hashlimit::{HashMode, Hashlimit};
use crate::matches::multiport::Multiport;
use crate::matches::recent::{Recent, RecentCmd};
use crate::matches::tcp::Tcp;
use crate::matches::udp::Udp;
use crate::rule::Rule;
use crate::ruleset::{check_chain_name, Table};
use crate::targets::Target;

/// The transport protocol a [`RateLimit`] guards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Transport {
    /// TCP (`-p tcp -m tcp`).
    #[default]
    Tcp,
    /// UDP (`-p udp -m udp`).
    Udp,
}

/// New connections from one source to one port, above a rate: dropped.
///
/// ```
/// use iptkit::defense::RateLimit;
/// use iptkit::Family;
/// let ssh = RateLimit::new(Family::Ipv4, 22, "4/minute", "ssh")?;
/// assert_eq!(
///     ssh.rule().to_string(),
///     "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m hashlimit --hashlimit-above 4/min \
///      --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name ssh -j DROP"
/// );
/// assert!(RateLimit::new(Family::Ipv4, 22, "fast", "ssh").is_err());
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// The family of the rule.
    pub family: Family,
    /// TCP or UDP.
    pub transport: Transport,
    /// The destination port guarded.
    pub port: u16,
    /// The limit: `--hashlimit-above RATE --hashlimit-mode srcip
    /// --hashlimit-name NAME` (its `burst` is how many go through at once
    /// before the rate counts; the name is the kernel table,
    /// `/proc/net/ipt_hashlimit/NAME`, and what [`RateLimit::apply`] knows
    /// its rule by).
    pub limit: Hashlimit,
    /// What happens above the rate (`DROP`).
    pub target: Target,
}

impl RateLimit {
    /// New TCP connections to `port` from one source address above `rate`
    /// (as iptables writes it: `4/minute`, `10/sec`, `100/hour`) are
    /// dropped, after a burst of 5 (iptables' default); `name` is the
    /// hashlimit table. A rate or name iptables refuses is an error.
    pub fn new(family: Family, port: u16, rate: &str, name: &str) -> Result<RateLimit> {
        let limit = Hashlimit {
            mode: HashMode::SRC_IP,
            ..Hashlimit::above(family, rate, name)?
        };
        Ok(RateLimit {
            family,
            transport: Transport::Tcp,
            port,
            limit,
            target: Target::Drop,
        })
    }

    /// The rule (see the [module](self) page for its text).
    pub fn rule(&self) -> Rule {
        let rule = Rule::new(self.family);
        let rule = match self.transport {
            Transport::Tcp => rule.with_match(Tcp::dport(self.port)),
            Transport::Udp => rule.with_match(Udp::dport(self.port)),
        };
        rule.with_match(Conntrack::state(CtState::NEW))
            .with_match(self.limit.clone())
            .with_target(self.target.clone())
    }

    /// Puts the rule at the head of `chain`, or in place of the rule of
    /// `chain` that has a hashlimit of the same name (an earlier version
    /// of this limit; any further ones are removed). Already there as it
    /// is: nothing changes.
    pub fn apply(&self, table: &mut Table, chain: &str) -> Result<()> {
        let rule = self.rule();
        let ours = |r: &Rule| {
            r.find::<Hashlimit>()
                .is_some_and(|h| h.name == self.limit.name)
        };
        let mut t = table.clone();
        let found: Vec<usize> = t
            .get_mut(chain)?
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| ours(r))
            .map(|(i, _)| i)
            .collect();
        match found.split_first() {
            None => t.insert(chain, 0, rule)?,
            Some((&first, rest)) => {
                for &i in rest.iter().rev() {
                    t.delete(chain, i)?;
                }
                if !t.get_mut(chain)?.rules[first].same_spec(&rule) {
                    t.replace(chain, first, rule)?;
                }
            }
        }
        *table = t;
        Ok(())
    }
}

/// The list name [`PortScan::new`] uses.
pub const PORTSCAN_LIST: &str = "portscan";

/// A source that opens too many new TCP connections to closed ports in a
/// short time is blocked (the `-m recent` pattern; see the [module](self)
/// page for the rules).
///
/// ```
/// use iptkit::defense::PortScan;
/// use iptkit::Family;
/// let guard = PortScan { open_ports: vec![22, 443], ..PortScan::new(Family::Ipv4, 60, 10)? };
/// let rules: Vec<String> = guard.rules()?.iter().map(|r| r.to_string()).collect();
/// assert_eq!(rules[0], "-m recent --rcheck --seconds 60 --hitcount 10 --name portscan \
///     --mask 255.255.255.255 --rsource -j DROP");
/// assert_eq!(rules[1], "-p tcp -m multiport ! --dports 22,443 -m conntrack --ctstate NEW \
///     -m recent --set --name portscan --mask 255.255.255.255 --rsource");
/// assert!(PortScan::new(Family::Ipv4, 60, 0).is_err());
/// # Ok::<(), iptkit::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortScan {
    /// The family of the rules.
    pub family: Family,
    /// The chain holding the rules (`PORTSCAN`).
    pub chain: String,
    /// The built-in chain that jumps to it first thing (`INPUT`).
    pub hook: String,
    /// The `-m recent` list (`--name`, `/proc/net/xt_recent/NAME`).
    pub list: String,
    /// The window, in seconds.
    pub seconds: u32,
    /// How many probes in the window block a source (1 to 255).
    pub hitcount: u32,
    /// The TCP ports served here: connections to them are not probes. Up
    /// to 15 (one multiport match); none counts every new TCP connection.
    pub open_ports: Vec<u16>,
}

impl PortScan {
    /// `hitcount` probes in `seconds` block a source; chain `PORTSCAN`
    /// hooked from `INPUT`, list `portscan`, no open ports (set them on
    /// the value). Refuses a zero window, and a hit count the kernel
    /// refuses (0, or above 255).
    pub fn new(family: Family, seconds: u32, hitcount: u32) -> Result<PortScan> {
        let guard = PortScan {
            family,
            chain: "PORTSCAN".into(),
            hook: "INPUT".into(),
            list: PORTSCAN_LIST.into(),
            seconds,
            hitcount,
            open_ports: Vec::new(),
        };
        guard.check()?;
        Ok(guard)
    }

    fn check(&self) -> Result<()> {
        let bad = |option: &str, value: u32, reason: &str| Error::InvalidValue {
            option: format!("recent {option}"),
            value: value.to_string(),
            reason: reason.into(),
        };
        if self.seconds == 0 {
            return Err(bad(
                "--seconds",
                self.seconds,
                "the window must be at least 1 s",
            ));
        }
        if !(1..=255).contains(&self.hitcount) {
            return Err(bad(
                "--hitcount",
                self.hitcount,
                "the kernel takes 1 to 255",
            ));
        }
        check_chain_name(&self.chain)
    }

    fn recent(&self, command: RecentCmd) -> Recent {
        Recent {
            name: Some(self.list.clone()),
            ..Recent::new(command)
        }
    }

    /// The rule in the hook chain: `-j CHAIN`.
    pub fn hook_rule(&self) -> Rule {
        Rule::new(self.family).with_target(Target::Jump(self.chain.clone()))
    }

    /// The chain's rules: drop a source seen `hitcount` times within
    /// `seconds`; count a new TCP connection to a port not open.
    pub fn rules(&self) -> Result<Vec<Rule>> {
        self.check()?;
        let block = Rule::new(self.family)
            .with_match(Recent {
                seconds: Some(self.seconds),
                hitcount: Some(self.hitcount),
                ..self.recent(RecentCmd::Check)
            })
            .with_target(Target::Drop);
        let mut count = Rule::new(self.family).protocol(libc::IPPROTO_TCP as u8);
        if !self.open_ports.is_empty() {
            let mut closed = Multiport::dports(self.open_ports.iter().map(|&p| p.into()))?;
            closed.ports = Inv::not(closed.ports.value);
            count = count.with_match(closed);
        }
        let count = count
            .with_match(Conntrack::state(CtState::NEW))
            .with_match(self.recent(RecentCmd::Set));
        Ok(vec![block, count])
    }

    /// Fills the chain (created when missing) with [`PortScan::rules`] and
    /// puts the hook rule at the head of the hook chain unless it is there.
    pub fn apply(&self, table: &mut Table) -> Result<()> {
        let rules = self.rules()?;
        let mut t = table.clone();
        if t.chain(&self.chain).is_none() {
            t.new_chain(&self.chain)?;
        }
        let chain = t.get_mut(&self.chain)?;
        if chain.is_builtin() {
            return Err(Error::BuiltinChain {
                chain: self.chain.clone(),
                reason: "the port-scan rules need a user chain",
            });
        }
        chain.rules = rules;
        let hook = self.hook_rule();
        if !t.contains_rule(&self.hook, &hook)? {
            t.insert(&self.hook, 0, hook)?;
        }
        *table = t;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::restore::save_table;

    #[test]
    fn rate_limit_text_and_apply_in_place() {
        let mut t = Table::new(Family::Ipv6, "filter").unwrap();
        t.append(
            "INPUT",
            Rule::parse(Family::Ipv6, "-p tcp --dport 22 -j ACCEPT").unwrap(),
        )
        .unwrap();
        let ssh = RateLimit::new(Family::Ipv6, 22, "4/minute", "ssh").unwrap();
        ssh.apply(&mut t, "INPUT").unwrap();
        ssh.apply(&mut t, "INPUT").unwrap();
        let dns = RateLimit {
            transport: Transport::Udp,
            ..RateLimit::new(Family::Ipv6, 53, "20/sec", "dns").unwrap()
        };
        dns.apply(&mut t, "INPUT").unwrap();
        let faster = RateLimit::new(Family::Ipv6, 22, "10/minute", "ssh").unwrap();
        faster.apply(&mut t, "INPUT").unwrap();
        let s = save_table(&t, false);
        assert!(
            s.contains(
                "-A INPUT -p udp -m udp --dport 53 -m conntrack --ctstate NEW -m hashlimit \
                 --hashlimit-above 20/sec --hashlimit-burst 5 --hashlimit-mode srcip \
                 --hashlimit-name dns -j DROP\n\
                 -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m hashlimit \
                 --hashlimit-above 10/min --hashlimit-burst 5 --hashlimit-mode srcip \
                 --hashlimit-name ssh -j DROP\n\
                 -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n"
            ),
            "{s}"
        );
        assert!(ssh.apply(&mut t, "NOPE").is_err());
    }

    #[test]
    fn port_scan_chain_text() {
        let mut t = Table::new(Family::Ipv6, "filter").unwrap();
        let guard = PortScan::new(Family::Ipv6, 30, 5).unwrap();
        guard.apply(&mut t).unwrap();
        guard.apply(&mut t).unwrap();
        assert_eq!(
            save_table(&t, false),
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n\
             :PORTSCAN - [0:0]\n-A INPUT -j PORTSCAN\n\
             -A PORTSCAN -m recent --rcheck --seconds 30 --hitcount 5 --name portscan \
             --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -j DROP\n\
             -A PORTSCAN -p tcp -m conntrack --ctstate NEW -m recent --set --name portscan \
             --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource\nCOMMIT\n"
        );
        let one = PortScan {
            open_ports: vec![22],
            ..guard.clone()
        };
        assert!(one.rules().unwrap()[1]
            .to_string()
            .starts_with("-p tcp -m multiport ! --dports 22 -m"));
        let many = PortScan {
            open_ports: (1..=16).collect(),
            ..guard.clone()
        };
        assert!(many.rules().is_err(), "16 ports do not fit one multiport");
        assert!(PortScan::new(Family::Ipv4, 0, 5).is_err());
        assert!(PortScan::new(Family::Ipv4, 60, 256).is_err());
        let builtin = PortScan {
            chain: "OUTPUT".into(),
            ..guard
        };
        let before = t.clone();
        assert!(builtin.apply(&mut t).is_err());
        assert_eq!(t, before);
    }
}
