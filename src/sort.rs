//! One small in-place sort for every list the store orders (signed headers, partitions, owners,
//! groups, claims). A heapsort: O(n log n) for the 4,096 claims of a call, a few hundred bytes of
//! wasm per use, where each use of `core`'s slice sorts cost about 2 KB.

/// Sorts `v` so that no element is `less` than the one before it. Not stable.
pub fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift_down = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift_down(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Sorts `v` in ascending order of `Ord`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, |a, b| a < b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_library() {
        // A small LCG: deterministic inputs of every length up to 300, with many duplicates.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for n in 0..300 {
            let mut v: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (x >> 33) as u32 % 50
                })
                .collect();
            let mut expected = v.clone();
            expected.sort();
            sort(&mut v);
            assert_eq!(v, expected, "n = {n}");
        }
    }

    #[test]
    fn sorts_by_a_key() {
        let mut v = vec![("b", 2), ("a", 9), ("c", 1), ("a", 3)];
        sort_by(&mut v, |a, b| a.1 < b.1);
        assert_eq!(v, [("c", 1), ("b", 2), ("a", 3), ("a", 9)]);
        let mut words = vec!["x-ms-version", "x-ms-date", "x-ms-meta-ownerid"];
        sort(&mut words);
        assert_eq!(words, ["x-ms-date", "x-ms-meta-ownerid", "x-ms-version"]);
    }
}
