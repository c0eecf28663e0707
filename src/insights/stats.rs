//! Median, 90th percentile (nearest rank) and mean of durations: the three figures every
//! insight table gives, so that one outlier neither hides nor dominates.

use chrono::TimeDelta;

/// The spread of some durations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spread {
    /// How many.
    pub n: usize,
    /// The middle one (the lower of the two middle ones for an even count).
    pub median: Option<TimeDelta>,
    /// The one 90% are at or under (nearest rank).
    pub p90: Option<TimeDelta>,
    /// The mean, to the second.
    pub mean: Option<TimeDelta>,
}

impl Spread {
    /// The spread of `durations` (in any order).
    pub fn of(mut durations: Vec<TimeDelta>) -> Spread {
        durations.sort();
        let n = durations.len();
        if n == 0 {
            return Spread::default();
        }
        let rank = |p: usize| durations[(p * n).div_ceil(100).clamp(1, n) - 1];
        let total: i64 = durations.iter().map(|d| d.num_seconds()).sum();
        Spread {
            n,
            median: Some(rank(50)),
            p90: Some(rank(90)),
            mean: Some(TimeDelta::seconds(total / n as i64)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_p90_and_mean_by_nearest_rank() {
        let mins = |m: &[i64]| m.iter().map(|&m| TimeDelta::minutes(m)).collect();
        let s = Spread::of(mins(&[10, 1, 3, 2, 4, 5, 6, 7, 8, 9]));
        assert_eq!(s.n, 10);
        assert_eq!(s.median, Some(TimeDelta::minutes(5)));
        assert_eq!(s.p90, Some(TimeDelta::minutes(9)));
        assert_eq!(s.mean, Some(TimeDelta::seconds(330)));
        let one = Spread::of(mins(&[7]));
        assert_eq!(
            (one.median, one.p90),
            (Some(TimeDelta::minutes(7)), Some(TimeDelta::minutes(7)))
        );
        assert_eq!(Spread::of(Vec::new()), Spread::default());
    }
}
