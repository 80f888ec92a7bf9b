//! Who may do what: DESIGN.md §2's matrix, as one function the whole suite goes through.
//!
//! Every command the CLI offers names one [`Action`]; [`permits`] is the only place the matrix
//! lives. Ownership ("a client's own orders") is checked by the context that owns the data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::AccountId;
use crate::types::Login;

/// The roles an account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Accountant,
    Warehouse,
    Worker,
    Client,
    Service,
}

impl Role {
    pub const ALL: [Role; 7] =
        [Role::Admin, Role::Manager, Role::Accountant, Role::Warehouse, Role::Worker, Role::Client, Role::Service];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Accountant => "accountant",
            Role::Warehouse => "warehouse",
            Role::Worker => "worker",
            Role::Client => "client",
            Role::Service => "service",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_lowercase()).ok_or_else(|| {
            Error::bad_input(format!(
                "`{s}` is not a role: use admin, manager, accountant, warehouse, worker, client or service"
            ))
        })
    }
}

/// The authenticated account a command runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: AccountId,
    pub login: Login,
    pub role: Role,
}

/// Everything an authenticated account can ask crew to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    WhoAmI,
    /// List and revoke one's own sessions (admins, with `ManageAccounts`, anyone's).
    ManageOwnSessions,
    ManageAccounts,
    ImportClients,
    ImportWorkers,
    ListServiceTypes,
    ManageServiceTypes,
    QuoteOrder,
    CreateOrder,
    CopyOrder,
    CancelOrder,
    ViewOrders,
    AssignOrder,
    CheckInOrder,
    CompleteOrder,
    FailOrder,
    ReopenOrder,
    SweepNoShows,
    ViewEvents,
    RunMatching,
    ExplainMatching,
    ViewWorkers,
    ManageWorkers,
    DeliverMail,
    ViewOutbox,
    ManageOutbox,
    ManageHiring,
    TakeApplications,
    ViewSettings,
    ManageSettings,
    /// Read ledger statements, charges and what is due (clients and workers their own).
    ViewBilling,
    /// Read a client's charges and what is due this week (clients their own).
    ViewCharges,
    /// Credit a worker an award.
    AwardWorkers,
    /// Read every balance and verify the ledger.
    VerifyLedger,
    /// Close billing periods (invoices, collections, payouts) and reconcile payments.
    CloseBillingPeriods,
    /// Export the whole ledger as a journal (beancount, hledger).
    ExportLedger,
    /// Kits, bills of materials and stock (supplies).
    ViewKits,
    /// Issue kits, record cookies by hand, receive and count stock.
    HandleKits,
    ManageBillsOfMaterials,
    /// Ask the cookie contractor (`crew supplies poll`, cron).
    OrderCookies,
    /// The review queue, reviews, hypotheses and trends (quality).
    ManageQuality,
    /// `crew dashboard`: each role sees its own.
    ViewDashboard,
    /// The company's reports (`crew report operations|billing`): figures of everyone's work and
    /// money, for staff who run the company.
    ViewReports,
    /// Stake on an order's outcome and close an order's betting to new stakes (managers).
    PlaceBets,
    /// Read bets and their settlements.
    ViewBets,
    /// Copy the whole database to another store (`crew db copy`): every table, password hashes
    /// and sessions included.
    CopyDatabase,
}

impl Action {
    pub const ALL: [Action; 46] = [
        Action::WhoAmI,
        Action::ManageOwnSessions,
        Action::ManageAccounts,
        Action::ImportClients,
        Action::ImportWorkers,
        Action::ListServiceTypes,
        Action::ManageServiceTypes,
        Action::QuoteOrder,
        Action::CreateOrder,
        Action::CopyOrder,
        Action::CancelOrder,
        Action::ViewOrders,
        Action::AssignOrder,
        Action::CheckInOrder,
        Action::CompleteOrder,
        Action::FailOrder,
        Action::ReopenOrder,
        Action::SweepNoShows,
        Action::ViewEvents,
        Action::RunMatching,
        Action::ExplainMatching,
        Action::ViewWorkers,
        Action::ManageWorkers,
        Action::DeliverMail,
        Action::ViewOutbox,
        Action::ManageOutbox,
        Action::ManageHiring,
        Action::TakeApplications,
        Action::ViewSettings,
        Action::ManageSettings,
        Action::ViewBilling,
        Action::ViewCharges,
        Action::AwardWorkers,
        Action::VerifyLedger,
        Action::CloseBillingPeriods,
        Action::ExportLedger,
        Action::ViewKits,
        Action::HandleKits,
        Action::ManageBillsOfMaterials,
        Action::OrderCookies,
        Action::ManageQuality,
        Action::ViewDashboard,
        Action::ViewReports,
        Action::PlaceBets,
        Action::ViewBets,
        Action::CopyDatabase,
    ];

