//! The one thread that owns the firewall: requests come to it through a
//! channel and are applied one at a time, in order of arrival; between
//! them it removes entries whose time has come.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::api::{Direction, Request};
use crate::log;
use crate::store::{Listed, Store};

/// A request for the worker, with who asked (for the log) and where the
/// answer goes.
pub struct Job {
    /// The checked request.
    pub request: Request,
    /// `client=ADDR user=NAME`, for the log.
    pub who: String,
    /// `user=NAME client=IP`: kept in the rule's comment of an entry it adds.
    pub note: String,
    /// Receives the HTTP status and JSON body.
    pub reply: Sender<(u16, Value)>,
}

/// The longest sleep between checks for expired entries when none is due:
/// an entry added by somebody else is noticed by the next `GET /list`.
const IDLE: Duration = Duration::from_secs(60);

/// After a failed expiry, wait this long before trying again.
const RETRY: Duration = Duration::from_secs(1);

/// Starts the worker; it runs until every sender is gone.
pub fn spawn(store: Store) -> Sender<Job> {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("rfw-worker".into())
        .spawn(move || run(store, rx))
        .expect("spawning the worker thread");
    tx
}

/// Now, in Unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn run(mut store: Store, jobs: Receiver<Job>) {
    let mut retry_at: Option<SystemTime> = None;
    loop {
        let wait = match (store.next_expiry(), retry_at) {
            (_, Some(at)) => at.duration_since(SystemTime::now()).unwrap_or_default(),
            (Some(t), None) => (UNIX_EPOCH + Duration::from_secs(t))
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .min(IDLE),
            (None, None) => IDLE,
        };
        match jobs.recv_timeout(wait) {
            Ok(job) => {
                let answer = apply(&mut store, &job);
                // The client may have gone; the change stands either way.
                let _ = job.reply.send(answer);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if retry_at.is_some_and(|at| at > SystemTime::now()) {
            continue;
        }
        retry_at = None;
        if store.next_expiry().is_some_and(|t| t <= now()) {
            match store.expire(SystemTime::now()) {
                Ok(gone) => {
                    for key in gone {
                        log(&format!("expired {key}"));
                    }
                }
                Err(e) => {
                    log(&format!("removing expired entries failed: {e}"));
                    retry_at = Some(SystemTime::now() + RETRY);
                }
            }
        }
    }
}

fn apply(store: &mut Store, job: &Job) -> (u16, Value) {
    let who = &job.who;
    match &job.request {
        Request::Put(key, wait) => match store.put(key, *wait, &job.note) {
            Ok((outcome, expires)) => {
                let until = expires.map(|t| format!(" expires={t}")).unwrap_or_default();
                log(&format!("{who} PUT {key}{until}: {}", outcome.word()));
                (
                    200,
                    json!({"result": outcome.word(), "entry": entry_json(key, expires)}),
                )
            }
            Err(e) => failed(who, &format!("PUT {key}"), e),
        },
        Request::Delete(key) => match store.delete(key) {
            Ok(outcome) => {
                log(&format!("{who} DELETE {key}: {}", outcome.word()));
                (200, json!({"result": outcome.word()}))
            }
            Err(e) => failed(who, &format!("DELETE {key}"), e),
        },
        Request::List(direction) => match store.list() {
            Ok(all) => (200, list_json(*direction, &all)),
            Err(e) => failed(who, "GET /list", e),
        },
    }
}

fn failed(who: &str, what: &str, e: iptkit::Error) -> (u16, Value) {
    log(&format!("{who} {what}: failed: {e}"));
    // The API checks requests before they come here; these are the
    // library's own refusals of the same kinds, should one slip through.
    let status = match e {
        iptkit::Error::Protected { .. } => 403,
        iptkit::Error::InvalidAddress(_)
        | iptkit::Error::InvalidValue { .. }
        | iptkit::Error::InvalidName { .. }
        | iptkit::Error::NameTooLong { .. } => 400,
        _ => 500,
    };
    (status, json!({"error": format!("{what}: {e}")}))
}

fn entry_json(key: &crate::api::Key, expires: Option<u64>) -> Value {
    json!({
        "action": key.action.word(),
        "chain": key.direction.word(),
        "iface": key.iface.as_deref().unwrap_or("any"),
        "addr": key.net.to_string(),
        "expires": expires,
        "expires_in": expires.map(|t| t.saturating_sub(now())),
    })
}

fn list_json(direction: Option<Direction>, all: &[Listed]) -> Value {
    let entries: Vec<Value> = all
        .iter()
        .filter(|l| direction.is_none_or(|d| l.key.direction == d))
        .map(|l| {
            let mut v = entry_json(&l.key, l.expires);
            v["note"] = json!(l.note);
            v["packets"] = json!(l.packets);
            v["bytes"] = json!(l.bytes);
            v
        })
        .collect();
    match direction {
        Some(d) => json!({"chain": d.word(), "entries": entries}),
        None => json!({"entries": entries}),
    }
}
