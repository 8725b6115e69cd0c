//! Personal parameters: fit FSRS to one learner's review history.
//!
//! The `fsrs` crate's optimiser (`compute_parameters`, pure Rust in fsrs 6.6: no `burn`,
//! no GPU) fits the 21 FSRS parameters to the learner's reviews; its evaluation function
//! (`evaluate_with_card_ids`) measures how well a parameter set predicts those reviews, as
//! log loss (lower is better) and binned RMSE. [`optimize`] returns the fitted parameters with
//! both measures for the current and the fitted parameters, on the same data, so the learner
//! sees what changed before keeping them.
//!
//! **Training data**, converted as the crate's own Anki conversion does: each card's reviews
//! from its first review (the last one made while New, if the card was reset) in time order;
//! every review made on a later learner day than the one before it (`elapsed_days > 0`) is one
//! training item, predicted from the reviews before it. Same-day reviews shape the history but
//! are not predicted.
//!
//! **How much data.** The crate returns the default parameters below 8 training items and fits
//! only the four initial stabilities below 64; it fits all 21 from 64 up. Mastery asks for
//! [`MIN_REVIEWS_FOR_OPTIMIZATION`] (64) training reviews before running it, and reports
//! [`Optimized::full_fit`] in case the crate's outlier filter left fewer and it fell back to
//! the initial stabilities. More data gives better parameters: Anki suggests re-optimising
//! every few months.

use fsrs::{ComputeParametersInput, FSRS, FSRSItem, FSRSReview};

use super::log::ReviewLog;
use super::settings::{Settings, SettingsError};
use super::state::Phase;

/// Training reviews (reviews on a later day than the card's previous review) needed before
/// the optimiser runs: the `fsrs` crate fits all parameters from 64 training items up.
pub const MIN_REVIEWS_FOR_OPTIMIZATION: usize = 64;

/// Fitted parameters and how well each set predicts the learner's reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimized {
    /// The fitted parameters (21), for [`Settings::parameters`].
    pub parameters: Vec<f32>,
    /// Log loss of the current parameters on the learner's reviews.
    pub log_loss_before: f32,
    /// Log loss of the fitted parameters on the same reviews.
    pub log_loss_after: f32,
    /// Binned RMSE of the current parameters (the crate's `rmse_bins`).
    pub rmse_before: f32,
    /// Binned RMSE of the fitted parameters.
    pub rmse_after: f32,
    /// Training reviews used.
    pub reviews: usize,
    /// `false` when the crate only fitted the four initial stabilities (too little data
    /// left after its outlier filter).
    pub full_fit: bool,
}

impl Optimized {
    /// `true` when the fitted parameters predict the reviews better (lower log loss).
    pub fn improved(&self) -> bool {
        self.log_loss_after < self.log_loss_before
    }
}

/// Why parameters could not be fitted.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    /// Too few training reviews.
    #[error(
        "personal parameters need at least {need} reviews made a day or more after the previous \
         review of the same question; there are {have} so far"
    )]
    NotEnoughReviews {
        /// Training reviews available.
        have: usize,
        /// [`MIN_REVIEWS_FOR_OPTIMIZATION`].
        need: usize,
    },
    /// The current settings are invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The optimiser or the evaluation failed.
    #[error("the FSRS optimiser failed: {0}")]
    Model(fsrs::FSRSError),
}

