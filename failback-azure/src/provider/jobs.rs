//! ASR jobs read as failback's [`JobStatus`], by `docs/asr-mapping.md` ("Jobs"): the state,
//! the error of a failed job, its start, its tasks (a recovery plan's boot groups and
//! manual actions) and the manual action a suspended job waits for; and which jobs are
//! an operation's on a target (`find_jobs`).

use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use failback_core::provider::{JobId, JobState, JobStatus, ManualActionWait, TaskKind, TaskStatus};
use failback_core::state::Operation;
use failback_core::{ErrorKind, JobError, Result};

use super::ids::{error, last_segment, same_id};
use super::index::ItemRef;
use crate::models::{self as m, ASRTask, Job, JobDetails, JobErrorDetails, TaskTypeDetails};

/// The separator of a composite job id: the member jobs of a recovery plan's reprotect
/// issued member by member (ASR job names are GUIDs, which never hold it).
pub const MEMBER_SEPARATOR: char = '+';

/// The key of `affectedObjectDetails` (of an `AsrJobDetails`) naming the provider a
/// reverse replication protects the item with: how a reprotect to on-premises is told
/// from a reprotect to Azure.
pub const REPLICATION_PROVIDER: &str = "replicationProvider";

/// A time ASR uses for "none" (`1753-01-01T01:01:01Z`, .NET's minimum SQL date) reads as
/// absent.
fn real_time(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.filter(|t| t.year() > 1900)
}

/// An ASR job or task state as failback's; `None` for a value the mapping does not list.
pub(crate) fn state_of(s: &m::JobState) -> Option<JobState> {
    Some(match s {
        m::JobState::NotStarted => JobState::NotStarted,
        m::JobState::InProgress => JobState::InProgress,
        m::JobState::Succeeded => JobState::Succeeded,
        m::JobState::Failed => JobState::Failed,
        m::JobState::Cancelled => JobState::Cancelled,
        m::JobState::Suspended => JobState::Suspended,
        m::JobState::Other(_) => return None,
    })
}

/// The job `job` as failback's status under the id `id` (the name it was asked by), with
/// `poll_after` suggested while it runs.
pub(crate) fn job_status(id: JobId, job: &Job, poll_after: Duration) -> Result<JobStatus> {
    let p = &job.properties;
    let state = match &p.state {
        Some(s) => state_of(s).ok_or_else(|| {
            error(
                ErrorKind::Other,
                format!(
                    "job {id}: its state {:?} is none of NotStarted, InProgress, Succeeded, Failed, Cancelled, Suspended",
                    s.as_str()
                ),
            )
        })?,
        None => {
            return Err(error(
                ErrorKind::Other,
                format!("job {id}: ASR gives no state (properties.state is absent)"),
            ))
        }
    };
    let tasks = flatten(&p.tasks);
    let error = matches!(state, JobState::Failed | JobState::Cancelled)
        .then(|| job_error(job, &id, state))
        .flatten();
    let manual_action = (state == JobState::Suspended)
        .then(|| manual_action(&tasks))
        .flatten();
    Ok(JobStatus {
        id,
        state,
        progress: None,
        error,
        poll_after: (!state.is_final()).then_some(poll_after),
        started_at: real_time(p.start_time),
        manual_action,
        tasks: tasks.into_iter().filter_map(|t| t.status).collect(),
    })
}

/// The error of a failed (or cancelled) job: the first of its `errors`, else the first of
/// a task's; a failed job that says nothing still gets a message saying so.
fn job_error(job: &Job, id: &JobId, state: JobState) -> Option<JobError> {
    let p = &job.properties;
    let first = p
        .errors
        .iter()
        .chain(all_tasks(&p.tasks).flat_map(|t| &t.errors))
        .find_map(error_of);
    match (first, state) {
        (Some(e), _) => Some(e),
        (None, JobState::Failed) => Some(JobError::message(format!(
            "ASR job {id} ({}) failed without an error in its errors or its tasks'",
            p.friendly_name
                .as_deref()
                .or(p.scenario_name.as_deref())
                .unwrap_or("no name")
        ))),
        (None, _) => None,
    }
}

