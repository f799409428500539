//! When to retry: the per-call [`RetryPolicy`] and the [`RetryBudget`] shared by all clones
//! of a client.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When to retry a request.
///
/// Only idempotent requests (GET, DELETE) are retried, and only after a connection error
/// or a 429, 502, 503 or 504 answer. The wait doubles from `initial_backoff` up to
/// `max_backoff`, with full jitter; a `Retry-After` answer is honoured when it is at most
/// `max_retry_after` and fits in what is left of the call's deadline
/// ([`VortexClientBuilder::timeout`](crate::VortexClientBuilder::timeout)); otherwise the
/// error is returned at once, with its `retry_after`. Each retry also needs the client's
/// [`RetryBudget`] to allow it.
///
/// ```
/// use std::time::Duration;
/// use vortex_client::retry::RetryPolicy;
///
/// let policy = RetryPolicy::default().max_retries(3).initial_backoff(Duration::from_millis(50));
/// assert_eq!(policy.max_retries, 3);
/// assert_eq!(RetryPolicy::none().max_retries, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// First backoff (default 100 ms).
    pub initial_backoff: Duration,
    /// Largest backoff (default 2 s).
    pub max_backoff: Duration,
    /// Longest `Retry-After` that is waited for (default 10 s). The deadline of the call
    /// caps it too: a `Retry-After` that does not fit in the time left is never waited for.
    /// Set it lower to give up on long `Retry-After`s even when the deadline is generous.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries.
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets the first backoff.
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest backoff.
    #[must_use]
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` waited for (the deadline caps it as well).
    #[must_use]
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The jittered wait before retry number `retry` (0-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// How many retries all clones of a client may make together, in the manner of Finagle's
/// and tower's retry budgets.
///
/// Every call deposits one unit; every retry withdraws one. Within any sliding `window`,
/// the client retries at most `min_retries + retry_ratio × calls` times, whatever each
/// call's [`RetryPolicy`] allows. So while the upstream is healthy every failed request may
/// be retried, but during an outage retries add at most `retry_ratio` (10% by default) to
/// the upstream calls, plus the small floor, instead of multiplying them by
/// `1 + max_retries`. A retry the budget refuses returns the upstream's answer at once.
///
/// Defaults: a 10 s window, a ratio of 0.1 and a floor of 10 retries per window.
///
/// ```
/// use std::time::Duration;
/// use vortex_client::VortexClient;
/// use vortex_client::retry::RetryBudget;
///
/// let budget = RetryBudget::default()
///     .window(Duration::from_secs(30))
///     .retry_ratio(0.2)
///     .min_retries(5);
/// assert_eq!(budget.retry_ratio, 0.2);
/// let client = VortexClient::builder("VRTX.AAAAAAAAQACAAAAAAAAAAQ.test-secret-key-for-signing")
///     .retry_budget(budget)
///     .build()?;
/// // Clones share the budget (and the connection pool).
/// let _same_budget = client.clone();
/// # Ok::<(), vortex_client::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// How long a call or a retry counts (default 10 s).
    pub window: Duration,
    /// Retries allowed per call made, on top of the floor (default 0.1).
    pub retry_ratio: f64,
    /// Retries allowed in any window whatever the traffic, so that a quiet client can still
    /// retry (default 10).
    pub min_retries: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(10),
            retry_ratio: 0.1,
            min_retries: 10,
        }
    }
}

impl RetryBudget {
    /// No limit beyond each call's [`RetryPolicy`] (the behaviour without a budget).
    pub fn unlimited() -> Self {
        Self {
            min_retries: u32::MAX,
            ..Self::default()
        }
    }

    /// Sets how long a call or a retry counts (at least 10 ms).
    #[must_use]
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Sets the retries allowed per call made (a negative, infinite or NaN ratio counts as
    /// 0).
    #[must_use]
    pub fn retry_ratio(mut self, ratio: f64) -> Self {
        self.retry_ratio = ratio;
        self
    }

    /// Sets the retries allowed in any window whatever the traffic.
    #[must_use]
    pub fn min_retries(mut self, retries: u32) -> Self {
        self.min_retries = retries;
        self
    }
}

/// The window is kept as this many slots; a call counts for between 9/10 of the window and
/// the whole window.
const SLOTS: usize = 10;
const MIN_WINDOW: Duration = Duration::from_millis(10);

/// The live budget of one client and its clones: calls and retries per time slot.
#[derive(Debug)]
pub(crate) struct Budget {
    config: RetryBudget,
    slot_width: Duration,
    started: Instant,
    slots: Mutex<[Slot; SLOTS]>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// Which slot of time since `started` the counts belong to.
    epoch: u64,
    calls: u64,
    retries: u64,
}

impl Budget {
    pub(crate) fn new(config: RetryBudget) -> Self {
        let window = config.window.max(MIN_WINDOW);
        Self {
            config,
            slot_width: window / SLOTS as u32,
            started: Instant::now(),
            slots: Mutex::new([Slot::default(); SLOTS]),
        }
    }

