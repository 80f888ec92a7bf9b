//! Typed ids: an order id cannot be passed where an account id is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw id read back from storage.
            pub fn new(raw: i64) -> Self {
                $name(raw)
            }
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let s = s.trim().trim_start_matches('#');
                match s.parse::<i64>() {
                    Ok(n) if n > 0 => Ok($name(n)),
                    _ => Err(Error::bad_input(format!(
                        "`{s}` is not a valid {} id (a positive whole number)",
                        $what
                    ))),
                }
            }
        }
    };
}

id_type!(
    /// An account of any role.
    AccountId,
    "account"
);
id_type!(
    /// A client's order.
    OrderId,
    "order"
);
id_type!(
    /// A service type managers define.
    ServiceTypeId,
    "service type"
);
id_type!(
    /// A position in the event log (1 is the first event; 0 means "before the first").
    EventSeq,
    "event"
);

impl EventSeq {
    /// The position before the first event.
    pub const START: EventSeq = EventSeq(0);
}
id_type!(
    /// A candidate's application to work for the company (hiring).
    ApplicationId,
    "application"
);
id_type!(
    /// A hiring test (all its versions share the id).
    TestId,
    "test"
);
id_type!(
    /// A set of hiring tests given to candidates together.
    TestSetId,
    "test set"
);
id_type!(
    /// A mail in the outbox.
    MailId,
    "mail"
);
id_type!(
    /// A login session or service token (never reused, so revoking by id ends only that one).
    SessionId,
    "session"
);
id_type!(
    /// A billing invoice: numbered without gaps across both cycles (billing).
    InvoiceNo,
    "invoice"
);
id_type!(
    /// A collection from a client or a payout to a worker (billing).
    PaymentId,
    "payment"
);
id_type!(
    /// A kit the warehouse assembles for an assigned order (supplies).
    KitId,
    "kit"
);
id_type!(
    /// A manager's stake on an order's outcome (bets).
    BetId,
    "bet"
);
id_type!(
    /// A worker's dated time off: a holiday, a sick leave (matching).
    TimeOffId,
    "time off"
);