/// One ASR error as failback's: `serviceErrorDetails` when it says anything, else
/// `providerErrorDetails`.
fn error_of(e: &JobErrorDetails) -> Option<JobError> {
    let causes = |c: &Option<String>| -> Vec<String> {
        c.as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(s) = &e.service_error_details {
        let code = text(&s.code);
        let message = text(&s.message);
        if code.is_some() || message.is_some() {
            return Some(JobError {
                message: message
                    .unwrap_or_else(|| "ASR gave an error code without a message".into()),
                code,
                possible_causes: causes(&s.possible_causes),
                recommended_action: text(&s.recommended_action),
            });
        }
    }
    let p = e.provider_error_details.as_ref()?;
    let message = text(&p.error_message);
    if message.is_none() && p.error_code.is_none() {
        return None;
    }
    Some(JobError {
        code: p.error_code.map(|c| c.to_string()),
        message: message
            .unwrap_or_else(|| "the provider gave an error code without a message".into()),
        possible_causes: causes(&p.possible_causes),
        recommended_action: text(&p.recommended_action),
    })
}

/// Every task, the child tasks of group tasks after their parent.
fn all_tasks(tasks: &[ASRTask]) -> impl Iterator<Item = &ASRTask> {
    tasks.iter().flat_map(|t| {
        std::iter::once(t).chain(
            t.group_task_custom_details
                .iter()
                .flat_map(|g| &g.child_tasks),
        )
    })
}

/// The boot group a task name shows: `Group N`, alone or before `:` and more (`Group 2:
/// Start`, `Group 2: Confirm the database`), case-insensitive, N from 1.
pub(crate) fn group_of_name(name: &str) -> Option<u32> {
    let s = name.trim();
    let head = s.get(..5)?;
    if !head.eq_ignore_ascii_case("group") {
        return None;
    }
    let rest = s.get(5..)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest.get(digits.len()..)?.trim_start();
    if !(after.is_empty() || after.starts_with(':')) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

fn named_group(t: &ASRTask) -> Option<u32> {
    t.name
        .as_deref()
        .and_then(group_of_name)
        .or_else(|| t.friendly_name.as_deref().and_then(group_of_name))
}

/// A task read: its status (when its state is one of the mapping's) and, for a manual
/// action, what it asks.
struct Read {
    status: Option<TaskStatus>,
    manual: Option<(String, Option<String>, u32, Option<JobState>)>,
}

/// The tasks in order, each with its boot group: a group task's (`Group N`), a manual
/// action's own `Group N` prefix, else its parent group task's, else the group of the
/// nearest group task before it, else after it, else 1.
fn flatten(tasks: &[ASRTask]) -> Vec<Read> {
    // (task, group named or inherited)
    let mut list: Vec<(&ASRTask, Option<u32>)> = Vec::new();
    for t in tasks {
        let g = named_group(t);
        list.push((t, g));
        for c in t
            .group_task_custom_details
            .iter()
            .flat_map(|d| &d.child_tasks)
        {
            if matches!(
                c.custom_details,
                Some(TaskTypeDetails::ManualActionTaskDetails(_))
            ) {
                list.push((c, named_group(c).or(g)));
            }
        }
    }
    let is_group = |t: &ASRTask| {
        !matches!(
            t.custom_details,
            Some(TaskTypeDetails::ManualActionTaskDetails(_))
        ) && named_group(t).is_some()
    };
    let mut out = Vec::with_capacity(list.len());
    for (k, (t, g)) in list.iter().enumerate() {
        let state = t.state.as_ref().and_then(state_of);
        let times = (real_time(t.start_time), real_time(t.end_time));
        if let Some(TaskTypeDetails::ManualActionTaskDetails(d)) = &t.custom_details {
            let group = g
                .or_else(|| {
                    list[..k]
                        .iter()
                        .rev()
                        .find(|(x, _)| is_group(x))
                        .and_then(|(_, g)| *g)
                })
                .or_else(|| {
                    list[k + 1..]
                        .iter()
                        .find(|(x, _)| is_group(x))
                        .and_then(|(_, g)| *g)
                })
                .unwrap_or(1);
            let name = d
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| t.name.clone())
                .or_else(|| t.friendly_name.clone())
                .unwrap_or_default();
            out.push(Read {
                status: state.map(|s| TaskStatus {
                    kind: TaskKind::ManualAction,
                    name: name.clone(),
                    group: Some(group),
                    items: Vec::new(),
                    state: s,
                    started_at: times.0,
                    finished_at: times.1,
                }),
                manual: Some((name, d.instructions.clone(), group, state)),
            });
            continue;
        }
        let (kind, name, items) = match g {
            Some(n) if is_group(t) => (
                TaskKind::GroupFailover,
                format!("Group {n}"),
                t.group_task_custom_details
                    .iter()
                    .flat_map(|d| &d.child_tasks)
                    .filter_map(child_item)
                    .collect(),
            ),
            _ => (
                TaskKind::Other,
                t.friendly_name
                    .clone()
                    .or_else(|| t.name.clone())
                    .or_else(|| t.task_id.clone())
                    .unwrap_or_default(),
                Vec::new(),
            ),
        };
        out.push(Read {
            status: state.map(|s| TaskStatus {
                kind,
                name,
                group: *g,
                items,
                state: s,
                started_at: times.0,
                finished_at: times.1,
            }),
            manual: None,
        });
    }
    out
}

/// The item a group task's child task concerns: the RPI its job entity targets, else the
/// child task's name.
fn child_item(c: &ASRTask) -> Option<String> {
    if let Some(TaskTypeDetails::JobTaskDetails(d)) = &c.custom_details {
        if let Some(id) = d
            .job_task
            .as_ref()
            .and_then(|e| e.target_object_id.as_deref())
        {
            if id
                .to_ascii_lowercase()
                .contains("/replicationprotecteditems/")
            {
                return Some(last_segment(id).to_string());
            }
        }
    }
    c.name.clone().filter(|n| !n.is_empty()).or_else(|| {
        c.custom_details.as_ref().and_then(|d| match d {
            TaskTypeDetails::JobTaskDetails(d) => d
                .job_task
                .as_ref()
                .and_then(|e| e.target_object_name.clone()),
            _ => None,
        })
    })
}

/// The manual action a suspended job waits for: its suspended manual-action task.
fn manual_action(tasks: &[Read]) -> Option<ManualActionWait> {
    tasks.iter().find_map(|r| match &r.manual {
        Some((name, instructions, group, Some(JobState::Suspended))) => Some(ManualActionWait {
            name: name.clone(),
            instructions: instructions.clone(),
            group: *group,
        }),
        _ => None,
    })
}

/// The job `scenarioName`s of `op`.
pub(crate) fn scenarios(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::Reprotect | Operation::ReprotectToAzure => &["ReverseReplication"],
        Operation::Failover => &["UnplannedFailover", "PlannedFailover"],
        Operation::Commit => &["CommitFailover"],
        Operation::CancelFailover => &["CancelFailover"],
    }
}

