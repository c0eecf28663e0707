//! `Pace`: a token bucket that spaces a source's requests to its back end's published rate
//! (incident.io 1,200 a minute, Splunk On-Call 60 a minute per endpoint), so that onduty
//! waits its turn instead of drawing 429s from a back end already in trouble.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// A token bucket: `burst` requests at once, then one per `every`.
#[derive(Debug)]
pub struct Pace {
    every: Duration,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Pace {
    /// `per_minute` requests a minute, up to `burst` of them at once.
    pub fn per_minute(per_minute: u32, burst: u32) -> Pace {
        let burst = f64::from(burst.max(1));
        Pace {
            every: Duration::from_micros(60_000_000 / u64::from(per_minute.max(1))),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits for a token and takes it. Callers queue on the lock in turn, so none starves.
    pub async fn take(&self) {
        let mut state = self.state.lock().await;
        let (tokens, at) = &mut *state;
        let now = Instant::now();
        let earned = now.duration_since(*at).as_secs_f64() / self.every.as_secs_f64();
        *tokens = (*tokens + earned).min(self.burst);
        *at = now;
        if *tokens < 1.0 {
            let micros = self.every.as_micros() as f64 * (1.0 - tokens.max(0.0));
            let wait = Duration::from_micros(micros.ceil() as u64);
            tokio::time::sleep(wait).await;
            *tokens = 1.0;
            *at = Instant::now();
        }
        *tokens -= 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_one_a_period() {
        let pace = Pace::per_minute(60, 3);
        let start = Instant::now();
        for _ in 0..3 {
            pace.take().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "the burst waits for nothing"
        );
        pace.take().await;
        pace.take().await;
        let waited = start.elapsed();
        assert!(
            (Duration::from_millis(1990)..=Duration::from_millis(2010)).contains(&waited),
            "two more at 60 a minute take two seconds, took {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_fills_up_to_its_burst_only() {
        let pace = Pace::per_minute(60, 2);
        pace.take().await;
        pace.take().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let start = Instant::now();
        for _ in 0..3 {
            pace.take().await;
        }
        let waited = start.elapsed();
        assert!(
            (Duration::from_millis(990)..=Duration::from_millis(1010)).contains(&waited),
            "an hour idle still allows a burst of two, not 3,600: {waited:?}"
        );
    }
}
