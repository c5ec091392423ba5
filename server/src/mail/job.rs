//! The sender: one background task per node, sending only while it holds the outbox's lease.
//! Each turn it queues what the core says is due (reminders, change notices), claims what
//! may go, renders each mail with a fresh personal link, sends it and stores the outcome —
//! then sleeps until the next entry is due, something is queued, or a second passes.

use super::gather::Gather;
use super::letter::Rendered;
use super::Mailer;
use crate::app::clock;
use crate::app::state::AppState;
use crate::files::invites::Minting;
use futures_util::StreamExt;
use sangdam_signaling::notify::agenda::Agenda;
use sangdam_signaling::notify::due::{self, Audience, ReminderMarks};
use sangdam_signaling::notify::outbox::{Attempt, Entry, Outbox, State};
use sangdam_signaling::notify::{Notice, NoticeKind};
use sangdam_signaling::{ParticipantId, Refusal, Timestamp};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// The lease lasts this long; the holder renews it every turn (at most a second apart).
const LEASE: Duration = Duration::from_secs(15);
/// The longest sleep between turns.
const TURN: Duration = Duration::from_secs(1);

/// Everything one mail needs that depends on the state: the rendered letter and the
/// address, or why there is none.
pub fn render(
    state: &AppState,
    gather: &Gather<'_>,
    notice: &Notice,
    minting: &Minting<'_>,
    now: Timestamp,
) -> Result<(String, String, Rendered), String> {
    let p = state
        .fair
        .participant(&notice.participant)
        .ok_or_else(|| format!("{} is no longer in the fair", notice.participant))?;
    let address = state
        .contacts
        .get(&p.id)
        .and_then(|c| c.email.clone())
        .ok_or_else(|| "no e-mail address on file (이메일 주소 없음)".to_string())?;
    let link = minting.link(&state.fair, p, None);
    let letter = gather.letter(p, notice.kind.clone(), link);
    Ok((p.name.clone(), address, letter.render(now)))
}

/// What a turn keeps for the next: the agenda of the preparation version it was built from,
/// and who speaks for each organisation (the fair does not change while it runs).
#[derive(Default)]
struct Plan {
    version: Option<u64>,
    agenda: Option<Agenda>,
    audience: Option<Audience>,
}

/// Runs until the task is aborted.
pub async fn run(state: AppState) {
    let mailer = state.mail.clone();
    let Some(smtp) = mailer.smtp.clone() else {
        return;
    };
    let mut outbox: Option<(Outbox, u64)> = None;
    let mut told_publication = 0u32;
    let mut plan = Plan::default();
    loop {
        match mailer.store.lease(&state.node, LEASE).await {
            Ok(true) => {}
            Ok(false) => {
                outbox = None;
                tokio::time::sleep(LEASE / 3).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %e.message, "mail: the outbox is out of reach");
                outbox = None;
                tokio::time::sleep(LEASE / 3).await;
                continue;
            }
        }
        if let Err(e) = turn(
            &state,
            &mailer,
            &smtp,
            &mut outbox,
            &mut told_publication,
            &mut plan,
        )
        .await
        {
            tracing::warn!(error = %e.message, "mail: a turn failed; trying again shortly");
            outbox = None;
            tokio::time::sleep(TURN * 3).await;
            continue;
        }
        let now = clock::now();
        let sleep = outbox
            .as_ref()
            .and_then(|(ob, _)| ob.next_due())
            .map_or(TURN, |t| t.since(now).min(TURN));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = mailer.wake.notified() => {}
        }
    }
}

