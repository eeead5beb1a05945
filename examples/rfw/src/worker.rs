//! The one thread that owns the firewall: requests come to it through a
//! channel and are applied one at a time, in order of arrival; between
//! them it removes entries whose time has come.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::api::{Direction, Key, Request};
use crate::log;
use crate::store::{Listed, Outcome, Store};

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

/// The most requests applied together (see `apply_batch`).
const MAX_BATCH: usize = 256;

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
                // What queued up meanwhile goes with it (see `apply_batch`).
                let mut batch = vec![job];
                while batch.len() < MAX_BATCH {
                    match jobs.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                apply_batch(&mut store, batch);
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

/// Requests that queued up while the worker was busy: when all are PUTs
/// (or all DELETEs), those of one list and family share one commit, all
/// or nothing, with the outcome each would have had alone; otherwise one
/// after another. Under a burst this turns hundreds of commits (each a
/// whole-table replace on legacy) into a few.
fn apply_batch(store: &mut Store, batch: Vec<Job>) {
    let puts: Vec<(&Key, Option<Duration>, &str)> = batch
        .iter()
        .filter_map(|j| match &j.request {
            Request::Put(key, wait) => Some((key, *wait, j.note.as_str())),
            _ => None,
        })
        .collect();
    let deletes: Vec<&Key> = batch
        .iter()
        .filter_map(|j| match &j.request {
            Request::Delete(key) => Some(key),
            _ => None,
        })
        .collect();
    let answers: Vec<(u16, Value)> = if batch.len() > 1 && puts.len() == batch.len() {
        let done = store.put_many(&puts);
        batch
            .iter()
            .zip(&puts)
            .zip(done)
            .map(|((job, (key, _, _)), r)| put_answer(&job.who, key, r))
            .collect()
    } else if batch.len() > 1 && deletes.len() == batch.len() {
        let done = store.delete_many(&deletes);
        batch
            .iter()
            .zip(&deletes)
            .zip(done)
            .map(|((job, key), r)| delete_answer(&job.who, key, r))
            .collect()
    } else {
        batch.iter().map(|job| apply(store, job)).collect()
    };
    for (job, answer) in batch.iter().zip(answers) {
        // The client may have gone; the change stands either way.
        let _ = job.reply.send(answer);
    }
}

fn put_answer(who: &str, key: &Key, done: iptkit::Result<(Outcome, Option<u64>)>) -> (u16, Value) {
    match done {
        Ok((outcome, expires)) => {
            let until = expires.map(|t| format!(" expires={t}")).unwrap_or_default();
            log(&format!("{who} PUT {key}{until}: {}", outcome.word()));
            (
                200,
                json!({"result": outcome.word(), "entry": entry_json(key, expires)}),
            )
        }
        Err(e) => failed(who, &format!("PUT {key}"), e),
    }
}

fn delete_answer(who: &str, key: &Key, done: iptkit::Result<Outcome>) -> (u16, Value) {
    match done {
        Ok(outcome) => {
            log(&format!("{who} DELETE {key}: {}", outcome.word()));
            (200, json!({"result": outcome.word()}))
        }
        Err(e) => failed(who, &format!("DELETE {key}"), e),
    }
}

fn apply(store: &mut Store, job: &Job) -> (u16, Value) {
    let who = &job.who;
    match &job.request {
        Request::Put(key, wait) => put_answer(who, key, store.put(key, *wait, &job.note)),
        Request::Delete(key) => delete_answer(who, key, store.delete(key)),
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
            v["storage"] = json!(if l.in_set { "set" } else { "rule" });
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
