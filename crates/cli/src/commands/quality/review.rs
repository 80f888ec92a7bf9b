//! `crew quality review`.

use anyhow::Result;
use clap::Args;
use crew_core::authz::Action;
use crew_core::ids::OrderId;
use crew_core::matching;
use crew_core::quality::{self, ReviewForm, Verdict};
use crew_core::types::Text;

use super::steps;
use crate::context::{App, FromFlag};

/// Record the review of a queued case (a second one amends it and never counts twice); mails client and worker
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  crew quality review 7 --verdict fault --cause \"came an hour late\" --hypothesis \"remind workers the day before\"\n  crew quality review 7 --verdict fine --cause \"the bus was cancelled\"     # amends the review above\n  crew quality review 9 --verdict serious --cause \"broke a vase\" --suspend\n\nVerdicts: praise (+quality.rating_step_praise), fine (0), fault (−quality.rating_step_fault),\nserious (−quality.rating_step_serious); an amendment moves the rating by the difference only.\nA suspended worker is reinstated with `crew matching reinstate`."
)]
pub struct ReviewArgs {
    order: String,
    /// praise, fine, fault or serious
    #[arg(long)]
    verdict: String,
    /// What caused the outcome
    #[arg(long)]
    cause: String,
    /// An idea for improving the business this case suggests
    #[arg(long, default_value = "")]
    hypothesis: String,
    /// Also suspend the worker from matching (in the same transaction)
    #[arg(long)]
    suspend: bool,
}

impl ReviewArgs {
    pub fn actions(&self) -> &'static [Action] {
        if self.suspend { &[Action::ManageQuality, Action::ManageWorkers] } else { ACTIONS }
    }
}

pub const ACTIONS: &[Action] = &[Action::ManageQuality];

pub fn run(app: &mut App, args: ReviewArgs) -> Result<()> {
    let order: OrderId = args.order.parse()?;
    let form = ReviewForm {
        verdict: Verdict::parse(&args.verdict).flag("--verdict")?,
        cause: Text::one_line(&args.cause).flag("--cause")?,
        hypothesis: Text::one_line(&args.hypothesis).flag("--hypothesis")?,
    };
    let suspend = args.suspend;
    let (review, changed) = app.write(|tx, ctx| {
        let steps = steps(tx)?;
        let (review, changed) = quality::review(tx, ctx, order, form, &steps)?;
        if suspend {
            let worker = review
                .worker
                .ok_or_else(|| crew_core::Error::bad_input(format!("order #{order} had no worker to suspend")))?;
            let reason = Text::parse(&format!("review of order #{order}: {}", review.cause))?;
            matching::suspend(tx, ctx, worker, reason)?;
        }
        Ok((review, changed))
    })?;
    let sentence = match (changed, review.revision) {
        (false, _) => format!("Order #{order} already has exactly that review; nothing changed."),
        (true, 1) => format!(
            "Order #{order} reviewed: {}; the client and the worker (if any) are mailed.",
            review.verdict.as_str()
        ),
        (true, n) => format!(
            "Order #{order}'s review amended (revision {n}): {}; the client and the worker (if any) are mailed.",
            review.verdict.as_str()
        ),
    };
    let sentence = if suspend { format!("{sentence} The worker is suspended.") } else { sentence };
    let fields = [
        ("order", order.to_string()),
        ("verdict", review.verdict.as_str().to_string()),
        ("cause", review.cause.to_string()),
        ("hypothesis", review.hypothesis.to_string()),
        ("revision", review.revision.to_string()),
    ];
    app.out.done(&review, &fields, &sentence)
}
