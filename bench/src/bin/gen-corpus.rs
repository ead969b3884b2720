//! `gen-corpus --out DIR --mb 100`: write a deterministic synthetic corpus of telemetry
//! manifests and event schemas (see `consentlint_bench::corpus`) and print what it holds.

use clap::Parser;
use consentlint_bench::corpus::{self, Settings, Types};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    about = "Write a deterministic synthetic corpus of telemetry manifests and event schemas"
)]
struct Args {
    /// Directory to write into; must not exist yet.
    #[arg(long)]
    out: PathBuf,
    /// Approximate size of the corpus in MB (10^6 bytes).
    #[arg(long, default_value_t = 100)]
    mb: u64,
    /// Seed of the generator; the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of fields that violate the default policy, in thousandths.
    #[arg(long, default_value_t = 10)]
    violations_per_mille: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.out.exists() {
        eprintln!(
            "gen-corpus: `{}` already exists; remove it or pick another --out",
            args.out.display()
        );
        return ExitCode::from(2);
    }
    let types = Types::from_taxonomy(include_str!("../../../policies/taxonomy.yaml"));
    let settings = Settings {
        seed: args.seed,
        target_bytes: args.mb * 1_000_000,
        violations_per_mille: args.violations_per_mille,
    };
    let stats = match corpus::generate(&args.out, &types, &settings) {
        Ok(stats) => stats,
        Err(e) => {
            eprintln!("gen-corpus: cannot write `{}`: {e}", args.out.display());
            return ExitCode::from(2);
        }
    };
    println!(
        "files={} manifests={} event_schemas={} definition_files={} apps={}",
        stats.files(),
        stats.manifests,
        stats.event_schemas,
        stats.definition_files,
        stats.apps
    );
    println!("bytes={} largest_file={}", stats.bytes, stats.largest_file);
    println!("events={} fields={}", stats.events, stats.fields);
    let by_code: Vec<String> = stats
        .violations
        .iter()
        .map(|(c, n)| format!("{c}:{n}"))
        .collect();
    println!(
        "violations={} ({})",
        stats.violation_total(),
        by_code.join(" ")
    );
    ExitCode::SUCCESS
}
