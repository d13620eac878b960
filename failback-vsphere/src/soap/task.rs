//! A task's `info` (`TaskInfo`): its state, and when it failed, its fault (the second
//! fault shape, a `LocalizedMethodFault`).

use chrono::{DateTime, Utc};

use super::error::SoapError;
use super::fault::{FaultOrigin, MethodFault};
use super::types::{ManagedObjectReference, Value};
use super::xml::Node;

/// Where a task is (`TaskInfoState`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Waiting to run.
    Queued,
    /// Running.
    Running,
    /// Done.
    Success,
    /// Failed: see [`TaskInfo::error`].
    Error,
    /// A state this client does not know.
    Other(String),
}

impl TaskState {
    fn parse(text: &str) -> TaskState {
        match text.trim() {
            "queued" => TaskState::Queued,
            "running" => TaskState::Running,
            "success" => TaskState::Success,
            "error" => TaskState::Error,
            other => TaskState::Other(super::error::clip(other, 60)),
        }
    }

    /// Whether the task ended (in success or error).
    pub fn is_done(&self) -> bool {
        matches!(self, TaskState::Success | TaskState::Error)
    }
}

/// What a task's `info` says.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    /// The task.
    pub task: Option<ManagedObjectReference>,
    /// The operation (`PowerOnVM_Task`, `VirtualMachine.powerOn` in vcsim).
    pub name: Option<String>,
    /// The object it works on.
    pub entity: Option<ManagedObjectReference>,
    /// Its state.
    pub state: TaskState,
    /// Its fault, when it failed (origin [`FaultOrigin::Task`]).
    pub error: Option<MethodFault>,
    /// Its result, when it succeeded with one (`CreateVM_Task`'s VM).
    pub result: Option<Value>,
    /// Its progress in percent, while it runs (when the server says).
    pub progress: Option<i64>,
    /// When it was queued.
    pub queue_time: Option<DateTime<Utc>>,
    /// When it ended.
    pub complete_time: Option<DateTime<Utc>>,
}

impl TaskInfo {
    /// Reads a `TaskInfo` element (the value of the property `info` of a `Task`). A
    /// missing or unreadable `state` is an error naming it; a task in state `error`
    /// without `error` gets a [`MethodFault`] of type `MethodFault`.
    pub fn from_node(info: &Node<'_>) -> Result<TaskInfo, SoapError> {
        let state = TaskState::parse(info.string("state")?);
        let error = match info.child("error") {
            Some(e) => Some(MethodFault::from_localized(&e, FaultOrigin::Task)),
            None if state == TaskState::Error => Some(MethodFault::new(
                "MethodFault",
                "the task failed without saying why",
                None,
                FaultOrigin::Task,
            )),
            None => None,
        };
        Ok(TaskInfo {
            task: info.opt_moref("task")?,
            name: info.opt_string("name").map(|s| s.trim().to_string()),
            entity: info.opt_moref("entity")?,
            state,
            error,
            result: info.child("result").map(|r| r.value()).transpose()?,
            progress: info.opt_i64("progress")?,
            queue_time: info.opt_datetime("queueTime")?,
            complete_time: info.opt_datetime("completeTime")?,
        })
    }
}