    pub(crate) fn config(&self) -> &RetryBudget {
        &self.config
    }

    /// Counts a call.
    pub(crate) fn deposit(&self) {
        self.deposit_at(Instant::now());
    }

    /// Takes one retry from the budget, if it has one.
    pub(crate) fn try_withdraw(&self) -> bool {
        self.try_withdraw_at(Instant::now())
    }

    fn deposit_at(&self, now: Instant) {
        let epoch = self.epoch(now);
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        current(&mut slots, epoch).calls += 1;
    }

    fn try_withdraw_at(&self, now: Instant) -> bool {
        let epoch = self.epoch(now);
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let (calls, retries) = slots
            .iter()
            .filter(|slot| slot.epoch <= epoch && epoch - slot.epoch < SLOTS as u64)
            .fold((0u64, 0u64), |(c, r), slot| {
                (c + slot.calls, r + slot.retries)
            });
        if (retries as f64) < self.allowed(calls) {
            current(&mut slots, epoch).retries += 1;
            true
        } else {
            false
        }
    }

    /// Retries allowed in a window holding `calls` calls.
    fn allowed(&self, calls: u64) -> f64 {
        let ratio = if self.config.retry_ratio.is_finite() && self.config.retry_ratio > 0.0 {
            self.config.retry_ratio
        } else {
            0.0
        };
        f64::from(self.config.min_retries) + (ratio * calls as f64).floor()
    }

    fn epoch(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.started);
        u64::try_from(elapsed.as_nanos() / self.slot_width.as_nanos()).unwrap_or(u64::MAX)
    }
}

/// The slot of `epoch`, emptied first if it still holds counts of an older epoch (a newer
/// one, written by a thread that read the time later, is kept).
fn current(slots: &mut [Slot; SLOTS], epoch: u64) -> &mut Slot {
    let slot = &mut slots[(epoch % SLOTS as u64) as usize];
    if slot.epoch < epoch {
        *slot = Slot {
            epoch,
            ..Slot::default()
        };
    }
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(ratio: f64, min_retries: u32) -> Budget {
        Budget::new(
            RetryBudget::default()
                .window(Duration::from_secs(10))
                .retry_ratio(ratio)
                .min_retries(min_retries),
        )
    }

    fn withdrawals(budget: &Budget, at: Instant, tries: u32) -> u32 {
        (0..tries).filter(|_| budget.try_withdraw_at(at)).count() as u32
    }

    #[test]
    fn the_floor_allows_min_retries_without_calls() {
        let b = budget(0.1, 3);
        assert_eq!(withdrawals(&b, b.started, 10), 3);
    }

    #[test]
    fn calls_fund_a_fraction_of_retries() {
        let b = budget(0.1, 2);
        for _ in 0..100 {
            b.deposit_at(b.started);
        }
        // 2 + 0.1 × 100
        assert_eq!(withdrawals(&b, b.started, 50), 12);
    }

    #[test]
    fn calls_and_retries_expire_after_the_window() {
        let b = budget(0.5, 0);
        let t0 = b.started + Duration::from_millis(1);
        for _ in 0..10 {
            b.deposit_at(t0);
        }
        assert_eq!(withdrawals(&b, t0, 10), 5);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(withdrawals(&b, later, 10), 0, "still within the window");
        let after = t0 + Duration::from_secs(11);
        assert_eq!(withdrawals(&b, after, 10), 0, "the calls expired too");
        for _ in 0..4 {
            b.deposit_at(after);
        }
        assert_eq!(withdrawals(&b, after, 10), 2, "old retries no longer count");
    }

    #[test]
    fn unlimited_never_refuses_and_bad_ratios_count_as_zero() {
        let b = Budget::new(RetryBudget::unlimited());
        assert_eq!(withdrawals(&b, b.started, 10_000), 10_000);
        for ratio in [-1.0, f64::NAN] {
            let b = budget(ratio, 1);
            b.deposit_at(b.started);
            assert_eq!(withdrawals(&b, b.started, 5), 1, "{ratio}");
        }
    }

    #[test]
    fn a_tiny_window_is_raised_to_the_minimum() {
        let b = Budget::new(RetryBudget::default().window(Duration::ZERO).min_retries(1));
        assert_eq!(b.slot_width, MIN_WINDOW / SLOTS as u32);
        assert_eq!(withdrawals(&b, b.started, 2), 1);
    }
}
