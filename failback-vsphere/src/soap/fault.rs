//! The one place where a vSphere fault becomes a [`Fault`], and a [`Fault`] (or a broken
//! response) a [`failback_core::Error`].
//!
//! Faults come in three shapes, read by [`MethodFault::from_soap_fault`],
//! [`MethodFault::from_localized`] and [`MethodFault::from_missing`] (through
//! [`ObjectContent`](super::ObjectContent)): a SOAP `Fault` (HTTP 500) whose `detail`
//! holds the typed fault (`<NoPermissionFault xsi:type="NoPermission">`), a task's
//! `info.error` (a `LocalizedMethodFault`: `fault` + `localizedMessage`), and a
//! property collector's `missingSet[].fault` (a `LocalizedMethodFault` too). The type is
//! the `xsi:type` (by namespace URI), else the detail element's name less `Fault`.
//! Reading a fault never fails: a field missing or unreadable is `None`.
//!
//! | fault (and its subtypes read the same) | kind | status | why |
//! | --- | --- | --- | --- |
//! | `NotAuthenticated` | unauthenticated | permanent | the session expired or was logged out; the client logs in again once and retries before it gets here |
//! | `InvalidLogin` (`PasswordExpired`) | unauthenticated | permanent | the credentials are refused |
//! | `NoPermission` | permission denied | permanent | the user lacks `privilege_id` on `object` |
//! | `RestrictedVersion` | not supported | permanent | a free ESXi licence refuses writes through the API: no retry or permission helps, only another licence |
//! | `FileNotFound` | not found | permanent | the file (a disk, a VMX) is not on the datastore |
//! | `ManagedObjectNotFound` | not found | permanent | the object was deleted (ids are not reused) |
//! | `InvalidPowerState` | conflict | permanent | the VM's power state does not allow the call (a redundant power-off) |
//! | `InvalidState` (`InvalidHostState`, `InvalidVmState`, `InvalidDatastoreState`, `QuestionPending`, …) | conflict | permanent | the object's state does not allow the call |
//! | `DuplicateName` | conflict | permanent | the name is taken in the folder |
//! | `TaskInProgress` (`VAppTaskInProgress`) | not ready yet | temporary | another task holds the object; it ends without anyone acting |
//! | other: `InvalidArgument`, `InvalidRequest`, `InvalidType`, `InvalidProperty`, `InvalidName`, `InvalidDeviceSpec` | invalid input | permanent | the server refused the request's input (`InvalidDeviceSpec`: a device change names a taken unit, a missing device) |
//! | other: `NotSupported`, `NotImplemented` | not supported | permanent | |
//! | other: `HostCommunication`, `HostNotConnected`, `HostNotReachable` | unavailable | temporary | vCenter cannot reach the host for now |
//! | other: `Timedout` | timed out | temporary | |
//! | any other fault | error | permanent | kept with its type name and message |
//!
//! A task's fault keeps the kind of its type, and carries a [`JobError`] (code: the fault
//! type, message: the localized message). A broken response ([`SoapError`] other than a
//! fault) is an error of kind `other` (permanent) naming the element path, except an
//! HTTP 429 (rate limited) and 502/503/504 without a fault body (unavailable, temporary).

use std::fmt;

use failback_core::{Error, ErrorKind, JobError};

use super::error::{clip, SoapError, MAX_MESSAGE_CHARS};

/// The longest fault type name kept (a longer one is no vSphere type anyway).
const MAX_TYPE_CHARS: usize = 120;
use super::types::ManagedObjectReference;
use super::xml::{Element, Node};

/// The provider name in errors.
pub const PROVIDER: &str = "vsphere";

/// The vSphere faults failback tells apart; the rest are [`Fault::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The session is not (or no longer) logged in.
    NotAuthenticated,
    /// The user name or password is refused.
    InvalidLogin,
    /// The user lacks a privilege on an object.
    NoPermission {
        /// The object.
        object: Option<ManagedObjectReference>,
        /// The privilege missing (`Datastore.Browse`, …).
        privilege_id: Option<String>,
    },
    /// The host's licence (free ESXi) does not allow the call.
    RestrictedVersion,
    /// A file is not there.
    FileNotFound {
        /// The file (`[datastore1] vm/vm.vmdk`).
        file: Option<String>,
    },
    /// The VM's power state does not allow the call.
    InvalidPowerState {
        /// The state the call needs.
        requested_state: Option<String>,
        /// The state the VM is in.
        existing_state: Option<String>,
    },
    /// The name is taken.
    DuplicateName {
        /// The name.
        name: Option<String>,
        /// The object that has it.
        object: Option<ManagedObjectReference>,
    },
    /// The object does not exist (any more).
    ManagedObjectNotFound {
        /// The object.
        object: Option<ManagedObjectReference>,
    },
    /// Another task holds the object.
    TaskInProgress {
        /// That task.
        task: Option<ManagedObjectReference>,
    },
    /// The object's state does not allow the call (`InvalidState` or a subtype other than
    /// `InvalidPowerState`).
    InvalidState,
    /// Any other fault.
    Other {
        /// Its type (`InvalidArgument`, `SystemError`, …).
        type_name: String,
        /// The server's message.
        message: String,
    },
}

