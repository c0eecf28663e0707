//! A scripted history of known answers, folded through the ledger and summed up by the
//! report: every figure the view and the CLI show is checked here against its answer.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use chrono_tz::Tz;

use super::ledger::Ledger;
use super::load::Hours;
use super::report::{GroupBy, Report};
use crate::escalation::{Every, LocalEscalation, Rotation};
use crate::model::{Entry, EntryKind};

/// Tuesday 1 December 2026, 00:00 UTC, plus `min` minutes.
fn at(min: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + TimeDelta::minutes(min)
}

struct Script {
    entries: Vec<Entry>,
}

impl Script {
    fn new() -> Script {
        Script {
            entries: Vec::new(),
        }
    }

    fn push(&mut self, subject: &str, min: i64, kind: EntryKind, author: &str, body: &str) {
        let id = self.entries.len() as i64 + 1;
        self.entries.push(Entry {
            id,
            subject: subject.into(),
            at: at(min),
            author: author.into(),
            kind,
            body: body.into(),
            starred: false,
            corrects: None,
        });
    }

    fn seen(&mut self, subject: &str, min: i64, body: &str) {
        self.push(subject, min, EntryKind::Observed, "am", body);
    }

    fn did(&mut self, subject: &str, min: i64, who: &str, body: &str) {
        self.push(subject, min, EntryKind::Action, who, body);
    }
}

/// Checkout fires three times (acked after 2, 4 and never; resolved after 10, 30 and 6
/// minutes), search once (silenced at 1, never resolved), a mass event is counted on the
/// source's own subject.
fn history() -> Script {
    let mut s = Script::new();
    let c = "am:checkout";
    let fired = "fired (critical): CheckoutErrors · checkout [team payments; policy Pay]";
    s.seen(c, 0, fired);
    s.did(c, 2, "ana", "ack: done");
    s.seen(c, 3, "acked by Ana Lima");
    s.seen(c, 10, "resolved");
    s.seen(c, 100, fired);
    s.seen(c, 104, "acked by bo");
    s.seen(c, 110, "firing again");
    s.seen(c, 112, "acked by bo");
    s.seen(c, 130, "resolved");
    s.seen(c, 200, fired);
    s.seen(c, 215, "escalated to L2");
    s.did(c, 220, "ana", "escalate: done");
    s.seen(c, 221, "escalated to L3");
    s.seen(c, 206 + 30, "resolved");
    let search = "am:search";
    s.seen(
        search,
        50,
        "fired (warning): SearchSlow · search [team web]",
    );
    s.seen(search, 51, "silenced");
    s.seen(search, 400, "firing again");
    s.seen(search, 401, "silenced");
    s.seen("am:", 60, "fired ×2500 (warning): DiskFull · storage");
    s
}

#[test]
fn response_per_service_from_a_scripted_history() {
    let s = history();
    let ledger = Ledger::of(&s.entries);
    assert_eq!(
        ledger.episodes().len(),
        4,
        "the counted mass event names no single alert"
    );
    let r = Report::of(
        &ledger,
        &LocalEscalation::default(),
        at(24 * 60),
        1,
        GroupBy::Service,
    );
    let checkout = &r.rows[0];
    assert_eq!((checkout.name.as_str(), checkout.fired), ("checkout", 3));
    assert_eq!(
        checkout.to_ack.n, 2,
        "the first ack counts, not the one after 'firing again'"
    );
    assert_eq!(checkout.to_ack.median, Some(TimeDelta::minutes(2)));
    assert_eq!(checkout.to_ack.p90, Some(TimeDelta::minutes(4)));
    assert_eq!(checkout.to_ack.mean, Some(TimeDelta::minutes(3)));
    assert_eq!(checkout.to_resolve.n, 3);
    assert_eq!(checkout.to_resolve.median, Some(TimeDelta::minutes(30)));
    assert_eq!(checkout.to_resolve.p90, Some(TimeDelta::minutes(36)));
    assert_eq!(checkout.to_resolve.mean, Some(TimeDelta::minutes(76) / 3));
    assert_eq!(checkout.unacked, 1);
    let search = &r.rows[1];
    assert_eq!(
        (search.fired, search.to_ack.median, search.to_resolve.n),
        (1, Some(TimeDelta::minutes(1)), 0)
    );
    assert_eq!(r.total.fired, 4);
    assert_eq!(r.total.daily, vec![4]);
    // Escalations: two made by the back end, one of them asked for by hand.
    assert_eq!((r.escalations_by_timeout, r.escalations_by_hand), (1, 1));
    assert_eq!(
        r.reopened, 0,
        "checkout came back after 90 minutes: a new episode"
    );
    // Search was silenced twice and fired once.
    assert_eq!(r.over_silenced.len(), 1);
    assert_eq!(
        (
            r.over_silenced[0].title.as_str(),
            r.over_silenced[0].n,
            r.over_silenced[0].fired
        ),
        ("SearchSlow", 2, 1)
    );
    assert_eq!(r.noisiest[0].title, "CheckoutErrors");
    assert_eq!(r.noisiest[0].n, 3);
    assert_eq!(r.unacked[0].n, 1);
    assert!(r.flapping.is_empty(), "one short life is no flapping");
}

