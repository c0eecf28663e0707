//! `onduty oncall [--json]`: every source's escalation policies polled once, each level with
//! who is on call now, until when and who is next; "you" marked, and your shift on top.

use std::io::Write;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::duration_fmt;
use crate::escalation::{MyShift, my_shift};
use crate::model::{EscalationPolicy, OnCall, Schedule};

#[derive(Serialize)]
struct Report<'a> {
    me: &'a str,
    my_shift: Option<MyShift>,
    policies: Vec<PolicyOut<'a>>,
    schedules: Vec<Schedule>,
}

#[derive(Serialize)]
struct PolicyOut<'a> {
    source: String,
    id: &'a str,
    name: &'a str,
    services: &'a [String],
    matchers: Vec<String>,
    repeats: u32,
    levels: Vec<LevelOut<'a>>,
}

#[derive(Serialize)]
struct LevelOut<'a> {
    level: usize,
    after_seconds: i64,
    on_call: &'a [OnCall],
}

/// `onduty oncall [--json]`.
pub async fn oncall(config: &Config, json: bool) -> anyhow::Result<ExitCode> {
    let (snapshots, failed) = super::polls::answered_by_source(config).await;
    let me = config.identity();
    let now = Utc::now();
    let all: Vec<(String, &EscalationPolicy)> = snapshots
        .iter()
        .flat_map(|(source, s)| s.escalation.iter().map(move |p| (source.clone(), p)))
        .collect();
    let shift = my_shift(all.iter().map(|(_, p)| *p), &config.escalation, &me, now);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let report = Report {
            me: &me,
            my_shift: shift,
            policies: all.iter().map(|(s, p)| policy_out(s, p)).collect(),
            schedules: Schedule::gather(all.iter().map(|(_, p)| *p)),
        };
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &all, shift, &me, now)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn policy_out<'a>(source: &str, p: &'a EscalationPolicy) -> PolicyOut<'a> {
    PolicyOut {
        source: source.to_string(),
        id: &p.id,
        name: &p.name,
        services: &p.services,
        matchers: p.matchers.iter().map(ToString::to_string).collect(),
        repeats: p.repeats,
        levels: p
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| LevelOut {
                level: i + 1,
                after_seconds: l.after.num_seconds(),
                on_call: &l.on_call,
            })
            .collect(),
    }
}

fn write_table(
    out: &mut impl Write,
    all: &[(String, &EscalationPolicy)],
    shift: Option<MyShift>,
    me: &str,
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    let when = |t: DateTime<Utc>| {
        let left = if t > now {
            format!(" (in {})", duration_fmt::remaining(t - now))
        } else {
            String::new()
        };
        format!("{}{left}", t.format("%a %Y-%m-%d %H:%M UTC"))
    };
    match &shift {
        Some(MyShift::OnNow { until, next }) => {
            let until = until
                .map(|u| format!(" until {}", when(u)))
                .unwrap_or_default();
            let next = next
                .as_deref()
                .map(|n| format!(", next: {n}"))
                .unwrap_or_default();
            writeln!(out, "you ({me}): on call{until}{next}")?;
        }
        Some(MyShift::Next { from }) => writeln!(out, "you ({me}): next on call {}", when(*from))?,
        None => writeln!(out, "you ({me}): on no policy")?,
    }
    for (source, p) in all {
        writeln!(out, "\n{}  ({source} · covers {})", p.name, p.coverage())?;
        for (i, level) in p.levels.iter().enumerate() {
            let after = if i == 0 {
                "at once".to_string()
            } else {
                format!("after {}", duration_fmt::age(level.after))
            };
            for on in &level.on_call {
                let mut line = format!("  L{} {after:<11}", i + 1);
                line.push_str(&shift_words(on, me, &when));
                if let Some(via) = &on.via {
                    line.push_str(&format!("  via {via}"));
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    let schedules = Schedule::gather(all.iter().map(|(_, p)| *p));
    if !schedules.is_empty() {
        writeln!(out, "\nschedules")?;
    }
    for s in &schedules {
        let mut line = format!("  {} ", s.name);
        line.push_str(&shift_words(&s.on_call, me, &when));
        line.push_str(&format!("  · pages for {}", s.used_by.join(", ")));
        writeln!(out, "{line}")?;
    }
    if all.is_empty() {
        writeln!(
            out,
            "no escalation policies: PagerDuty sources report theirs; for Alertmanager, \
             write escalation.toml in the config dir"
        )?;
    }
    Ok(())
}

/// " ana (you)  until Mon … (in 4d)  next: bo".
fn shift_words(on: &OnCall, me: &str, when: &dyn Fn(DateTime<Utc>) -> String) -> String {
    let mut line = format!(" {}", on.who);
    if on.who == me {
        line.push_str(" (you)");
    }
    if let Some(until) = on.until {
        line.push_str(&format!("  until {}", when(until)));
    }
    if let Some(next) = &on.next {
        line.push_str(&format!("  next: {next}"));
    }
    line
}