/// Where a fault came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultOrigin {
    /// A SOAP `Fault` answering the call.
    Soap {
        /// The `faultcode` (`ServerFaultCode`, `soapenv:Client`, …).
        code: String,
    },
    /// A task's `info.error`.
    Task,
    /// A property the property collector could not read (`missingSet`).
    MissingProperty {
        /// The property path.
        path: String,
    },
}

/// A vSphere fault: what it is, its wire type, the server's message and its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodFault {
    /// The fault, as failback tells them apart.
    pub fault: Fault,
    /// The most derived type on the wire (`InvalidPowerState`, `InvalidHostState`, …),
    /// kept when [`MethodFault::fault`] names its parent.
    pub type_name: String,
    /// The server's message (`faultstring`, `localizedMessage`), cut to 600 characters.
    pub message: String,
    /// The fault's shape.
    pub origin: FaultOrigin,
}

impl fmt::Display for MethodFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.type_name)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        match &self.fault {
            Fault::NoPermission {
                object,
                privilege_id: Some(p),
            } => {
                write!(f, " (privilege {p}")?;
                if let Some(o) = object {
                    write!(f, " on {o}")?;
                }
                f.write_str(")")?;
            }
            Fault::FileNotFound { file: Some(file) } => write!(f, " (file {file})")?,
            Fault::InvalidPowerState {
                requested_state,
                existing_state: Some(e),
            } => {
                write!(f, " (the VM is {e}")?;
                if let Some(r) = requested_state {
                    write!(f, ", the call needs {r}")?;
                }
                f.write_str(")")?;
            }
            Fault::DuplicateName {
                name: Some(name), ..
            } => write!(f, " (name {name})")?,
            Fault::ManagedObjectNotFound { object: Some(o) } => write!(f, " (object {o})")?,
            Fault::TaskInProgress { task: Some(t) } => write!(f, " (held by {t})")?,
            _ => {}
        }
        if let FaultOrigin::MissingProperty { path } = &self.origin {
            write!(f, " [property {path}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for MethodFault {}

/// The fault a type name stands for, with its fields read from `detail` (the typed
/// fault element, when there is one).
fn classify(type_name: &str, message: &str, detail: Option<&Node<'_>>) -> Fault {
    let moref = |name: &str| {
        let m = detail.and_then(|d| d.child(name)?.as_moref().ok())?;
        Some(ManagedObjectReference::new(
            clip(&m.mo_type, MAX_TYPE_CHARS),
            clip(&m.value, MAX_MESSAGE_CHARS),
        ))
    };
    let text = |name: &str| {
        detail
            .and_then(|d| d.opt_string(name))
            .map(|s| clip(s.trim(), MAX_MESSAGE_CHARS))
            .filter(|s| !s.is_empty())
    };
    match type_name {
        "NotAuthenticated" => Fault::NotAuthenticated,
        "InvalidLogin" | "PasswordExpired" => Fault::InvalidLogin,
        "NoPermission" => Fault::NoPermission {
            object: moref("object"),
            privilege_id: text("privilegeId"),
        },
        "RestrictedVersion" => Fault::RestrictedVersion,
        "FileNotFound" => Fault::FileNotFound { file: text("file") },
        "InvalidPowerState" => Fault::InvalidPowerState {
            requested_state: text("requestedState"),
            existing_state: text("existingState"),
        },
        "DuplicateName" => Fault::DuplicateName {
            name: text("name"),
            object: moref("object"),
        },
        "ManagedObjectNotFound" => Fault::ManagedObjectNotFound {
            object: moref("obj"),
        },
        "TaskInProgress" | "VAppTaskInProgress" => Fault::TaskInProgress {
            task: moref("task"),
        },
        "InvalidState"
        | "InvalidHostState"
        | "InvalidHostConnectionState"
        | "InvalidVmState"
        | "InvalidDatastoreState"
        | "QuestionPending"
        | "VmPowerOnDisabled"
        | "NoActiveHostInCluster"
        | "CannotPowerOffVmInCluster" => Fault::InvalidState,
        other => Fault::Other {
            type_name: other.to_string(),
            message: message.to_string(),
        },
    }
}

/// The type of a typed fault element: its `xsi:type`, else its name less `Fault`
/// (`<InvalidLoginFault>`).
fn type_of(detail: &Element) -> String {
    let t = match detail.xsi_type() {
        Some(t) if !t.is_empty() => t,
        _ => detail
            .name()
            .strip_suffix("Fault")
            .filter(|s| !s.is_empty())
            .unwrap_or(detail.name()),
    };
    clip(t, MAX_TYPE_CHARS)
}

fn message_of(text: Option<&str>) -> String {
    clip(text.unwrap_or("").trim(), MAX_MESSAGE_CHARS)
}

impl MethodFault {
    /// A fault of type `type_name` with `message`, its fields read from `detail`.
    pub fn new(
        type_name: &str,
        message: &str,
        detail: Option<&Node<'_>>,
        origin: FaultOrigin,
    ) -> MethodFault {
        let message = message_of(Some(message));
        let type_name = clip(type_name, MAX_TYPE_CHARS);
        MethodFault {
            fault: classify(&type_name, &message, detail),
            type_name,
            message,
            origin,
        }
    }

    /// Reads a SOAP `Fault` element: `faultcode`, `faultstring` and the typed fault in
    /// `detail`. Without a detail the type is the fault code's local name (`Client`,
    /// `ServerFaultCode`).
    pub fn from_soap_fault(fault: &Node<'_>) -> MethodFault {
        let code = fault
            .opt_string("faultcode")
            .unwrap_or("")
            .trim()
            .to_string();
        let message = fault.opt_string("faultstring");
        let detail = fault.child("detail").and_then(|d| d.elements().next());
        let type_name = match &detail {
            Some(d) => type_of(d.element()),
            None => code
                .rsplit_once(':')
                .map_or(code.as_str(), |(_, l)| l)
                .to_string(),
        };
        let message = message_of(message);
        MethodFault {
            fault: classify(&type_name, &message, detail.as_ref()),
            type_name,
            message,
            origin: FaultOrigin::Soap { code },
        }
    }

    /// Reads a `LocalizedMethodFault` (a task's `info.error`, an element with `fault`
    /// and `localizedMessage`). Without a `fault` child the type is
    /// `LocalizedMethodFault`'s own: [`Fault::Other`].
    pub fn from_localized(error: &Node<'_>, origin: FaultOrigin) -> MethodFault {
        let inner = error.child("fault");
        let type_name = inner
            .as_ref()
            .map(|f| type_of(f.element()))
            .filter(|t| t != "fault")
            .unwrap_or_else(|| "MethodFault".to_string());
        let message = message_of(error.opt_string("localizedMessage"));
        MethodFault {
            fault: classify(&type_name, &message, inner.as_ref()),
            type_name,
            message,
            origin,
        }
    }

    /// Reads a property collector's `missingSet` entry (`path` and a
    /// `LocalizedMethodFault` in `fault`).
    pub fn from_missing(missing: &Node<'_>) -> MethodFault {
        let path = clip(
            missing.opt_string("path").unwrap_or("").trim(),
            MAX_MESSAGE_CHARS,
        );
        match missing.child("fault") {
            Some(f) => MethodFault::from_localized(&f, FaultOrigin::MissingProperty { path }),
            None => MethodFault::new(
                "MethodFault",
                "",
                None,
                FaultOrigin::MissingProperty { path },
            ),
        }
    }

    /// The kind of failure (see the module's table).
    pub fn kind(&self) -> ErrorKind {
        match &self.fault {
            Fault::NotAuthenticated | Fault::InvalidLogin => ErrorKind::Unauthenticated,
            Fault::NoPermission { .. } => ErrorKind::PermissionDenied,
            Fault::RestrictedVersion => ErrorKind::NotSupported,
            Fault::FileNotFound { .. } | Fault::ManagedObjectNotFound { .. } => ErrorKind::NotFound,
            Fault::InvalidPowerState { .. } | Fault::InvalidState | Fault::DuplicateName { .. } => {
                ErrorKind::Conflict
            }
            Fault::TaskInProgress { .. } => ErrorKind::NotReady,
            Fault::Other { type_name, .. } => match type_name.as_str() {
                "InvalidArgument" | "InvalidRequest" | "InvalidType" | "InvalidProperty"
                | "InvalidName" | "InvalidDeviceSpec" => ErrorKind::InvalidInput,
                "NotSupported" | "NotImplemented" => ErrorKind::NotSupported,
                "HostCommunication" | "HostNotConnected" | "HostNotReachable" => {
                    ErrorKind::Unavailable
                }
                "Timedout" => ErrorKind::Timeout,
                _ => ErrorKind::Other,
            },
        }
    }

    /// Whether the session must log in again (and the call be retried once).
    pub fn is_not_authenticated(&self) -> bool {
        self.fault == Fault::NotAuthenticated
    }
}

impl From<MethodFault> for Error {
    fn from(f: MethodFault) -> Error {
        let kind = f.kind();
        let error = Error::provider(PROVIDER, kind, f.to_string());
        match f.origin {
            FaultOrigin::Task => error.with_job_error(JobError {
                code: Some(f.type_name.clone()),
                message: f.message.clone(),
                ..JobError::default()
            }),
            _ => error,
        }
    }
}

impl From<SoapError> for Error {
    fn from(e: SoapError) -> Error {
        match e {
            SoapError::Fault(f) => Error::from(*f),
            SoapError::Http { status, .. } => {
                let kind = match status {
                    429 => ErrorKind::RateLimited,
                    502..=504 => ErrorKind::Unavailable,
                    _ => ErrorKind::Other,
                };
                Error::provider(PROVIDER, kind, e.to_string())
            }
            other => Error::provider(PROVIDER, ErrorKind::Other, other.to_string()),
        }
    }
}