#[test]
fn grouped_by_team_policy_and_responder() {
    let s = history();
    let ledger = Ledger::of(&s.entries);
    let names = |by| {
        Report::of(&ledger, &LocalEscalation::default(), at(24 * 60), 1, by)
            .rows
            .iter()
            .map(|r| (r.name.clone(), r.fired))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(GroupBy::Team),
        [("payments".to_string(), 3), ("web".to_string(), 1)]
    );
    assert_eq!(
        names(GroupBy::Policy),
        [("Pay".to_string(), 3), ("(none)".to_string(), 1)]
    );
    // The first ack's author counts: ana acked in onduty before the back end said so.
    assert_eq!(
        names(GroupBy::Responder),
        [
            ("(nobody)".to_string(), 2),
            ("ana".to_string(), 1),
            ("bo".to_string(), 1)
        ]
    );
}

#[test]
fn the_change_against_the_previous_period_and_fires_per_day() {
    let mut s = Script::new();
    let a = "am:a";
    // Two fires on each of the first two days, one on the third; the first week acked in
    // 10 minutes, the second in 2.
    for (day, n, ack) in [(0, 2, 10), (1, 2, 10), (2, 1, 10), (7, 1, 2), (8, 1, 2)] {
        for i in 0..n {
            let t = day * 1440 + i * 180;
            s.seen(a, t, "fired (critical): A · api");
            s.seen(a, t + ack, "acked by bo");
            s.seen(a, t + 60, "resolved");
        }
    }
    let ledger = Ledger::of(&s.entries);
    let r = Report::of(
        &ledger,
        &LocalEscalation::default(),
        at(14 * 1440),
        7,
        GroupBy::Service,
    );
    assert_eq!(r.total.fired, 2);
    assert_eq!(r.total.before.fired, 5);
    assert_eq!(r.total.before.to_ack, Some(TimeDelta::minutes(10)));
    assert_eq!(r.total.to_ack.median, Some(TimeDelta::minutes(2)));
    assert_eq!(r.total.daily, [1, 1, 0, 0, 0, 0, 0]);
    assert_eq!(r.rows[0].before.fired, 5, "per group too");
    let first = Report::of(
        &ledger,
        &LocalEscalation::default(),
        at(7 * 1440),
        7,
        GroupBy::Service,
    );
    assert_eq!(first.total.daily, [2, 2, 1, 0, 0, 0, 0]);
    assert_eq!(first.reopened, 0);
}

#[test]
fn re_opened_alerts_and_incidents_and_flapping() {
    let mut s = Script::new();
    let f = "am:flappy";
    for i in 0..4 {
        s.seen(f, 300 + i * 20, "fired (warning): Flappy · net");
        s.seen(f, 300 + i * 20 + 2 + i, "resolved");
    }
    s.seen(f, 500, "fired (warning): Flappy · net");
    s.seen(f, 560, "resolved");
    s.did("incident:4", 10, "ana", "status: resolved");
    s.did("incident:4", 40, "ana", "status: investigating");
    s.did("incident:4", 50, "ana", "status: investigating");
    s.did("incident:5", 60, "ana", "status: monitoring");
    let ledger = Ledger::of(&s.entries);
    let r = Report::of(
        &ledger,
        &LocalEscalation::default(),
        at(24 * 60),
        1,
        GroupBy::Service,
    );
    assert_eq!(r.flapping.len(), 1);
    assert_eq!(
        (r.flapping[0].title.as_str(), r.flapping[0].short_lived),
        ("Flappy", 4),
        "the hour-long one is no flap"
    );
    assert_eq!(r.flapping[0].median_life, Some(TimeDelta::minutes(3)));
    assert_eq!(r.reopened, 3, "each fire within the hour after resolving");
    assert_eq!(r.incidents_reopened, 1);
}

