//! `Handle::transact`: a change that borrows from the caller, committed at
//! once with what is pending, replayed when somebody else commits first, and
//! all or nothing. On both backends, checked with their save tools.

mod common;

use common::*;
use iptkit::{Backend, Error, Family, Rule};

const BACKENDS: [Backend; 2] = [Backend::Legacy, Backend::Nft];

fn drop_from(family: Family, n: u8) -> Rule {
    rule(family, &format!("-s {} -j DROP", host(family, n)))
}

fn drop_line(family: Family, n: u8) -> String {
    format!("-A INPUT -s {} -j DROP", host_saved(family, n))
}

#[test]
fn borrows_and_commits_with_what_is_pending() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let mut h = open_filter(backend, f);
            h.append("INPUT", drop_from(f, 1)).unwrap();
            // Borrowed by the closure, used again after it.
            let more = vec![drop_from(f, 2), drop_from(f, 3)];
            h.transact(|t| {
                for r in &more {
                    t.append("INPUT", r.clone())?;
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(more.len(), 2);
            assert!(!h.is_dirty(), "{backend:?}: nothing left pending");
            assert_eq!(
                filter_rules(backend, f),
                [drop_line(f, 1), drop_line(f, 2), drop_line(f, 3)],
                "{backend:?} {f:?}"
            );
            h.flush("INPUT").unwrap();
            h.commit().unwrap();
        }
    }
}

#[test]
fn replays_onto_a_table_changed_meanwhile() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let mut h = open_filter(backend, f);
            h.rules("INPUT").unwrap();
            let mut runs = 0;
            h.transact(|t| {
                runs += 1;
                if runs == 1 {
                    // Somebody else commits between our read and our commit.
                    let mut other = open_filter(backend, f);
                    other.append("INPUT", drop_from(f, 9)).unwrap();
                    other.commit().unwrap();
                }
                t.insert("INPUT", 0, drop_from(f, 1))
            })
            .unwrap();
            assert_eq!(runs, 2, "{backend:?}: run again on the fresh table");
            assert_eq!(
                filter_rules(backend, f),
                [drop_line(f, 1), drop_line(f, 9)],
                "{backend:?} {f:?}: both changes landed, once each"
            );
            h.flush("INPUT").unwrap();
            h.commit().unwrap();
        }
    }
}

#[test]
fn all_or_nothing() {
    isolate();
    for backend in BACKENDS {
        for f in FAMILIES {
            let mut h = open_filter(backend, f);
            h.append("INPUT", drop_from(f, 1)).unwrap();
            // The closure itself fails.
            let e = h
                .transact(|t| {
                    t.append("INPUT", drop_from(f, 2))?;
                    t.append("NOPE", drop_from(f, 3))
                })
                .unwrap_err();
            assert!(matches!(e, Error::NoSuchChain(_)), "{e:?}");
            // The closure fails on its replay after somebody else's commit.
            let mut runs = 0;
            let e = h
                .transact(|t| {
                    runs += 1;
                    if runs == 1 {
                        let mut other = open_filter(backend, f);
                        other.new_chain("theirs").unwrap();
                        other.commit().unwrap();
                        return t.append("INPUT", drop_from(f, 4));
                    }
                    t.new_chain("theirs")
                })
                .unwrap_err();
            assert!(matches!(e, Error::ChainExists(_)), "{e:?}");
            assert!(
                filter_rules(backend, f).is_empty(),
                "{backend:?}: nothing landed"
            );
            // The change pending before is still pending, alone.
            assert!(h.is_dirty());
            assert_eq!(h.rules("INPUT").unwrap(), [drop_from(f, 1)]);
            h.commit().unwrap();
            assert_eq!(
                filter_rules(backend, f),
                [drop_line(f, 1)],
                "{backend:?} {f:?}"
            );
            h.refresh().unwrap();
            h.flush("INPUT").unwrap();
            h.delete_chain("theirs").unwrap();
            h.commit().unwrap();
        }
    }
}