/// Whether the reverse replication `job` is (or may be) of `op`: a job naming the
/// provider it protects with (`affectedObjectDetails.replicationProvider`) is a
/// reprotect to on-premises for `InMage`/`InMageRcmFailback`, to Azure for
/// `InMageAzureV2`/`InMageRcm`; one that does not name it may be either.
fn direction_fits(job: &Job, op: Operation) -> bool {
    let provider = match &job.properties.custom_details {
        Some(JobDetails::AsrJobDetails(d)) => d.affected_object_details.get(REPLICATION_PROVIDER),
        Some(JobDetails::FailoverJobDetails(d)) => {
            d.affected_object_details.get(REPLICATION_PROVIDER)
        }
        _ => None,
    };
    let toward_onprem = match provider.map(String::as_str) {
        Some("InMage" | "InMageRcmFailback") => true,
        Some("InMageAzureV2" | "InMageRcm") => false,
        _ => return true,
    };
    match op {
        Operation::Reprotect => toward_onprem,
        Operation::ReprotectToAzure => !toward_onprem,
        _ => true,
    }
}

/// What a job's target must be to be `target`'s.
pub(crate) enum TargetKey<'a> {
    /// An item's RPI.
    Item(&'a ItemRef),
    /// A recovery plan, by name and ARM path.
    Plan { name: &'a str, arm_id: &'a str },
}

