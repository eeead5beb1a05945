//! Timing a kernel change that must be undone between samples.

use std::time::{Duration, Instant};

/// Times `step` only; `undo` runs after each step, untimed, to put the table
/// back as it was.
pub fn timed(iters: u64, mut step: impl FnMut(), mut undo: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        step();
        total += start.elapsed();
        undo();
    }
    total
}
