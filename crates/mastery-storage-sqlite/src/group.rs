//! Group commit for reviews.
//!
//! With `synchronous=FULL`, every commit waits for the disk. When many learners answer at
//! once, each review as its own transaction spends most of its time in that wait. Here a
//! review joins a queue; whichever caller holds the writer next (the *leader*) takes every
//! review queued at that moment, records each inside one `BEGIN IMMEDIATE` transaction
//! (each in its own savepoint, so one refused review does not undo the others), commits
//! once, and only then answers every caller. Nothing is acknowledged before the commit
//! that contains it: a review answered `Ok` is on disk, exactly as without batching.
//!
//! No background task is needed: a caller that finds its review already taken by another
//! leader simply waits for its answer. If a leader's future is dropped mid-batch (its
//! client went away), its transaction rolls back and the waiting callers get an error,
//! nothing of their reviews having been written; retrying with the same review id is safe.

use std::sync::Mutex;

use mastery_storage::{LearnerId, Recorded, ReviewRecord, StorageError};
use sqlx::SqliteConnection;
use tokio::sync::oneshot;

use crate::SqliteStore;

type Reply = oneshot::Sender<Result<Recorded, StorageError>>;

/// Reviews waiting for the next commit, and the right to lead one.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<(LearnerId, ReviewRecord, Reply)>>,
    leader: tokio::sync::Mutex<()>,
}

/// The largest batch: bounds the time one transaction holds the writer.
const MAX_BATCH: usize = 256;

impl SqliteStore {
    /// Records a review through the group commit (see the module docs).
    pub(crate) async fn record_review_tx(
        &self,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<Recorded, StorageError> {
        review.check()?;
        let (reply, answer) = oneshot::channel();
        self.push(learner, review.clone(), reply);
        loop {
            {
                let _leading = self.group.leader.lock().await;
                let batch = self.take_batch();
                if !batch.is_empty() {
                    self.commit_batch(batch).await;
                }
            }
            // Our review was in this batch or an earlier one, unless more than MAX_BATCH
            // were queued before it: then lead again.
            if self.queued_len() == 0 || answer.is_terminated_hint() {
                break;
            }
        }
        answer.await.map_err(|_| {
            StorageError::Database(
                "the write was abandoned before it was committed; retry it".into(),
            )
        })?
    }

    fn push(&self, learner: LearnerId, review: ReviewRecord, reply: Reply) {
        match self.group.queue.lock() {
            Ok(mut q) => q.push((learner, review, reply)),
            Err(poisoned) => poisoned.into_inner().push((learner, review, reply)),
        }
    }

    fn queued_len(&self) -> usize {
        match self.group.queue.lock() {
            Ok(q) => q.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    fn take_batch(&self) -> Vec<(LearnerId, ReviewRecord, Reply)> {
        let mut q = match self.group.queue.lock() {
            Ok(q) => q,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = q.len().min(MAX_BATCH);
        q.drain(..n).collect()
    }

    /// One transaction for the whole batch; every caller is answered after the commit.
    async fn commit_batch(&self, batch: Vec<(LearnerId, ReviewRecord, Reply)>) {
        let mut tx = match self.write().await {
            Ok(tx) => tx,
            Err(e) => {
                let message = e.to_string();
                for (_, _, reply) in batch {
                    let _ = reply.send(Err(StorageError::Unavailable(message.clone())));
                }
                return;
            }
        };
        let mut results = Vec::with_capacity(batch.len());
        for (learner, review, reply) in batch {
            let result = self.record_in_savepoint(&mut tx, learner, &review).await;
            results.push((reply, result));
        }
        match tx.commit().await {
            Ok(()) => {
                for (reply, result) in results {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                let message = self.error(e).to_string();
                for (reply, _) in results {
                    let _ = reply.send(Err(StorageError::Database(message.clone())));
                }
            }
        }
    }
}

impl SqliteStore {
    /// One review in its own savepoint: released when recorded, rolled back otherwise (a
    /// duplicate or a conflict leaves nothing behind in the batch).
    async fn record_in_savepoint(
        &self,
        conn: &mut SqliteConnection,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<Recorded, StorageError> {
        self.run(conn, "SAVEPOINT review").await?;
        let result = self.record_review_in(conn, learner, review).await;
        if !matches!(result, Ok(Recorded::New)) {
            self.run(conn, "ROLLBACK TO review").await?;
        }
        self.run(conn, "RELEASE review").await?;
        result
    }

    async fn run(
        &self,
        conn: &mut SqliteConnection,
        sql: &'static str,
    ) -> Result<(), StorageError> {
        sqlx::query(sql)
            .execute(conn)
            .await
            .map(|_| ())
            .map_err(|e| self.error(e))
    }
}

/// Whether a oneshot's answer may already be there (cheap check; the loop above only uses
/// it to stop leading early).
trait TerminatedHint {
    fn is_terminated_hint(&self) -> bool;
}

impl<T> TerminatedHint for oneshot::Receiver<T> {
    fn is_terminated_hint(&self) -> bool {
        !self.is_empty()
    }
}
