//! [`Pending`]: a commit that is undone unless confirmed in time
//! ([`Handle::commit_confirmed`]).

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::handle::Handle;
use crate::ruleset::Table;

/// A commit waiting for its confirmation ([`Handle::commit_confirmed`]).
///
/// [`Pending::confirm`] keeps the new rules. Otherwise the previous table
/// is put back once: at the timeout, by a thread of its own; at
/// [`Pending::rollback`]; or when the value is dropped — whichever comes
/// first. The decision is made under one lock, so a confirm racing the
/// timeout either keeps the rules (and the timeout does nothing) or comes
/// too late (and says so with [`Error::NotConfirmed`]), never both.
#[derive(Debug)]
#[must_use = "dropping a Pending unconfirmed puts the previous rules back at once"]
pub struct Pending {
    table: String,
    shared: Arc<Shared>,
    watchdog: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Debug)]
enum State {
    /// Neither confirmed nor put back yet.
    Waiting,
    /// Confirmed: the rules stay.
    Confirmed,
    /// Put back now, without waiting for the timeout (drop, rollback).
    Abandoned,
    /// The put-back ran: its outcome, until somebody takes it.
    Done(Option<Result<()>>),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves a state that is
        // still meaningful.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Pending {
    /// A commit that changed nothing: nothing to put back.
    pub(crate) fn confirmed(table: &str) -> Pending {
        Pending {
            table: table.into(),
            shared: Arc::new(Shared {
                state: Mutex::new(State::Confirmed),
                wake: Condvar::new(),
            }),
            watchdog: None,
        }
    }

    /// Starts the watchdog: at `timeout`, unless confirmed, `restorer`
    /// puts `prev` back where the kernel still holds `applied`.
    pub(crate) fn start(
        restorer: Handle,
        prev: Table,
        applied: Table,
        timeout: Duration,
    ) -> Pending {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::Waiting),
            wake: Condvar::new(),
        });
        let table = applied.name.clone();
        // A timeout too long to add up is no timeout: only a confirm, a
        // rollback or the drop ends the wait.
        let deadline = Instant::now().checked_add(timeout);
        let theirs = Arc::clone(&shared);
        // A thread spawned here shares this thread's network namespace.
        let watchdog = std::thread::spawn(move || {
            watch(&theirs, restorer, &prev, &applied, deadline);
        });
        Pending {
            table,
            shared,
            watchdog: Some(watchdog),
        }
    }

    /// Keeps the new rules. Fails with [`Error::NotConfirmed`] when the
    /// timeout came first (its `outcome` says whether the previous rules
    /// were put back).
    pub fn confirm(mut self) -> Result<()> {
        let outcome = {
            let mut state = self.shared.lock();
            match &mut *state {
                State::Waiting => {
                    *state = State::Confirmed;
                    None
                }
                State::Done(outcome) => Some(outcome.take()),
                State::Confirmed | State::Abandoned => None,
            }
        };
        self.shared.wake.notify_all();
        self.join();
        match outcome {
            None => Ok(()),
            Some(done) => Err(Error::NotConfirmed {
                table: self.table.clone(),
                outcome: describe(done),
            }),
        }
    }

    /// Puts the previous rules back now, without waiting for the timeout;
    /// the outcome of the put-back (see [`Pending::wait`]).
    pub fn rollback(mut self) -> Result<()> {
        {
            let mut state = self.shared.lock();
            if matches!(*state, State::Waiting) {
                *state = State::Abandoned;
            }
        }
        self.shared.wake.notify_all();
        self.outcome()
    }

    /// Waits for the timeout and returns the outcome of the put-back:
    /// `Ok` when the previous rules are back, [`Error::RollbackConflict`]
    /// when somebody changed the table since the commit (nothing put
    /// back), or the error of the put-back's commit.
    pub fn wait(mut self) -> Result<()> {
        self.outcome()
    }

    /// True once the new rules are confirmed; false while waiting and
    /// after a put-back.
    pub fn is_confirmed(&self) -> bool {
        matches!(*self.shared.lock(), State::Confirmed)
    }

    /// Joins the watchdog and takes the put-back's outcome.
    fn outcome(&mut self) -> Result<()> {
        self.join();
        let mut state = self.shared.lock();
        match &mut *state {
            State::Done(outcome) => outcome.take().unwrap_or(Ok(())),
            // Confirmed before: nothing to put back.
            _ => Ok(()),
        }
    }

    fn join(&mut self) {
        if let Some(w) = self.watchdog.take() {
            // The watchdog does not panic; if it did, its state says so.
            let _ = w.join();
        }
    }
}

impl Drop for Pending {
    /// Unconfirmed: puts the previous rules back now (a failure is printed
    /// on stderr: a drop cannot return it).
    fn drop(&mut self) {
        if self.watchdog.is_none() {
            return;
        }
        {
            let mut state = self.shared.lock();
            if matches!(*state, State::Waiting) {
                *state = State::Abandoned;
            }
        }
        self.shared.wake.notify_all();
        if let Err(e) = self.outcome() {
            eprintln!("iptkit: unconfirmed commit of table `{}`: {e}", self.table);
        }
    }
}

/// The watchdog: waits for the confirmation until `deadline`, else puts
/// the rules back, deciding under the state lock (a confirm arriving
/// meanwhile waits, then sees the outcome).
fn watch(
    shared: &Shared,
    mut restorer: Handle,
    prev: &Table,
    applied: &Table,
    deadline: Option<Instant>,
) {
    let mut state = shared.lock();
    loop {
        match *state {
            State::Confirmed | State::Done(_) => return,
            State::Abandoned => break,
            State::Waiting => {
                let Some(deadline) = deadline else {
                    state = shared.wake.wait(state).unwrap_or_else(|e| e.into_inner());
                    continue;
                };
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                state = shared
                    .wake
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
    }
    let outcome = put_back(&mut restorer, prev, applied);
    *state = State::Done(Some(outcome));
}

/// Puts `prev` back when the kernel still holds `applied` (checked again
/// on the fresh read should the table change before the commit lands).
fn put_back(h: &mut Handle, prev: &Table, applied: &Table) -> Result<()> {
    h.refresh()?;
    h.transact(|t| {
        if !same_rules(t, applied) {
            return Err(Error::RollbackConflict {
                table: t.name.clone(),
            });
        }
        *t = prev.clone();
        Ok(())
    })
}

/// Same chains, policies and rules, counters aside: compared as
/// iptables-save prints them, so that a rule the kernel holds at another
/// revision of its extension (the backend falls back to the highest one
/// the kernel has) still counts as the same rule.
fn same_rules(a: &Table, b: &Table) -> bool {
    use crate::syntax::restore::save_table;
    save_table(a, false) == save_table(b, false)
}

fn describe(done: Option<Result<()>>) -> String {
    match done {
        Some(Ok(())) | None => "the previous rules were put back".into(),
        Some(Err(e)) => format!("the previous rules were not put back: {e}"),
    }
}