/// Training data: FSRS items and, aligned with them, an id per card history.
fn training_items<H: AsRef<[ReviewLog]>>(histories: &[H]) -> (Vec<FSRSItem>, Vec<i64>) {
    let mut items = Vec::new();
    let mut ids = Vec::new();
    let mut history_id: i64 = 0;
    for history in histories {
        let mut logs: Vec<&ReviewLog> = history.as_ref().iter().collect();
        logs.sort_by_key(|l| l.reviewed_at);
        let mut reviews: Vec<FSRSReview> = Vec::new();
        for log in logs {
            let rating = u32::from(log.rating.as_u8());
            if log.state_before.phase == Phase::New {
                // A first review, or the card was reset: a new history starts.
                history_id += 1;
                reviews.clear();
                reviews.push(FSRSReview { rating, delta_t: 0 });
                continue;
            }
            if reviews.is_empty() {
                continue; // logs before the first review we know of
            }
            reviews.push(FSRSReview {
                rating,
                delta_t: log.elapsed_days,
            });
            if log.elapsed_days > 0 {
                items.push(FSRSItem {
                    reviews: reviews.clone(),
                });
                ids.push(history_id);
            }
        }
    }
    (items, ids)
}

/// Training reviews in `histories` (one slice of logs per card), to compare with
/// [`MIN_REVIEWS_FOR_OPTIMIZATION`] before offering optimisation.
pub fn training_reviews<H: AsRef<[ReviewLog]>>(histories: &[H]) -> usize {
    training_items(histories).0.len()
}

