//! Stable sorting through one compiled sort routine, for the crate and the dashboard.
//!
//! `slice::sort_by` and its kin compile a whole copy of the standard library's sort (driftsort or ipnsort: 4–5 KB
//! of wasm each) for every element type and comparator, and `collect()` into a B-tree set or map compiles another.
//! The dashboard had fourteen stable and four unstable copies. [`sort_by`] sorts the *positions* of the elements
//! with the one routine compiled here, then moves the elements into that order with swaps, so every sort shares one
//! copy. The comparator is called through a `dyn` reference: for the lists sorted here (diagnostics, machines,
//! groups, at most a few thousand) that costs nothing measurable.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` stably by `compare`, as `slice::sort_by` does.
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let order = sorted_positions(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably by the key `key` gives each, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably in their natural order, as `slice::sort` does.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The set of `items`, built by inserting them one by one: `collect()` into a B-tree set sorts them first, through
/// one more compiled sort per element type.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// The map of `entries`, built by inserting them one by one (a later entry replaces an earlier one with an equal
/// key, as with `collect()`, which sorts them first through one more compiled sort per entry type).
pub fn map_of<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(entries);
    map
}

/// `0..len`, sorted stably by `compare` on positions: the one compiled sort.
#[inline(never)]
fn sorted_positions(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    #[allow(clippy::disallowed_methods, reason = "the one compiled sort")]
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Puts `items` in `order`: the element at `order[i]` moves to `i`. Follows each cycle of the permutation once,
/// swapping, and marks positions done by pointing them at themselves.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: the tests need many different lists, not randomness.
    fn lists() -> impl Iterator<Item = Vec<(u8, usize)>> {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..500).map(move |n| {
            let len = n % 70;
            (0..len)
                .map(|position| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Few distinct keys, so equal keys are common and stability is exercised.
                    ((state % 9) as u8, position)
                })
                .collect()
        })
    }

    #[test]
    fn sorts_as_the_standard_library_does_keeping_equal_elements_in_order() {
        for list in lists() {
            let mut ours = list.clone();
            let mut std_sorted = list.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            #[allow(clippy::disallowed_methods, reason = "the reference to compare with")]
            std_sorted.sort_by_key(|&(key, _)| key);
            assert_eq!(ours, std_sorted, "sorting {list:?}");
        }
    }

    #[test]
    fn sorts_descending_natural_and_owned_elements() {
        let mut words = vec!["web".to_owned(), "app".to_owned(), "worker".to_owned(), "app".to_owned()];
        sort(&mut words);
        assert_eq!(words, ["app", "app", "web", "worker"]);
        let mut numbers = vec![3, 1, 2, 5, 4];
        sort_by(&mut numbers, |a, b| b.cmp(a));
        assert_eq!(numbers, [5, 4, 3, 2, 1]);
        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
