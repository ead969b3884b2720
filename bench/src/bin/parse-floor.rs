//! `parse-floor [--jobs N] [--json-parser serde-json|saphyr] PATH…`: read and parse the
//! files consentlint would check, into untyped values, and print totals — the floor that
//! `consentlint check` is measured against.

use clap::{Parser, ValueEnum};
use consentlint_bench::floor::{self, JsonParser};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Read and parse files into untyped values, as fast as the parsers allow")]
struct Args {
    /// Files or directories (walked exactly as `consentlint check` walks them).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// The parser for `.json` files.
    #[arg(long, value_enum, default_value_t = Json::SerdeJson)]
    json_parser: Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Json {
    SerdeJson,
    Saphyr,
}

fn main() {
    let args = Args::parse();
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(8 << 20);
    if let Some(jobs) = args.jobs {
        pool = pool.num_threads(jobs.max(1));
    }
    let _ = pool.build_global();
    let json = match args.json_parser {
        Json::SerdeJson => JsonParser::SerdeJson,
        Json::Saphyr => JsonParser::Saphyr,
    };
    let start = Instant::now();
    let totals = floor::parse_all(&args.paths, json);
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "files={} bytes={} failed={} values={} seconds={seconds:.3}",
        totals.files, totals.bytes, totals.failed, totals.values
    );
}