    /// How the action reads in a refusal: "… may not {describe}".
    pub fn describe(self) -> &'static str {
        match self {
            Action::WhoAmI => "see who they are",
            Action::ManageOwnSessions => "manage their sessions",
            Action::ManageAccounts => "manage accounts",
            Action::ImportClients => "import clients",
            Action::ImportWorkers => "import workers",
            Action::ListServiceTypes => "list service types",
            Action::ManageServiceTypes => "manage service types",
            Action::QuoteOrder => "quote orders",
            Action::CreateOrder => "create orders",
            Action::CopyOrder => "copy orders",
            Action::CancelOrder => "cancel orders",
            Action::ViewOrders => "view orders",
            Action::AssignOrder => "assign orders",
            Action::CheckInOrder => "check in to orders",
            Action::CompleteOrder => "complete orders",
            Action::FailOrder => "fail orders",
            Action::ReopenOrder => "reopen orders",
            Action::ViewEvents => "view the event log",
            Action::SweepNoShows => "sweep no-shows",
            Action::RunMatching => "run matching",
            Action::ExplainMatching => "explain matching",
            Action::ViewWorkers => "view worker profiles",
            Action::ManageWorkers => "manage worker profiles",
            Action::DeliverMail => "deliver mail",
            Action::ViewOutbox => "view the outbox",
            Action::ManageOutbox => "retry mail",
            Action::ManageHiring => "run hiring",
            Action::TakeApplications => "take applications",
            Action::ViewSettings => "view the company's settings",
            Action::ManageSettings => "change the company's settings",
            Action::ViewBilling => "view billing",
            Action::ViewCharges => "view clients' charges",
            Action::AwardWorkers => "award workers",
            Action::VerifyLedger => "verify the ledger",
            Action::CloseBillingPeriods => "run billing cycles",
            Action::ExportLedger => "export the ledger",
            Action::ViewKits => "view kits and stock",
            Action::HandleKits => "handle kits and stock",
            Action::ManageBillsOfMaterials => "manage bills of materials",
            Action::OrderCookies => "order cookies",
            Action::ManageQuality => "review quality",
            Action::ViewDashboard => "see a dashboard",
            Action::ViewReports => "see the company's reports",
            Action::PlaceBets => "bet on orders",
            Action::ViewBets => "view bets",
            Action::CopyDatabase => "copy the database",
        }
    }
}

