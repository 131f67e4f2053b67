//! How many threads a parallel step may use.

/// The threads for a `threads` setting: the number given, or one per core
/// when it is 0 (at least 1).
pub fn cores(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}