async fn turn(
    state: &AppState,
    mailer: &Mailer,
    smtp: &super::transport::Smtp,
    held: &mut Option<(Outbox, u64)>,
    told_publication: &mut u32,
    plan: &mut Plan,
) -> Result<(), Refusal> {
    let now = clock::now();
    // Taking over (start, or a lease won from a node that stopped): what was in flight goes
    // again.
    if held.is_none() {
        let version = mailer.store.version().await?;
        let mut ob = Outbox::new();
        for e in mailer.store.load().await? {
            ob.put(e);
        }
        let resumed = ob.resume(now);
        if !resumed.is_empty() {
            tracing::info!(
                count = resumed.len(),
                "mail: resuming what was being sent when the last sender stopped"
            );
        }
        mailer.store.save(resumed).await?;
        *held = Some((ob, version));
    }
    let (ob, version) = held.as_mut().expect("just set");
    // Staff queued or retried something (on any node): take their entries.
    let v = mailer.store.version().await?;
    if v != *version {
        for e in mailer.store.load().await? {
            let mine = ob.get(&e.key).map(|m| m.state);
            if mine != Some(State::Sending) && ob.get(&e.key) != Some(&e) {
                ob.put(e);
            }
        }
        *version = v;
    }
    let prep = state.prep.read().await?;
    let people = state.people.all().await?;
    let generations: HashMap<ParticipantId, u32> = people
        .iter()
        .map(|(p, a)| (p.clone(), a.generation))
        .collect();
    let generation = |p: &ParticipantId| generations.get(p).copied().unwrap_or(0);
    let opted_out: HashSet<ParticipantId> = people
        .iter()
        .filter(|(_, a)| a.reminders_off)
        .map(|(p, _)| p.clone())
        .collect();
    // The agenda is rebuilt only when the preparation changed: a national fair's is 20,000
    // meetings, and a turn may be a few dozen mails.
    if plan.version != Some(prep.version) {
        plan.agenda = Some(Agenda::new(&state.fair, &prep, None));
        plan.version = Some(prep.version);
    }
    let agenda = plan.agenda.as_ref().expect("just built");
    let audience = plan
        .audience
        .get_or_insert_with(|| Audience::new(&state.fair));
    // Reminders due now, and change notices for a publication not yet told.
    let marks = ReminderMarks::new(state.settings.reminders.minutes.clone());
    let mut due_now: Vec<(Notice, Option<Timestamp>)> =
        due::reminders(agenda, audience, &marks, &opted_out, now)
            .into_iter()
            .filter(|d| {
                ob.get(&d.notice.key()).is_none() && state.has_address(&d.notice.participant)
            })
            .map(|d| (d.notice, Some(d.expires_at)))
            .collect();
    if let Some(p) = prep.published().filter(|p| p.number != *told_publication) {
        let number = p.number;
        due_now.extend(
            due::changes(&prep, audience, |who, at| ob.invited_before(who, at))
                .into_iter()
                .filter(|n| ob.get(&n.key()).is_none() && state.has_address(&n.participant))
                .map(|n| (n, None)),
        );
        *told_publication = number;
    }
    if !due_now.is_empty() {
        let mut fresh = Outbox::new();
        let entries: Vec<Entry> = due_now
            .into_iter()
            .filter_map(|(n, x)| fresh.queue(n, now, x).cloned())
            .collect();
        for e in mailer.store.add(entries).await? {
            ob.put(e);
        }
    }
    // What may go now.
    let limit = state.settings.mail.concurrency * 32;
    // An invitation at a generation since revoked would carry a dead link: superseded.
    let (sending, closed) = ob.claim(now, limit, |n| match n.kind {
        NoticeKind::Invitation { generation: g } => generation(&n.participant) > g,
        _ => false,
    });
    if sending.is_empty() && closed.is_empty() {
        return Ok(());
    }
    let mut marked = sending.clone();
    marked.extend(closed);
    mailer.store.save(marked).await?;
    let gather = Gather {
        fair: &state.fair,
        prep: &prep,
        agenda,
        base_url: &state.base_url,
    };
    let sender = mailer.sender.as_ref().expect("a sender with the transport");
    let minting = Minting {
        tokens: &state.tokens,
        base_url: &state.base_url,
        now,
        expires_at: state.invite_expiry(now),
        generations: &generations,
    };
    // Rendered here, in order, so the tokens and texts are of this instant.
    let jobs: Vec<(Entry, Result<lettre::Message, String>)> = sending
        .into_iter()
        .map(|e| {
            let msg =
                render(state, &gather, &e.notice, &minting, now).and_then(|(name, addr, r)| {
                    super::compose::compose(
                        sender,
                        &name,
                        &addr,
                        &e.key,
                        state.fair.id.as_str(),
                        &r,
                        now,
                    )
                    .map_err(|x| x.to_string())
                });
            (e, msg)
        })
        .collect();
    let pace = match state.settings.mail.per_second {
        0 => None,
        n => Some(Duration::from_secs_f64(1.0 / f64::from(n))),
    };
    let sending = futures_util::stream::iter(jobs.into_iter().enumerate())
        .map(|(i, (e, msg))| async move {
            if let Some(p) = pace {
                tokio::time::sleep(p * i as u32).await;
            }
            let attempt = match msg {
                Ok(m) => super::transport::send(smtp, m).await,
                Err(why) => Attempt::Permanent(why),
            };
            (e, attempt)
        })
        .buffer_unordered(state.settings.mail.concurrency.max(1))
        .collect::<Vec<(Entry, Attempt)>>();
    // A batch can outlast the lease (a relay that hangs until each try times out): the lease
    // is renewed while it runs, or another node would take over and send what is in flight
    // a second time.
    let renew = async {
        loop {
            tokio::time::sleep(LEASE / 3).await;
            if let Err(e) = mailer.store.lease(&state.node, LEASE).await {
                tracing::warn!(error = %e.message, "mail: the lease could not be renewed mid-batch");
            }
        }
    };
    let results = tokio::select! {
        r = sending => r,
        _ = renew => unreachable!("the renewal loop never ends"),
    };
    let done = clock::now();
    let mut finished = Vec::new();
    for (e, attempt) in results {
        match &attempt {
            Attempt::Sent => tracing::info!(key = %e.key, "mail sent"),
            Attempt::Transient(why) => {
                tracing::warn!(key = %e.key, attempt = e.attempts, reason = %why, "mail: will try again")
            }
            Attempt::Permanent(why) => tracing::warn!(key = %e.key, reason = %why, "mail failed"),
        }
        if let Some(f) = ob.finish(&e.key, attempt, done, &mailer.rules) {
            finished.push(f.clone());
        }
    }
    mailer.store.save(finished).await?;
    Ok(())
}
