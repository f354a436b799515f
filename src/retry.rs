//! One retry with backoff for everything that talks to a server: arXiv over HTTP
//! (`source::http`) and the SMTP relay (`digest`). Each caller says what one attempt is and
//! which failures may pass later; this module counts the attempts, doubles the waits and tells
//! the caller before each new attempt.

use std::time::Duration;

/// How often to try, and how long to wait after the first failure (doubled after each further
/// one, up to 64 times the first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) first: Duration,
    pub(crate) attempts: u32,
}

impl Backoff {
    /// The wait after the `failed`-th failed attempt (1-based).
    pub(crate) fn wait(&self, failed: u32) -> Duration {
        self.first * 2u32.pow(failed.saturating_sub(1).min(6))
    }
}

/// What one attempt came to.
pub(crate) enum Attempt<T, E> {
    /// It worked.
    Done(T),
    /// It failed in a way that trying again cannot mend.
    Fatal(E),
    /// It failed in a way that may pass: why, and how long the server asked us to wait
    /// (`Retry-After`), if it did; otherwise the backoff's wait.
    Again {
        reason: String,
        wait: Option<Duration>,
    },
}

impl<T, E> Attempt<T, E> {
    /// The same outcome with the fatal error made by `f`.
    pub(crate) fn map_err<F>(self, f: impl FnOnce(E) -> F) -> Attempt<T, F> {
        match self {
            Attempt::Done(v) => Attempt::Done(v),
            Attempt::Fatal(e) => Attempt::Fatal(f(e)),
            Attempt::Again { reason, wait } => Attempt::Again { reason, wait },
        }
    }
}

/// A failed attempt that will be tried again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry<'a> {
    /// Why it failed.
    pub(crate) reason: &'a str,
    /// The attempt that failed (1-based) and how many there are at most.
    pub(crate) attempt: u32,
    pub(crate) attempts: u32,
    /// How long before the next attempt.
    pub(crate) wait: Duration,
}

/// Runs `attempt` until it is done, fails for good, or has failed `backoff.attempts` times
/// (then `give_up` makes the error from the last reason and the count). `attempt` is given the
/// wait to keep before it starts (zero the first time; it does the waiting, so that a caller
/// that paces its requests waits once); `on_retry` hears of each retry before that wait.
pub(crate) fn run<S, T, E>(
    state: &mut S,
    backoff: Backoff,
    mut attempt: impl FnMut(&mut S, Duration) -> Attempt<T, E>,
    mut on_retry: impl FnMut(&mut S, &Retry<'_>),
    give_up: impl FnOnce(&mut S, String, u32) -> E,
) -> Result<T, E> {
    let attempts = backoff.attempts.max(1);
    let mut wait = Duration::ZERO;
    let mut failed = 0;
    loop {
        match attempt(state, wait) {
            Attempt::Done(value) => return Ok(value),
            Attempt::Fatal(e) => return Err(e),
            Attempt::Again {
                reason,
                wait: asked,
            } => {
                failed += 1;
                if failed >= attempts {
                    return Err(give_up(state, reason, failed));
                }
                wait = asked.unwrap_or_else(|| backoff.wait(failed));
                on_retry(
                    state,
                    &Retry {
                        reason: &reason,
                        attempt: failed,
                        attempts,
                        wait,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_and_the_server_may_ask_for_another() {
        let backoff = Backoff {
            first: Duration::from_millis(10),
            attempts: 4,
        };
        let mut waits = Vec::new();
        let mut heard = Vec::new();
        let outcome: Result<(), String> = run(
            &mut waits,
            backoff,
            |waits, wait| {
                waits.push(wait);
                match waits.len() {
                    2 => Attempt::Again {
                        reason: "busy".into(),
                        wait: Some(Duration::from_secs(5)),
                    },
                    _ => Attempt::Again {
                        reason: "timeout".into(),
                        wait: None,
                    },
                }
            },
            |_, r| heard.push((r.attempt, r.attempts, r.wait)),
            |_, reason, n| format!("{reason} after {n}"),
        );
        assert_eq!(outcome.unwrap_err(), "timeout after 4");
        let ms = Duration::from_millis;
        assert_eq!(waits, [ms(0), ms(10), ms(5000), ms(40)]);
        assert_eq!(heard, [(1, 4, ms(10)), (2, 4, ms(5000)), (3, 4, ms(40))]);
        assert_eq!(backoff.wait(100), ms(640));
    }

    #[test]
    fn a_fatal_failure_or_a_success_ends_at_once() {
        let backoff = Backoff {
            first: Duration::ZERO,
            attempts: 5,
        };
        let mut n = 0;
        let r: Result<u32, &str> = run(
            &mut n,
            backoff,
            |n, _| {
                *n += 1;
                if *n < 3 {
                    Attempt::Again {
                        reason: "x".into(),
                        wait: None,
                    }
                } else {
                    Attempt::Done(*n)
                }
            },
            |_, _| {},
            |_, _, _| "gave up",
        );
        assert_eq!(r, Ok(3));
        let r: Result<(), &str> = run(
            &mut (),
            backoff,
            |_, _| Attempt::Fatal("no"),
            |_, _| {},
            |_, _, _| "gave up",
        );
        assert_eq!(r, Err("no"));
    }
}
