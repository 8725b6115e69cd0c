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
//! Leading runs in a task of its own (`tokio::spawn`), never in the caller's future: a
//! request dropped by its client (hyper drops a handler when the connection closes)
//! therefore cannot cancel a batch half-way, nor leave its review queued with no one to
//! commit it. The caller only awaits its answer. A caller whose answer channel was dropped
//! (the runtime shutting down) gets `Unavailable`; retrying with the same review id is safe.

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
        let store = self.clone();
        tokio::spawn(async move { store.lead().await });
        answer.await.map_err(|_| {
            StorageError::Unavailable(
                "the review was not committed (the server is stopping); retry it".into(),
            )
        })?
    }

    /// Commits every queued review, in batches, while there are any.
    async fn lead(&self) {
        let _leading = self.group.leader.lock().await;
        loop {
            let batch = self.take_batch();
            if batch.is_empty() {
                break;
            }
            self.commit_batch(batch).await;
        }
    }

    fn push(&self, learner: LearnerId, review: ReviewRecord, reply: Reply) {
        match self.group.queue.lock() {
            Ok(mut q) => q.push((learner, review, reply)),
            Err(poisoned) => poisoned.into_inner().push((learner, review, reply)),
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
        let mut pending = batch.into_iter();
        while let Some((learner, review, reply)) = pending.next() {
            match self.record_in_savepoint(&mut tx, learner, &review).await {
                Ok(result) => results.push((reply, result)),
                Err(e) => {
                    // Abandon the whole transaction (dropping it rolls back): nothing of this
                    // batch is written, and every caller is told so.
                    drop(tx);
                    let message = format!("the batch was rolled back: {e}");
                    let everyone = results
                        .into_iter()
                        .map(|(r, _)| r)
                        .chain(std::iter::once(reply))
                        .chain(pending.map(|(_, _, r)| r));
                    for r in everyone {
                        let _ = r.send(Err(StorageError::Unavailable(message.clone())));
                    }
                    return;
                }
            }
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
    ) -> Result<Result<Recorded, StorageError>, StorageError> {
        // Outer error: the savepoint itself failed, so the batch cannot be trusted.
        self.run(conn, "SAVEPOINT review").await?;
        let result = self.record_review_in(conn, learner, review).await;
        if !matches!(result, Ok(Recorded::New)) {
            self.run(conn, "ROLLBACK TO review").await?;
        }
        self.run(conn, "RELEASE review").await?;
        Ok(result)
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
