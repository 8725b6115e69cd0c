//! `mastery optimize`: fit personal FSRS parameters to the learner's reviews.

use std::process::ExitCode;

use mastery_app::AppError;
use mastery_app::settings::{fit_parameters, training_review_count};
use mastery_study::scheduler::MIN_REVIEWS_FOR_OPTIMIZATION;

use crate::context::{self, DataArgs};
use crate::runtime;

/// Arguments of `mastery optimize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    user: context::UserArgs,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = runtime::current_thread()?;
    runtime.block_on(async {
        let db = context::open_store(args.data.data_dir.as_deref(), args.data.database.as_deref()).await?;
        let learner = context::learner(db.store.as_ref(), args.user.user.as_deref()).await?;
        let have = training_review_count(db.store.as_ref(), learner).await?;
        println!("{have} reviews usable for fitting (at least {MIN_REVIEWS_FOR_OPTIMIZATION} needed).");
        match fit_parameters(db.store.as_ref(), learner).await {
            Ok(fit) => {
                println!("log loss with the current parameters: {:.4}", fit.log_loss_before);
                println!("log loss with the fitted parameters:  {:.4}", fit.log_loss_after);
                if fit.improved() {
                    println!("Saved: the fitted parameters predict your reviews better and are now in use.");
                } else {
                    println!("Not saved: the fitted parameters were not better.");
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(AppError::Invalid(message)) => {
                eprintln!("Not fitted: {message}.");
                Ok(ExitCode::FAILURE)
            }
            Err(other) => Err(other.into()),
        }
    })
}