#[test]
fn an_entry_seen_twice_is_folded_once() {
    let s = history();
    let mut ledger = Ledger::of(&s.entries);
    for e in &s.entries {
        ledger.add(e);
    }
    assert_eq!(ledger.episodes().len(), 4);
    let r = Report::of(
        &ledger,
        &LocalEscalation::default(),
        at(24 * 60),
        1,
        GroupBy::Service,
    );
    assert_eq!(r.over_silenced[0].n, 2);
}

fn weekly(name: &str, members: &[&str], zone: &str) -> Rotation {
    Rotation {
        name: name.into(),
        members: members.iter().map(|m| m.to_string()).collect(),
        every: Every::Week,
        handoff: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        handoff_day: Weekday::Mon,
        zone: zone.parse().unwrap(),
        starts: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        overrides: Vec::new(),
    }
}

#[test]
fn load_per_responder_in_their_own_zone() {
    let mut s = Script::new();
    // ana is on call in Berlin all week from Monday 30 November 09:00 (08:00 UTC); bo in
    // New York from his Monday 09:00.
    let berlin = weekly("eu", &["ana", "cy"], "Europe/Berlin");
    let ny = weekly("us", &["bo", "di"], "America/New_York");
    // Tuesday 1 December: 02:00 UTC is 03:00 in Berlin (sleep) and 21:00 Monday in New York
    // (off hours); 10:00 UTC is 11:00 in Berlin (business) and 05:00 in New York (sleep).
    let a = "am:a";
    // 17:00 UTC is 22:30 in Kolkata: ed, on no rotation, acks in his sleep hours.
    for (t, who) in [(120, "ana"), (600, "bo"), (610, "ana"), (1020, "ed")] {
        s.seen(a, t, "fired (critical): A · api");
        s.seen(a, t + 1, &format!("acked by {who}"));
        s.seen(a, t + 5, "resolved");
    }
    let ledger = Ledger::of(&s.entries);
    let escalation = LocalEscalation {
        rotations: vec![berlin, ny],
        policies: Vec::new(),
        zones: vec![("ed".into(), "Asia/Kolkata".parse().unwrap())],
    };
    let r = Report::of(&ledger, &escalation, at(24 * 60), 2, GroupBy::Responder);
    let ana = r.load.iter().find(|l| l.who == "ana").unwrap();
    let bo = r.load.iter().find(|l| l.who == "bo").unwrap();
    assert_eq!(ana.zone, "Europe/Berlin".parse::<Tz>().unwrap());
    assert_eq!(ana.pages, [2, 1, 1], "pages as ana's clock tells them");
    assert_eq!(
        bo.pages,
        [1, 1, 2],
        "the same fires as bo's clock tells them"
    );
    assert_eq!(ana.acks, [1, 0, 1]);
    assert_eq!(bo.acks, [0, 0, 1]);
    assert_eq!(
        ana.busiest_nights,
        [(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), 1)]
    );
    // On call from Monday 08:00 UTC to Wednesday 00:00 UTC, cut to the period (Monday
    // 00:00 to Wednesday 00:00 UTC): 40 hours; cy held the eight before.
    let hours = |l: &super::load::Load| l.on_call.map(|d| d.num_hours());
    assert_eq!(hours(ana).iter().sum::<i64>(), 40);
    let cy = r.load.iter().find(|l| l.who == "cy").unwrap();
    assert_eq!(hours(cy).iter().sum::<i64>(), 8);
    // Monday 09:00–18:00 and Tuesday 08:00–18:00 in Berlin: 19 business hours.
    assert_eq!(hours(ana)[Hours::Business as usize], 19);
    assert_eq!(r.load[0].who, "bo", "the most paged out of hours first");
    let ed = r.load.iter().find(|l| l.who == "ed").unwrap();
    assert_eq!(ed.acks, [0, 0, 1], "in his own zone, not UTC's off hours");
    assert_eq!(ed.zone.name(), "Asia/Kolkata");
}
