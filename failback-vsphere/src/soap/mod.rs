//! The vim25 SOAP layer: request envelopes, a bounded response reader, typed reads,
//! property-collector results with paging, and vSphere faults mapped once into
//! [`Fault`] and from there into [`failback_core::Error`].
//!
//! No I/O here: the HTTP client posts [`Request::finish`]'s body to `/sdk` with
//! [`CONTENT_TYPE`] and [`soap_action`], and reads the answer with
//! [`parse_http_response`].
//!
//! | file | what |
//! | --- | --- |
//! | `envelope.rs` | [`Request`], [`parse_response`], [`Response`] |
//! | `xml.rs` | [`parse_document`] within [`Limits`], [`Element`], [`Node`] (typed reads naming the path) |
//! | `types.rs` | [`ManagedObjectReference`], [`Value`] (by `xsi:type`; unknown types kept) |
//! | `fault.rs` | [`MethodFault`], [`Fault`], the mapping table into `failback_core` kinds |
//! | `task.rs` | [`TaskInfo`]: a task's state, result and fault |
//! | `property.rs` | `RetrievePropertiesEx` / `ContinueRetrievePropertiesEx`, [`RetrieveResult`] |
//! | `error.rs` | [`SoapError`] |

mod envelope;
mod error;
mod fault;
mod property;
mod task;
mod types;
mod xml;

pub use envelope::{
    parse_http_response, parse_response, soap_action, Request, Response, CONTENT_TYPE,
    SOAP_ENVELOPE_NAMESPACE, VIM25_NAMESPACE,
};
pub(crate) use error::clip;
pub use error::SoapError;
pub use fault::{Fault, FaultOrigin, MethodFault, PROVIDER};
pub use property::{
    cancel_retrieve_properties_ex, continue_retrieve_properties_ex, retrieve_properties_ex,
    DynamicProperty, MissingProperty, ObjectContent, ObjectSpec, Pages, PropertyFilterSpec,
    PropertySpec, RetrieveResult,
};
pub use task::{TaskInfo, TaskState};
pub use types::{Array, ManagedObjectReference, Object, Value};
pub use xml::{parse_document, Element, Limits, Node, MAX_DEPTH_CEILING, XSI_NAMESPACE};
