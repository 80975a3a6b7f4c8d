//! The README stays true: its set-up commands are the ones CI runs, and every `$ …` command
//! in a `console` block is run (in a scratch copy of `examples/`, with `cartera` on PATH)
//! and must print exactly what the README shows. `CARTERA_BLESS=1` rewrites the outputs.

mod common;

use std::path::Path;
use std::process::Command;

const MAIN_JOB: &str =
    "cargo run --release --locked -- aging examples/ledger.csv --as-of 2026-06-30";
const TEST_JOB: &str = "cargo test --locked";

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).unwrap()
}

#[test]
fn the_two_setup_commands_are_in_the_readme_and_ci_runs_the_tests() {
    let text = readme();
    assert!(text.contains(&format!("```sh\n{MAIN_JOB}\n{TEST_JOB}\n```")));
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == TEST_JOB),
        ".ci/run must run `{TEST_JOB}`"
    );
}

#[test]
fn the_readme_exit_code_table_is_the_one_in_the_code() {
    let text = readme();
    for (code, meaning) in cartera::error::EXIT_CODES {
        let row = format!("| {code} | {} |", meaning.replace('|', "\\|"));
        assert!(text.contains(&row), "README lacks the row {row}");
    }
}

/// Copies a folder with its subfolders.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs one shell command line in `dir` and returns stdout and stderr, interleaved.
fn run(dir: &Path, line: &str) -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_cartera")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-c", &format!("set -o pipefail; {{ {line} ; }} 2>&1")])
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_console_command_in_the_readme_prints_what_the_readme_shows() {
    let text = readme();
    // A checkout (examples and policy copied) with the team's shared folder beside it, as
    // the README's commands on the public files in ../shared/data/real expect.
    let outer = tempfile::tempdir().unwrap();
    let scratch = outer.path().join("cartera");
    copy_tree(&common::root().join("examples"), &scratch.join("examples"));
    std::fs::copy(
        common::root().join("policy.example.toml"),
        scratch.join("policy.example.toml"),
    )
    .unwrap();
    let shared = common::root().join("../shared");
    let have_shared = shared.join("data/real").is_dir();
    if have_shared {
        std::os::unix::fs::symlink(shared.canonicalize().unwrap(), outer.path().join("shared"))
            .unwrap();
    }

    let mut rewritten = String::new();
    let mut mismatches = Vec::new();
    let mut rest = text.as_str();
    let mut commands = 0;
    while let Some(start) = rest.find("```console\n") {
        let body_start = start + "```console\n".len();
        let end = body_start + rest[body_start..].find("```").unwrap();
        rewritten.push_str(&rest[..body_start]);
        let block = &rest[body_start..end];
        if block.contains("../shared/") && !have_shared {
            eprintln!("skipped (no ../shared beside the checkout):\n{block}");
            rewritten.push_str(block);
            rest = &rest[end..];
            continue;
        }
        let mut actual_block = String::new();
        let mut expected_block = String::new();
        for chunk in block.split_inclusive('\n') {
            if let Some(cmd) = chunk.strip_prefix("$ ") {
                commands += 1;
                let output = run(&scratch, cmd.trim_end());
                actual_block.push_str(chunk);
                actual_block.push_str(&output);
                expected_block.push_str(chunk);
            } else {
                expected_block.push_str(chunk);
            }
        }
        if actual_block != expected_block {
            mismatches.push(format!(
                "--- README\n{expected_block}+++ actual\n{actual_block}"
            ));
        }
        rewritten.push_str(&actual_block);
        rest = &rest[end..];
    }
    rewritten.push_str(rest);
    assert!(
        commands >= 8,
        "the README should show its commands ({commands} found)"
    );
    if std::env::var_os("CARTERA_BLESS").is_some() {
        std::fs::write(common::root().join("README.md"), rewritten).unwrap();
    } else {
        assert!(
            mismatches.is_empty(),
            "README output is stale (rerun with CARTERA_BLESS=1):\n{}",
            mismatches.join("\n")
        );
    }
}
