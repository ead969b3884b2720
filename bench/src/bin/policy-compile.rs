//! `policy-compile [--runs N] [POLICY…]`: how long compiling a policy (with its taxonomy and
//! `extends`) takes — the first time in the process and then warm, as `check` pays it once.

use clap::Parser;
use consentlint::load::Limits;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Time the compilation of policies into decision tables")]
struct Args {
    /// Policies: paths or `builtin:NAME` (default: every shipped policy).
    policies: Vec<String>,
    /// Warm compilations to time per policy.
    #[arg(long, default_value_t = 200)]
    runs: usize,
}

const SHIPPED: [&str; 6] = [
    "builtin:default",
    "builtin:intune-client-apps",
    "builtin:desktop-analytics",
    "builtin:power-automate",
    "builtin:entra-diagnostic-logs",
    "builtin:skype-teams",
];

fn main() -> ExitCode {
    let args = Args::parse();
    let policies: Vec<String> = if args.policies.is_empty() {
        SHIPPED.iter().map(ToString::to_string).collect()
    } else {
        args.policies
    };
    let limits = Limits::default();
    let mut status = ExitCode::SUCCESS;
    for reference in &policies {
        let start = Instant::now();
        let (policy, problems) = consentlint::policy::compile(reference, &limits);
        let first = start.elapsed();
        let Some(policy) = policy else {
            eprintln!(
                "policy-compile: `{reference}` does not compile ({} problems)",
                problems.len()
            );
            status = ExitCode::from(2);
            continue;
        };
        let mut times: Vec<Duration> = (0..args.runs.max(1))
            .map(|_| {
                let start = Instant::now();
                let compiled = consentlint::policy::compile(reference, &limits);
                let elapsed = start.elapsed();
                drop(compiled);
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "{reference}: {} rules, {} types; first {:.3} ms, warm median {:.3} ms, warm max {:.3} ms",
            policy.rules.len(),
            policy.taxonomy.len(),
            ms(first),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
        );
    }
    status
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
