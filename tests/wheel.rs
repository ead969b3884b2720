//! The README's install commands, typed literally: `cargo install --locked --path .` and `pip
//! install .` (maturin packaging the binary, `pyproject.toml`), into a scratch cargo root and
//! a fresh virtual environment; each installed `consentlint` then runs the README's first
//! command on `examples/` and prints what the README says.
//!
//! Slow (a release build, and pip fetches maturin from the package index), so it is
//! `#[ignore]`d in a plain `cargo test`; `.ci/run` runs it with `cargo test --test wheel --
//! --ignored`. Both builds share this checkout's `target/` and the lockfile's versions (cargo
//! install without `--locked` would resolve the newest ones, and maturin would then compile
//! every dependency a second time: the test took 998 s in CI that way, the first build alone
//! 405 s), so the second reuses the first's build.

#[path = "common/readme.rs"]
#[allow(dead_code)] // This test runs the commands its own way (an active virtual environment).
mod readme;

use std::path::Path;
use std::process::Command;

fn run(
    command: &str,
    dir: &Path,
    path: &std::ffi::OsStr,
    envs: &[(&str, &Path)],
) -> (String, String, i32) {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &format!("set -o pipefail\n{command}")])
        .current_dir(dir)
        .env("PATH", path)
        .env("CARGO_TERM_COLOR", "never")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("CONSENTLINT_TODAY");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run bash");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
#[ignore = "a release build and a download of maturin; run by .ci/run"]
fn the_readme_install_commands_put_a_working_consentlint_on_path() {
    let checkout = std::env::current_dir().unwrap();
    let text = std::fs::read_to_string("README.md").unwrap();
    let steps = readme::steps(&text);
    let installs: Vec<&readme::Step> = steps
        .iter()
        .filter(|s| s.place == readme::Place::ReplayedBy("tests/wheel.rs".into()))
        .collect();
    let commands: Vec<&str> = installs.iter().map(|s| s.command.as_str()).collect();
    assert_eq!(
        commands,
        ["cargo install --locked --path .", "pip install ."]
    );
    let first = &steps[0];
    assert_eq!(first.command, "cargo run -- check examples/");

    let scratch = tempfile::tempdir().unwrap();
    let venv = scratch.path().join("venv");
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3");
    assert!(made.success(), "python3 -m venv failed");
    let cargo_root = scratch.path().join("cargo-root");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| checkout.join("target"));
    // The virtual environment is active (its `pip` first on PATH), and cargo installs into
    // the scratch root, not into the machine's ~/.cargo/bin.
    let path = std::env::join_paths(
        [venv.join("bin"), cargo_root.join("bin")]
            .into_iter()
            .chain(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            )),
    )
    .unwrap();
    let envs = [
        ("VIRTUAL_ENV", venv.as_path()),
        ("CARGO_INSTALL_ROOT", cargo_root.as_path()),
        ("CARGO_TARGET_DIR", target.as_path()),
    ];
    for step in &installs {
        let (out, err, code) = run(&step.command, &checkout, &path, &envs);
        assert_eq!(
            code, 0,
            "README.md:{}: `{}` failed:\n{out}\n{err}",
            step.line, step.command
        );
    }

    let Some(readme::Expected::Lines(expected)) = &first.expected else {
        panic!("the README shows the first command's output");
    };
    let version = format!("consentlint {}\n", env!("CARGO_PKG_VERSION"));
    for installed in [
        cargo_root.join("bin/consentlint"),
        venv.join("bin/consentlint"),
    ] {
        assert!(
            installed.is_file(),
            "{} was not installed",
            installed.display()
        );
        let out = Command::new(&installed)
            .args(["check", "examples/"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", installed.display());
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            readme::matches(&readme::Expected::Lines(expected.clone()), &stdout).is_ok(),
            "{}: {stdout}",
            installed.display()
        );
        let out = Command::new(&installed).arg("--version").output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), version);
    }
    // What pip installed is the package it says it is.
    let (out, _, code) = run("pip show consentlint", &checkout, &path, &envs);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("Version: {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
}
