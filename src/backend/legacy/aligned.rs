//! The zeroed, 8-byte aligned buffers the socket options fill: the kernel's
//! structs hold u64 counters, and libiptc hands it buffers with that
//! alignment.
//!
//! A large one (a whole table for GET_ENTRIES) is a mapping of its own,
//! offered to the kernel for transparent huge pages (`MADV_HUGEPAGE`, which
//! the default `madvise` mode of THP honours). The kernel writes every byte
//! of it, and on a virtual machine each 4 KiB page touched for the first
//! time is a fault of a few microseconds: a 50,000-rule table is 9 MB, some
//! 2,300 faults and several milliseconds of a save, where 2 MiB pages take
//! five. Where THP is off, the mapping is plain pages, as the heap's.

use std::ptr::NonNull;

/// Buffers from this size on are mapped for huge pages; below it the
/// rounding to whole huge pages would cost more memory than the faults time.
const MAPPED_FROM: usize = 1 << 20;
/// The size and alignment of a transparent huge page on x86_64 and arm64
/// (4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// A zeroed buffer of `len` bytes in 8-byte words.
pub(crate) struct AlignedBuf {
    words: Words,
    len: usize,
}

enum Words {
    Heap(Vec<u64>),
    Mapped(Mapping),
}

impl AlignedBuf {
    pub(crate) fn new(len: usize) -> AlignedBuf {
        let count = len.div_ceil(8);
        let words = match len >= MAPPED_FROM {
            true => Mapping::new(count).map(Words::Mapped),
            false => None,
        };
        AlignedBuf {
            words: words.unwrap_or_else(|| Words::Heap(vec![0; count])),
            len,
        }
    }

    pub(crate) fn words(&self) -> &[u64] {
        match &self.words {
            Words::Heap(v) => v,
            Words::Mapped(m) => m.words(),
        }
    }

    pub(crate) fn words_mut(&mut self) -> &mut [u64] {
        match &mut self.words {
            Words::Heap(v) => v,
            Words::Mapped(m) => m.words_mut(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        let words = self.words();
        // SAFETY: `words` holds at least `len` initialised bytes (len <= 8 *
        // words.len()), u8 has no alignment requirement, and the borrow of
        // self keeps the memory alive and unaliased by writers.
        unsafe { std::slice::from_raw_parts(words.as_ptr() as *const u8, self.len) }
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        let len = self.len;
        let words = self.words_mut();
        // SAFETY: as in `bytes`; the exclusive borrow of self makes this the
        // only view, and every byte pattern is a valid u64.
        unsafe { std::slice::from_raw_parts_mut(words.as_mut_ptr() as *mut u8, len) }
    }
}

/// An anonymous private mapping (zeroed by the kernel) holding `count`
/// words from a huge-page boundary on, advised for huge pages. Owned like a
/// `Vec`: unmapped when dropped.
struct Mapping {
    base: NonNull<libc::c_void>,
    size: usize,
    words: NonNull<u64>,
    count: usize,
}

// SAFETY: a Mapping owns its memory exclusively (nothing else has its
// address), as a Vec<u64> owns its buffer; shared access only reads.
unsafe impl Send for Mapping {}
// SAFETY: as above: `&Mapping` gives only `&[u64]`.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// `None` when the kernel gives no mapping (the caller uses the heap).
    fn new(count: usize) -> Option<Mapping> {
        let used = (count * 8).next_multiple_of(HUGE_PAGE);
        // Room to start on a huge-page boundary: the slack is never
        // touched, so it takes no memory.
        let size = used.checked_add(HUGE_PAGE)?;
        // SAFETY: a fresh anonymous mapping; no existing memory is touched.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return None;
        }
        let base = NonNull::new(base)?;
        let skip = (base.as_ptr() as usize).next_multiple_of(HUGE_PAGE) - base.as_ptr() as usize;
        // SAFETY: skip < HUGE_PAGE, so the start and `used` bytes after it
        // lie inside the `size` bytes mapped.
        let start = unsafe { base.as_ptr().cast::<u8>().add(skip) };
        // SAFETY: advice on our own mapping; failure (THP off or not built
        // in) only leaves it plain pages.
        unsafe { libc::madvise(start.cast(), used, libc::MADV_HUGEPAGE) };
        Some(Mapping {
            base,
            size,
            words: NonNull::new(start.cast::<u64>())?,
            count,
        })
    }

    fn words(&self) -> &[u64] {
        // SAFETY: `words` is page aligned, inside the mapping, and followed
        // by at least `count` words of it (count * 8 <= used); mapped pages
        // read as zero until written, and the borrow keeps them mapped.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr(), self.count) }
    }

    fn words_mut(&mut self) -> &mut [u64] {
        // SAFETY: as in `words`; the exclusive borrow makes this the only view.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_ptr(), self.count) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `base` and `size` are exactly what mmap gave; nothing
        // borrows the memory once the owner is dropped.
        unsafe { libc::munmap(self.base.as_ptr(), self.size) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_buffers_are_zeroed_aligned_and_writable() {
        for len in [0, 1, 84, MAPPED_FROM - 1, MAPPED_FROM, 3 * HUGE_PAGE + 5] {
            let mut b = AlignedBuf::new(len);
            assert_eq!(b.bytes().len(), len);
            assert!(b.bytes().iter().all(|&x| x == 0));
            assert_eq!(b.words().as_ptr() as usize % 8, 0);
            assert!(b.words().len() * 8 >= len);
            if let Some(last) = b.bytes_mut().last_mut() {
                *last = 7;
            }
            assert_eq!(b.bytes().last().copied(), (len > 0).then_some(7));
        }
    }
}
