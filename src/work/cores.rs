//! Work split over every core: a slice's chunks mapped on scoped threads, the results in
//! the chunks' order.

/// How many threads `map_chunks` may use: the cores this process may run on.
pub fn count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` of every `size`-long chunk of `items`, in order; `None` for a chunk whose `f`
/// panicked.
pub fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    size: usize,
    f: impl Fn(&[T]) -> R + Sync,
) -> Vec<Option<R>> {
    let f = &f;
    std::thread::scope(|scope| {
        let threads: Vec<_> = items
            .chunks(size.max(1))
            .map(|c| scope.spawn(move || f(c)))
            .collect();
        threads.into_iter().map(|t| t.join().ok()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_order_and_a_panic_is_none() {
        let items: Vec<u32> = (0..10).collect();
        let sums = map_chunks(&items, 3, |c| c.iter().sum::<u32>());
        assert_eq!(sums, [Some(3), Some(12), Some(21), Some(9)]);
        assert!(map_chunks(&[] as &[u32], 3, |c| c.len()).is_empty());
        let panicked = map_chunks(&items, 5, |c| {
            assert!(c[0] != 5, "the second chunk panics");
            c.len()
        });
        assert_eq!(panicked, [Some(5), None]);
    }
}