/// Whether `role` may perform `action` at all (ownership is checked separately).
pub fn permits(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        WhoAmI | ManageOwnSessions => true,
        ManageAccounts | ImportClients | ImportWorkers => role == Admin,
        ListServiceTypes => matches!(role, Admin | Manager | Client | Worker),
        ManageServiceTypes | AssignOrder | ReopenOrder | ViewEvents => {
            matches!(role, Admin | Manager)
        }
        // Clients order for themselves; managers quote to answer a client's question.
        QuoteOrder => matches!(role, Admin | Manager | Client),
        CreateOrder | CopyOrder => role == Client,
        // Managers may cancel on a client's behalf; clients their own.
        CancelOrder => matches!(role, Admin | Manager | Client),
        ViewOrders => matches!(role, Admin | Manager | Client | Worker),
        CheckInOrder | CompleteOrder => role == Worker,
        FailOrder => matches!(role, Admin | Manager | Worker),
        // The cycles cron runs.
        RunMatching | SweepNoShows | DeliverMail | ViewOutbox => matches!(role, Admin | Manager | Service),
        ManageOutbox | ManageHiring => matches!(role, Admin | Manager),
        // The website's intake runs as a service account.
        TakeApplications => matches!(role, Admin | Manager | Service),
        ExplainMatching | ViewWorkers | ManageWorkers => matches!(role, Admin | Manager),
        // The company's rules: staff who work by them may read them; only admins change them.
        ViewSettings => matches!(role, Admin | Manager | Accountant),
        ManageSettings => role == Admin,
        // Billing (DESIGN.md §2): clients and workers their own; managers view all; accountants
        // everything; cron verifies after its cycles.
        ViewBilling => matches!(role, Admin | Manager | Accountant | Worker | Client),
        ViewCharges => matches!(role, Admin | Manager | Accountant | Client),
        AwardWorkers => matches!(role, Admin | Manager),
        VerifyLedger => matches!(role, Admin | Manager | Accountant | Service),
        // The cycles: accountants, and cron (DESIGN.md §2).
        CloseBillingPeriods => matches!(role, Accountant | Service),
        ExportLedger => matches!(role, Admin | Manager | Accountant),
        // Supplies: the warehouse's work; managers see it and say what kits hold.
        ViewKits => matches!(role, Admin | Manager | Warehouse),
        HandleKits => matches!(role, Admin | Warehouse),
        ManageBillsOfMaterials => matches!(role, Admin | Manager),
        OrderCookies => matches!(role, Admin | Warehouse | Service),
        ManageQuality => matches!(role, Admin | Manager),
        ViewDashboard => true,
        ViewReports => matches!(role, Admin | Manager | Accountant),
        // Bets (DESIGN.md "Bets"): managers stake their own money (an admin passes the matrix,
        // but `bets::place` takes stakes from managers only); accountants see them for the ledger.
        PlaceBets => matches!(role, Admin | Manager),
        ViewBets => matches!(role, Admin | Manager | Accountant),
        CopyDatabase => role == Admin,
    }
}

/// Refuses with a clear message when the actor's role does not permit the action.
pub fn require(actor: &Actor, action: Action) -> Result<()> {
    if permits(actor.role, action) {
        Ok(())
    } else {
        Err(Error::not_allowed(format!("{} `{}` may not {}", actor.role, actor.login, action.describe())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_may_do_everything_a_manager_may() {
        for action in Action::ALL {
            if permits(Role::Manager, action) {
                assert!(permits(Role::Admin, action), "{action:?}");
            }
        }
    }

    #[test]
    fn only_admins_manage_accounts_imports_and_settings() {
        for role in Role::ALL {
            let expected = role == Role::Admin;
            assert_eq!(permits(role, Action::ManageAccounts), expected);
            assert_eq!(permits(role, Action::ImportWorkers), expected);
            assert_eq!(permits(role, Action::ManageSettings), expected);
        }
    }

    #[test]
    fn a_denied_action_names_role_login_and_action() {
        let actor = Actor { id: AccountId::new(7), login: Login::parse("bob").unwrap(), role: Role::Client };
        let err = require(&actor, Action::AssignOrder).unwrap_err();
        assert_eq!(err.message, "client `bob` may not assign orders");
    }

    #[test]
    fn a_role_is_read_by_its_name_whatever_the_case_and_spaces() {
        for role in Role::ALL {
            assert_eq!(format!(" {} ", role.as_str().to_uppercase()).parse::<Role>().unwrap(), role);
        }
        assert_eq!("nobody".parse::<Role>().unwrap_err().kind, crate::error::ErrorKind::BadInput);
    }

    #[test]
    fn only_clients_create_and_copy_orders() {
        for role in Role::ALL {
            let expected = role == Role::Client;
            assert_eq!(permits(role, Action::CreateOrder), expected, "{role}");
            assert_eq!(permits(role, Action::CopyOrder), expected, "{role}");
        }
    }

    #[test]
    fn only_workers_check_in_and_complete_orders() {
        for role in Role::ALL {
            let expected = role == Role::Worker;
            assert_eq!(permits(role, Action::CheckInOrder), expected, "{role}");
            assert_eq!(permits(role, Action::CompleteOrder), expected, "{role}");
        }
    }
}