/// Whether `job` is one of `op` on the target: its `targetObjectId` is the target's ARM id
/// (an ARM-shaped id decides alone), else it or its `targetObjectName` is the target's
/// name (an item's friendly name too); its scenario is the operation's; a reverse
/// replication's direction fits.
pub(crate) fn is_job_of(job: &Job, target: &TargetKey<'_>, op: Operation) -> bool {
    let p = &job.properties;
    let scenario_ok = p
        .scenario_name
        .as_deref()
        .is_some_and(|s| scenarios(op).iter().any(|x| x.eq_ignore_ascii_case(s)));
    if !scenario_ok || !direction_fits(job, op) {
        return false;
    }
    let kind = p.target_instance_type.as_deref();
    let id = p.target_object_id.as_deref();
    let name = p.target_object_name.as_deref();
    match target {
        TargetKey::Item(r) => {
            if kind.is_some_and(|k| k.eq_ignore_ascii_case("RecoveryPlan")) {
                return false;
            }
            match id {
                Some(i) if i.starts_with('/') => same_id(i, &r.arm_id),
                _ => {
                    id == Some(r.name.as_str())
                        || name
                            .is_some_and(|n| n == r.name || Some(n) == r.friendly_name.as_deref())
                }
            }
        }
        TargetKey::Plan { name: plan, arm_id } => {
            if kind.is_some_and(|k| !k.eq_ignore_ascii_case("RecoveryPlan")) {
                return false;
            }
            match id {
                Some(i) if i.starts_with('/') => same_id(i, arm_id),
                _ => id == Some(*plan) || name == Some(*plan),
            }
        }
    }
}

/// A composite status of the member jobs of a reprotect issued member by member: running
/// while any runs, then failed if any failed, cancelled if any was, else succeeded; the
/// first failed member's error, the earliest start, the soonest poll, every task.
pub(crate) fn combine(id: JobId, members: Vec<JobStatus>) -> JobStatus {
    let running = members.iter().any(|s| !s.state.is_final());
    let state = if running {
        if members.iter().any(|s| s.state == JobState::Suspended) {
            JobState::Suspended
        } else if members.iter().all(|s| s.state == JobState::NotStarted) {
            JobState::NotStarted
        } else {
            JobState::InProgress
        }
    } else if members.iter().any(|s| s.state == JobState::Failed) {
        JobState::Failed
    } else if members.iter().any(|s| s.state == JobState::Cancelled) {
        JobState::Cancelled
    } else {
        JobState::Succeeded
    };
    let error = members
        .iter()
        .filter(|s| matches!(s.state, JobState::Failed | JobState::Cancelled))
        .find_map(|s| {
            s.error.clone().map(|mut e| {
                e.message = format!("member job {}: {}", s.id, e.message);
                e
            })
        });
    JobStatus {
        id,
        state,
        progress: None,
        error,
        poll_after: if state.is_final() {
            None
        } else {
            members.iter().filter_map(|s| s.poll_after).min()
        },
        started_at: members.iter().filter_map(|s| s.started_at).min(),
        manual_action: members.iter().find_map(|s| s.manual_action.clone()),
        tasks: members.into_iter().flat_map(|s| s.tasks).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_read_as_their_number() {
        assert_eq!(group_of_name("Group 2"), Some(2));
        assert_eq!(group_of_name("group 3: Confirm the database"), Some(3));
        assert_eq!(group_of_name("Group 12:Start"), Some(12));
        assert_eq!(group_of_name("Group 0"), None);
        assert_eq!(group_of_name("Groupie 1"), None);
        assert_eq!(group_of_name("Group 1 things"), None);
        assert_eq!(group_of_name("Shutdown"), None);
    }
}
