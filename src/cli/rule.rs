//! `onduty rule KEY`: the alerting rule behind an alert, after one poll of every source, as
//! the detail pane's RULE section shows it (`App::rule_behind`, `AlertRule::facts`).

use std::io::Write;
use std::process::ExitCode;

use crate::config::{Config, Paths};

/// Prints the rule behind alert `key`: 0 when one is found, 1 when none is.
pub async fn rule(config: &Config, paths: &Paths, key: &str) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, Some("")).await?;
    let app = &loaded.app;
    let Some(alert) = app.all_alerts().map(|(_, a)| a).find(|a| a.key.0 == key) else {
        anyhow::bail!("no source reports an alert '{key}' (see `onduty alerts`)");
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let Some((rule, instance)) = app.rule_behind(alert) else {
        let why = if app.knows_rules() {
            format!(
                "no source reports a rule named '{}' with its labels",
                alert.labels.get("alertname").unwrap_or(&alert.title)
            )
        } else {
            let kinds = crate::sources::registry::kinds_that(|c| c.reports_rules).join(", ");
            format!("no source answered with rules (add the {kinds} source that evaluates it)")
        };
        writeln!(out, "{key}: {why}")?;
        out.flush()?;
        return Ok(ExitCode::from(1));
    };
    writeln!(out, "{} (from {})", rule.name, rule.source)?;
    for (name, value) in rule.facts(instance, app.now) {
        match name {
            "rule" => {}
            "expr" => {
                for line in value.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
            _ => writeln!(out, "{name:<11} {value}")?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
