//! 2. Graceful ends during a burst of emits: exit(), fatal error, uncaught exception,
//! memory_limit, max_execution_time. Module shutdown persists the queue; leftovers are
//! delivered by the next process.

use crate::common::{register, Php, Receiver};
use crate::support::*;
use std::time::Duration;

struct End {
    name: &'static str,
    /// PHP before the loop.
    setup: &'static str,
    /// PHP run in each iteration after the emit (`$i` is the counter).
    each: &'static str,
    /// Expected in stdout/stderr (PHP's own message for the way it ended).
    expect: &'static str,
    ini: &'static [(&'static str, &'static str)],
}

pub fn scenario() {
    let n = size(1_500, 10_000);
    let half = n / 2;
    let ends = [
        End {
            name: "exit",
            setup: "",
            each: "if ($i == HALF) exit(3);",
            expect: "",
            ini: &[],
        },
        End {
            name: "fatal",
            setup: "",
            each: "if ($i == HALF) umw_no_such_function();",
            expect: "Call to undefined function umw_no_such_function()",
            ini: &[],
        },
        End {
            name: "exception",
            setup: "",
            each: "if ($i == HALF) throw new LogicException('boom');",
            expect: "Uncaught LogicException: boom",
            ini: &[],
        },
        End {
            name: "memory_limit",
            setup: "$hog = [];",
            // ~16 KiB per emit: runs out after roughly 2,000 events at 32M.
            each: "$hog[] = str_repeat(chr($i % 250), 16384);",
            expect: "Allowed memory size",
            ini: &[("memory_limit", "32M")],
        },
        End {
            name: "max_execution_time",
            setup: "set_time_limit(1); $x = 'seed';",
            // Busy between emits (~0.4 ms), so one CPU second holds a few thousand events.
            each: "for ($j = 0; $j < 1000; $j++) { $x = md5($x); } if ($i >= LIMIT) { $i = 0; }",
            expect: "Maximum execution time of 1 second exceeded",
            ini: &[],
        },
    ];
    let threads: Vec<_> = ends
        .into_iter()
        .map(|end| std::thread::spawn(move || run(end, n, half)))
        .collect();
    let mut failures = Vec::new();
    for t in threads {
        if let Err(e) = t.join().expect("thread") {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn run(end: End, n: usize, half: usize) -> Result<(), String> {
    let receiver = Receiver::ok();
    let mut php = Php::new(&format!("end-{}", end.name));
    for (k, v) in end.ini {
        php = php.set(k, v);
    }
    register(&php, &receiver.url("/hook"), "['*']");
    let each = end
        .each
        .replace("HALF", &half.to_string())
        .replace("LIMIT", &n.to_string());
    let code = format!(
        r#"<?php
{setup}
for ($i = 0; ; $i++) {{
    echo umw_emit('payment_received', ['i' => $i]), "\n";
    {each}
    if ($i > 10 * {n}) break;
}}
echo "fell through\n";
"#,
        setup = end.setup
    );
    let out = php.run(&code);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let ids = ids_in(&stdout);
    let mut problems = Vec::new();
    if stdout.contains("fell through") {
        problems.push("the script was not ended by the fault".to_string());
    }
    if !end.expect.is_empty() && !stdout.contains(end.expect) && !stderr.contains(end.expect) {
        problems.push(format!("expected {:?} in the output", end.expect));
    }
    // Delivered by the ending process itself (before the next process starts).
    let by_self = wait_delivered(&ids, &[&receiver], Duration::from_millis(500));
    let counts = sweep(&php, 30.0);
    let tally = wait_delivered(&ids, &[&receiver], Duration::from_secs(15));
    println!(
        "graceful-{}: exit {:?}; {} of {} delivered by the dying process, the rest by the next; store after: {counts}",
        end.name,
        out.status.code(),
        by_self.delivered,
        ids.len()
    );
    let verdict = if tally.lost == 0 && problems.is_empty() {
        "pass"
    } else {
        "FAIL"
    };
    report(
        &format!("graceful-{}", end.name),
        &format!(
            "burst of emits ended by {}; {} delivered by the dying process (shutdown), rest by the next process",
            match end.name {
                "exit" => "exit(3) halfway",
                "fatal" => "a call to an undefined function halfway",
                "exception" => "an uncaught exception halfway",
                "memory_limit" => "memory_limit=32M exhaustion",
                _ => "set_time_limit(1) in a busy loop",
            },
            by_self.delivered
        ),
        &tally,
        verdict,
    );
    if ids.is_empty() {
        problems.push("no ids printed".into());
    }
    if tally.lost > 0 {
        problems.push(format!(
            "lost {} ids, e.g. {:?}",
            tally.lost,
            &tally.lost_ids[..tally.lost_ids.len().min(5)]
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "graceful-{}: {problems:?}\nstderr: {}",
            end.name,
            &stderr[..stderr.len().min(2000)]
        ))
    }
}
