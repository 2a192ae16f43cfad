//! Per-author rate limits for live gossip: a token bucket per author, time passed in.
//!
//! A member that floods the network has its excess live messages dropped (and counted) instead
//! of forwarded, so honest posts keep moving. Catch-up sync is not limited: messages dropped here
//! still arrive later, in bounded batches, when peers sync.

use std::collections::HashMap;

use crate::identity::AuthorId;
use crate::limits::{RATE_BURST, RATE_PER_MINUTE, RATE_TRACKED_AUTHORS};

/// Token buckets, one per author.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    burst: f64,
    per_ms: f64,
    buckets: HashMap<AuthorId, (f64, u64)>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(RATE_BURST, RATE_PER_MINUTE)
    }
}

impl RateLimiter {
    /// Allows bursts of `burst` messages and `per_minute` messages a minute after that.
    pub fn new(burst: u32, per_minute: u32) -> RateLimiter {
        RateLimiter {
            burst: f64::from(burst),
            per_ms: f64::from(per_minute) / 60_000.0,
            buckets: HashMap::new(),
        }
    }

    /// Whether `author` may have one more live message at `now_ms`; takes a token if so.
    pub fn allow(&mut self, author: &AuthorId, now_ms: u64) -> bool {
        if self.buckets.len() >= RATE_TRACKED_AUTHORS && !self.buckets.contains_key(author) {
            // Forget authors whose buckets have refilled; they are indistinguishable from new.
            let (burst, per_ms) = (self.burst, self.per_ms);
            self.buckets.retain(|_, (tokens, at)| {
                *tokens + now_ms.saturating_sub(*at) as f64 * per_ms < burst
            });
        }
        let (tokens, at) = self.buckets.entry(*author).or_insert((self.burst, now_ms));
        *tokens = (*tokens + now_ms.saturating_sub(*at) as f64 * self.per_ms).min(self.burst);
        *at = now_ms.max(*at);
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Gives back the token a message took when it turned out not to be `author`'s at all (a
    /// forged signature): nobody can use up another member's allowance by forging its name.
    pub fn refund(&mut self, author: &AuthorId) {
        if let Some((tokens, _)) = self.buckets.get_mut(author) {
            *tokens = (*tokens + 1.0).min(self.burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_pass_then_the_rate_holds() {
        let mut limiter = RateLimiter::new(3, 60);
        let author = AuthorId([1; 32]);
        assert!((0..3).all(|_| limiter.allow(&author, 0)));
        assert!(!limiter.allow(&author, 0));
        assert!(!limiter.allow(&author, 500));
        assert!(limiter.allow(&author, 1000), "one token a second");
        assert!(!limiter.allow(&author, 1000));
        // Another author is not affected.
        assert!(limiter.allow(&AuthorId([2; 32]), 1000));
    }

    #[test]
    fn a_refund_gives_back_one_token_and_never_more_than_the_burst() {
        let mut limiter = RateLimiter::new(2, 0);
        let author = AuthorId([1; 32]);
        assert!(limiter.allow(&author, 0) && limiter.allow(&author, 0));
        assert!(!limiter.allow(&author, 0));
        limiter.refund(&author);
        assert!(limiter.allow(&author, 0), "the refunded token");
        assert!(!limiter.allow(&author, 0));
        limiter.refund(&author);
        limiter.refund(&author);
        limiter.refund(&author);
        assert!(limiter.allow(&author, 0) && limiter.allow(&author, 0));
        assert!(!limiter.allow(&author, 0), "no more than the burst");
    }

    #[test]
    fn a_clock_going_backwards_gives_no_extra_tokens() {
        let mut limiter = RateLimiter::new(1, 60);
        let author = AuthorId([1; 32]);
        assert!(limiter.allow(&author, 10_000));
        assert!(!limiter.allow(&author, 0));
        assert!(!limiter.allow(&author, 10_500));
    }
}
