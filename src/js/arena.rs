//! The wasm module's allocator: the system allocator (dlmalloc), except inside [`scoped`], where allocations are
//! taken from one reusable chunk by bumping a pointer and frees cost nothing.
//!
//! `validateConfig` runs on every keystroke of an editor and on every file in CI. A validation makes a few hundred
//! small allocations (keys, values, paths, messages) that all die together when it ends, and allocating and freeing
//! them one by one was about a sixth of its time in Node. Inside the scope they cost a pointer bump, and nothing is
//! freed: the whole chunk is reused by the next scope.
//!
//! The contract, which the callers of [`scoped`] keep: **nothing allocated inside a scope is used after the next
//! scope begins.** A value that must outlive that (`validateConfig` keeps its latest config for a later read) is
//! forgotten, never dropped or read, once the next scope is about to start. Until then everything allocated in the
//! scope stays valid, so results can be handed to JavaScript after the scope returns.
//!
//! Outside a scope every call goes to the system allocator; a scope that outgrows its chunk goes on there too, and the
//! next scope starts with a larger chunk. Debug builds fill a chunk with a pattern when it is reused, so a value kept
//! against the contract reads garbage in tests instead of working by chance.
#![allow(unsafe_code)] // a global allocator is an `unsafe impl`; each unsafe block says why it holds

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::Relaxed};

// The wasm module is single-threaded: these atomics are plain loads and stores there, and keep the state `Sync`
// without an `unsafe impl`.
/// The chunk: from `START` to the address `END`, from the system allocator, with [`CHUNK_ALIGN`].
static START: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static END: AtomicUsize = AtomicUsize::new(0);
/// The first free byte of the chunk.
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Where the latest allocation from the chunk starts: it can grow and shrink in place.
static LATEST: AtomicUsize = AtomicUsize::new(0);
/// Inside a scope.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The bytes the running (or latest) scope asked for, to size the next chunk when this one was too small.
static REQUESTED: AtomicUsize = AtomicUsize::new(0);

/// A first chunk holds a full-reference fly.toml's validation several times over.
const FIRST_CHUNK_BYTES: usize = 256 << 10;
/// Larger scopes than this run on the system allocator past the chunk: wasm memory never shrinks.
const LARGEST_CHUNK_BYTES: usize = 8 << 20;
const CHUNK_ALIGN: usize = 16;

/// The module's global allocator.
#[derive(Debug)]
pub(crate) struct ScopedArena;

#[global_allocator]
static ALLOCATOR: ScopedArena = ScopedArena;

fn in_chunk(ptr: *mut u8) -> bool {
    let address = ptr.addr();
    address >= START.load(Relaxed).addr() && address < END.load(Relaxed)
}

/// `layout` from the chunk, when inside a scope and it fits.
fn bump(layout: Layout) -> Option<*mut u8> {
    if !ACTIVE.load(Relaxed) {
        return None;
    }
    REQUESTED.store(REQUESTED.load(Relaxed).saturating_add(layout.size()), Relaxed);
    let next = NEXT.load(Relaxed);
    // Alignments are powers of two.
    let start = next.checked_add(layout.align() - 1)? & !(layout.align() - 1);
    let end = start.checked_add(layout.size())?;
    if end > END.load(Relaxed) {
        return None;
    }
    NEXT.store(end, Relaxed);
    LATEST.store(start, Relaxed);
    let chunk = START.load(Relaxed);
    Some(chunk.wrapping_add(start - chunk.addr()))
}

// SAFETY: chunk allocations are disjoint (the bump pointer only moves forward within a scope), aligned as asked, and
// inside a live system allocation that is replaced only when a scope begins, when by the contract above no chunk
// allocation is in use. Pointers outside the chunk were made by `System` and go back to it.
unsafe impl GlobalAlloc for ScopedArena {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's layout, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match bump(layout) {
            Some(ptr) => {
                // SAFETY: `ptr` starts `layout.size()` bytes of the chunk that nothing else uses.
                unsafe { ptr.write_bytes(0, layout.size()) };
                ptr
            }
            // SAFETY: the caller's layout, passed on.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !in_chunk(ptr) {
            // SAFETY: not from the chunk, so from `System`, with this layout (the caller's guarantee).
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_chunk(ptr) {
            // SAFETY: from `System` with this layout (the caller's guarantee).
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let address = ptr.addr();
        if ACTIVE.load(Relaxed)
            && address == LATEST.load(Relaxed)
            && address.checked_add(new_size).is_some_and(|end| end <= END.load(Relaxed))
        {
            // The latest allocation: grow or shrink it where it is.
            REQUESTED.store(REQUESTED.load(Relaxed).saturating_add(new_size.saturating_sub(layout.size())), Relaxed);
            NEXT.store(address + new_size, Relaxed);
            return ptr;
        }
        // SAFETY: the caller guarantees `new_size` with this alignment is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a valid layout of non-zero size (the caller's guarantee).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks hold at least the smaller size, and a new block never overlaps a live one.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
        }
        new
    }
}

/// Runs `f` with allocations from the chunk. Everything `f` allocates, including what it returns, stays valid until
/// the next call of `scoped` begins, and must not be used after that (see the module's contract).
pub(crate) fn scoped<R>(f: impl FnOnce() -> R) -> R {
    reset();
    ACTIVE.store(true, Relaxed);
    let result = f();
    ACTIVE.store(false, Relaxed);
    result
}

/// Empties the chunk for a new scope, first replacing it with a larger one when the latest scope outgrew it.
fn reset() {
    let size = END.load(Relaxed) - START.load(Relaxed).addr();
    let wanted = REQUESTED.swap(0, Relaxed);
    if size == 0 || (wanted > size && size < LARGEST_CHUNK_BYTES) {
        let new_size = if size == 0 { FIRST_CHUNK_BYTES } else { wanted.next_power_of_two().min(LARGEST_CHUNK_BYTES) };
        if let Ok(layout) = Layout::from_size_align(new_size, CHUNK_ALIGN) {
            if size > 0 {
                // SAFETY: the chunk came from `System` with this alignment and size, and nothing in it is in use.
                unsafe { System.dealloc(START.load(Relaxed), Layout::from_size_align_unchecked(size, CHUNK_ALIGN)) };
                START.store(std::ptr::null_mut(), Relaxed);
                END.store(0, Relaxed);
            }
            // SAFETY: a non-zero size with a power-of-two alignment.
            let chunk = unsafe { System.alloc(layout) };
            if !chunk.is_null() {
                START.store(chunk, Relaxed);
                END.store(chunk.addr() + new_size, Relaxed);
            }
        }
    }
    let start = START.load(Relaxed);
    if cfg!(debug_assertions) && !start.is_null() {
        // SAFETY: the whole chunk is ours and, by the contract, unused.
        unsafe { start.write_bytes(0xA5, END.load(Relaxed) - start.addr()) };
    }
    NEXT.store(start.addr(), Relaxed);
    LATEST.store(0, Relaxed);
}
