//! crew's end-to-end tests: every file drives the real `crew` binary against fixtures. They all
//! compile into this one test binary (see crates/cli/Cargo.toml).

mod common;

mod test_accounts;
mod test_bets;
mod test_billing;
mod test_billing_crash;
mod test_billing_cycles;
mod test_billing_export;
mod test_billing_http;
mod test_clock;
mod test_concurrency;
mod test_config;
mod test_db_copy;
mod test_events;
mod test_files;
mod test_help;
mod test_hiring;
mod test_imports;
mod test_lifecycle;
mod test_mail;
mod test_mail_tls;
mod test_matching;
mod test_matching_time;
mod test_output_shapes;
mod test_ownership;
mod test_permissions;
mod test_quality;
mod test_readme_tour;
mod test_reports;
mod test_sessions;
mod test_settings;
mod test_supplies;
mod test_supplies_contractor;
mod test_text;
mod test_time_rules;
