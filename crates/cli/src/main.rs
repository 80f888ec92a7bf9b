//! The `crew` binary.

/// mimalloc rather than glibc's malloc: crew allocates many small strings per row of an import,
/// and glibc's malloc took a quarter of a 100,000-row intake's CPU (BENCHMARKS.md, "Intake").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    crew_cli::main()
}