/// Fits personal parameters to `histories` (one slice of review logs per card, any order),
/// evaluating `settings`' current parameters and the fitted ones on the same reviews.
/// CPU-bound (a fraction of a second per thousand reviews): run it off the request path.
pub fn optimize<H: AsRef<[ReviewLog]>>(
    histories: &[H],
    settings: &Settings,
) -> Result<Optimized, OptimizeError> {
    settings.validate()?;
    let (items, ids) = training_items(histories);
    if items.len() < MIN_REVIEWS_FOR_OPTIMIZATION {
        return Err(OptimizeError::NotEnoughReviews {
            have: items.len(),
            need: MIN_REVIEWS_FOR_OPTIMIZATION,
        });
    }
    let reviews = items.len();
    let current = FSRS::new(&settings.fsrs_parameters()?).map_err(OptimizeError::Model)?;
    let before = current
        .evaluate_with_card_ids(items.clone(), ids.clone(), |_| true)
        .map_err(OptimizeError::Model)?;
    let parameters = fsrs::compute_parameters(ComputeParametersInput {
        train_set: items.clone(),
        card_ids: Some(ids.clone()),
        progress: None,
        enable_short_term: true,
        num_relearning_steps: Some(settings.relearning_steps_secs.len()),
        training_config: None,
    })
    .map_err(OptimizeError::Model)?;
    let fitted = FSRS::new(&parameters).map_err(OptimizeError::Model)?;
    let after = fitted
        .evaluate_with_card_ids(items, ids, |_| true)
        .map_err(OptimizeError::Model)?;
    let full_fit = parameters.get(4..) != fsrs::DEFAULT_PARAMETERS.get(4..);
    Ok(Optimized {
        parameters,
        log_loss_before: before.log_loss,
        log_loss_after: after.log_loss,
        rmse_before: before.rmse_bins,
        rmse_after: after.rmse_bins,
        reviews,
        full_fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{CardState, DAY_MS, HOUR_MS, Millis, Rating, Scheduler};

    /// SplitMix64: a small deterministic generator for simulated learners.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            crate::scheduler::fuzz::fuzz_factor(self.0)
        }
    }

    /// Simulates a learner whose memory follows `truth` on `cards` questions studied with the
    /// default scheduler: each review is answered correctly with the true predicted recall.
    fn simulate(truth: &[f32], cards: usize, reviews_per_card: usize) -> Vec<Vec<ReviewLog>> {
        let scheduler = Scheduler::new(Settings::default(), 0).unwrap();
        let truth = Scheduler::new(
            Settings {
                parameters: Some(truth.to_vec()),
                ..Settings::default()
            },
            0,
        )
        .unwrap();
        let mut rng = Rng(7);
        let mut histories = Vec::new();
        for card in 0..cards {
            let mut now: Millis = 1_700_000_000_000 + card as Millis * HOUR_MS;
            let (mut state, mut true_state) = (CardState::NEW, CardState::NEW);
            let mut logs = Vec::new();
            for _ in 0..reviews_per_card {
                let recall = truth.retrievability(&true_state, now).unwrap_or(0.0);
                let r = rng.next();
                let rating = if true_state.is_new() {
                    [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy][(r * 4.0) as usize]
                } else if r > f64::from(recall) {
                    Rating::Again
                } else if r < 0.1 {
                    Rating::Easy
                } else if r > f64::from(recall) * 0.9 {
                    Rating::Hard
                } else {
                    Rating::Good
                };
                let (next, log) = scheduler.review(&state, rating, now, 5000, 0).unwrap();
                let (true_next, _) = truth.review(&true_state, rating, now, 5000, 0).unwrap();
                logs.push(log);
                state = next;
                true_state = true_next;
                // Review when due, sometimes late.
                now = state.due.max(now + 60_000) + (rng.next() * 2.0 * DAY_MS as f64) as Millis;
            }
            histories.push(logs);
        }
        histories
    }

    #[test]
    fn too_few_reviews_is_a_typed_error() {
        let histories = simulate(&fsrs::DEFAULT_PARAMETERS, 3, 6);
        let have = training_reviews(&histories);
        assert!(have < MIN_REVIEWS_FOR_OPTIMIZATION);
        assert_eq!(
            optimize(&histories, &Settings::default()),
            Err(OptimizeError::NotEnoughReviews {
                have,
                need: MIN_REVIEWS_FOR_OPTIMIZATION
            })
        );
        let none: [Vec<ReviewLog>; 0] = [];
        assert_eq!(training_reviews(&none), 0);
    }

    #[test]
    fn training_items_follow_the_crates_conversion() {
        let s = Scheduler::new(Settings::default(), 0).unwrap();
        let t0: Millis = 1_700_000_000_000;
        let mut state = CardState::NEW;
        let mut logs = Vec::new();
        // (time, rating): first review, a same-day step, then two later days.
        for (at, rating) in [
            (t0, Rating::Good),
            (t0 + 600_000, Rating::Good),
            (t0 + 3 * DAY_MS, Rating::Again),
            (t0 + 5 * DAY_MS, Rating::Good),
        ] {
            let (next, log) = s.review(&state, rating, at, 1000, 0).unwrap();
            logs.push(log);
            state = next;
        }
        logs.reverse(); // any order
        let (items, ids) = training_items(&[logs]);
        let review = |rating, delta_t| FSRSReview { rating, delta_t };
        assert_eq!(
            items,
            vec![
                FSRSItem {
                    reviews: vec![review(3, 0), review(3, 0), review(1, 3)]
                },
                FSRSItem {
                    reviews: vec![review(3, 0), review(3, 0), review(1, 3), review(3, 2)]
                },
            ]
        );
        assert_eq!(ids, vec![1, 1]);
    }

    #[test]
    fn fits_a_simulated_learner_and_reports_log_loss() {
        // A learner who forgets faster than average.
        let mut truth = fsrs::DEFAULT_PARAMETERS.to_vec();
        truth[0..4].copy_from_slice(&[0.1, 0.5, 1.0, 3.0]);
        truth[8] = 1.2;
        let histories = simulate(&truth, 150, 8);
        let result = optimize(&histories, &Settings::default()).unwrap();
        println!("{result:#?}");
        assert!(result.reviews >= MIN_REVIEWS_FOR_OPTIMIZATION);
        assert_eq!(result.parameters.len(), 21);
        assert!(result.full_fit);
        assert!(result.log_loss_before.is_finite() && result.log_loss_after.is_finite());
        assert!(
            result.improved(),
            "{} -> {}",
            result.log_loss_before,
            result.log_loss_after
        );
        // The fitted parameters are usable.
        let settings = Settings {
            parameters: Some(result.parameters.clone()),
            ..Settings::default()
        };
        assert!(Scheduler::new(settings, 0).is_ok());
    }
}
