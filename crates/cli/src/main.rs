//! The `crew` binary.

fn main() -> std::process::ExitCode {
    crew_cli::main()
}
