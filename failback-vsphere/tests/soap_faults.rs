//! The three shapes of vSphere fault, as vcsim 0.24.2 writes them (recorded under
//! `tests/fixtures/vcsim/`) and as vCenter and ESXi write them (literal envelopes), each
//! mapped once into a `Fault` and from there into a `failback_core::Error` kind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_core::{ErrorKind, ErrorStatus};
use failback_vsphere::soap::{
    parse_http_response, parse_response, Fault, FaultOrigin, Limits, ManagedObjectReference,
    MethodFault, Node, RetrieveResult, SoapError,
};

fn moref(t: &str, v: &str) -> Option<ManagedObjectReference> {
    Some(ManagedObjectReference::new(t, v))
}

/// The SOAP fault answering `method` (the body is an HTTP 500's).
fn soap_fault(body: &str, method: &str) -> MethodFault {
    match parse_http_response(500, body.as_bytes(), method, &Limits::default()) {
        Err(SoapError::Fault(f)) => *f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// A vCenter SOAP fault envelope around `fault` (its `faultstring` and `detail`).
fn vcenter_fault(faultstring: &str, detail: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
 xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>{faultstring}</faultstring><detail>{detail}</detail></soapenv:Fault>
</soapenv:Body>
</soapenv:Envelope>"#
    )
}

fn core(f: MethodFault) -> failback_core::Error {
    failback_core::Error::from(f)
}

// --- shape 1: SOAP Fault with a typed detail ---------------------------------------

#[test]
fn vcsim_invalid_login_is_unauthenticated() {
    let f = soap_fault(
        include_str!("fixtures/vcsim/login_invalid_login.xml"),
        "Login",
    );
    assert_eq!(f.fault, Fault::InvalidLogin);
    assert_eq!(f.type_name, "InvalidLogin");
    assert_eq!(f.message, "Login failure");
    assert_eq!(
        f.origin,
        FaultOrigin::Soap {
            code: "ServerFaultCode".into()
        }
    );
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::Unauthenticated));
    assert_eq!(e.status(), ErrorStatus::Permanent);
    assert_eq!(
        e.to_string(),
        "vsphere: unauthenticated: InvalidLogin: Login failure"
    );
}

#[test]
fn vcenter_invalid_login() {
    let body = vcenter_fault(
        "Cannot complete login due to an incorrect user name or password.",
        r#"<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>"#,
    );
    let f = soap_fault(&body, "Login");
    assert_eq!(f.fault, Fault::InvalidLogin);
    assert_eq!(
        f.message,
        "Cannot complete login due to an incorrect user name or password."
    );
}

#[test]
fn vcsim_not_authenticated_asks_for_a_new_login() {
    let f = soap_fault(
        include_str!("fixtures/vcsim/create_container_view_not_authenticated.xml"),
        "CreateContainerView",
    );
    assert_eq!(f.fault, Fault::NotAuthenticated);
    assert!(f.is_not_authenticated());
    assert_eq!(f.message, "");
    assert_eq!(core(f).kind(), Some(ErrorKind::Unauthenticated));
}

#[test]
fn vcenter_not_authenticated() {
    let body = vcenter_fault(
        "The session is not authenticated.",
        r#"<NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="SessionManager">SessionManager</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault>"#,
    );
    let f = soap_fault(&body, "RetrievePropertiesEx");
    assert!(f.is_not_authenticated());
    assert_eq!(
        f.to_string(),
        "NotAuthenticated: The session is not authenticated."
    );
}

#[test]
fn vcenter_no_permission_names_the_object_and_the_privilege() {
    let body = vcenter_fault(
        "Permission to perform this operation was denied.",
        r#"<NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object type="Datastore">datastore-11</object><privilegeId>Datastore.AllocateSpace</privilegeId><missingPrivileges><entity type="Datastore">datastore-11</entity><privileges>Datastore.AllocateSpace</privileges></missingPrivileges></NoPermissionFault>"#,
    );
    let f = soap_fault(&body, "ReconfigVM_Task");
    assert_eq!(
        f.fault,
        Fault::NoPermission {
            object: moref("Datastore", "datastore-11"),
            privilege_id: Some("Datastore.AllocateSpace".into()),
        }
    );
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::PermissionDenied));
    assert_eq!(
        e.to_string(),
        "vsphere: permission denied: NoPermission: Permission to perform this operation was denied. (privilege Datastore.AllocateSpace on Datastore:datastore-11)"
    );
}

#[test]
fn free_esxi_restricted_version_is_not_supported() {
    let body = vcenter_fault(
        "Current license or ESXi version prohibits execution of the requested operation.",
        r#"<RestrictedVersionFault xmlns="urn:vim25" xsi:type="RestrictedVersion"></RestrictedVersionFault>"#,
    );
    let f = soap_fault(&body, "ReconfigVM_Task");
    assert_eq!(f.fault, Fault::RestrictedVersion);
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::NotSupported));
    assert_eq!(e.status(), ErrorStatus::Permanent);
}

#[test]
fn vcsim_managed_object_not_found() {
    let f = soap_fault(
        include_str!("fixtures/vcsim/power_on_managed_object_not_found.xml"),
        "PowerOnVM_Task",
    );
    assert_eq!(
        f.fault,
        Fault::ManagedObjectNotFound {
            object: moref("VirtualMachine", "vm-999")
        }
    );
    assert_eq!(core(f).kind(), Some(ErrorKind::NotFound));
}

#[test]
fn vcsim_duplicate_name_is_a_conflict() {
    let f = soap_fault(
        include_str!("fixtures/vcsim/create_folder_duplicate_name.xml"),
        "CreateFolder",
    );
    assert_eq!(
        f.fault,
        Fault::DuplicateName {
            name: Some("failback".into()),
            object: moref("Folder", "group-d1"),
        }
    );
    assert_eq!(f.to_string(), "DuplicateName (name failback)");
    assert_eq!(core(f).kind(), Some(ErrorKind::Conflict));
}

#[test]
fn vcenter_task_in_progress_is_temporary() {
    let body = vcenter_fault(
        "Another task is already in progress.",
        r#"<TaskInProgressFault xmlns="urn:vim25" xsi:type="TaskInProgress"><task type="Task">task-1234</task></TaskInProgressFault>"#,
    );
    let f = soap_fault(&body, "PowerOffVM_Task");
    assert_eq!(
        f.fault,
        Fault::TaskInProgress {
            task: moref("Task", "task-1234")
        }
    );
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::NotReady));
    assert_eq!(e.status(), ErrorStatus::Temporary);
}

#[test]
fn invalid_state_and_its_subtypes_keep_the_wire_type() {
    let body = vcenter_fault(
        "The operation is not allowed in the current state.",
        r#"<InvalidStateFault xmlns="urn:vim25" xsi:type="InvalidState"></InvalidStateFault>"#,
    );
    let f = soap_fault(&body, "RelocateVM_Task");
    assert_eq!(f.fault, Fault::InvalidState);
    assert_eq!(core(f).kind(), Some(ErrorKind::Conflict));
    let body = vcenter_fault(
        "The operation is not allowed in the current connection state of the host.",
        r#"<InvalidHostConnectionStateFault xmlns="urn:vim25" xsi:type="InvalidHostConnectionState"><host type="HostSystem">host-21</host></InvalidHostConnectionStateFault>"#,
    );
    let f = soap_fault(&body, "RelocateVM_Task");
    assert_eq!(f.fault, Fault::InvalidState);
    assert_eq!(f.type_name, "InvalidHostConnectionState");
}

#[test]
fn vcenter_invalid_power_state_from_a_soap_fault() {
    let body = vcenter_fault(
        "The attempted operation cannot be performed in the current state (Powered on).",
        r#"<InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOff</requestedState><existingState>poweredOn</existingState></InvalidPowerStateFault>"#,
    );
    let f = soap_fault(&body, "ReconfigVM_Task");
    assert_eq!(
        f.fault,
        Fault::InvalidPowerState {
            requested_state: Some("poweredOff".into()),
            existing_state: Some("poweredOn".into()),
        }
    );
    assert!(f
        .to_string()
        .ends_with("(the VM is poweredOn, the call needs poweredOff)"));
}

#[test]
fn other_faults_keep_type_and_message_and_some_have_a_closer_kind() {
    let body = vcenter_fault(
        "A specified parameter was not correct: spec.deviceChange.device.key",
        r#"<InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>spec.deviceChange.device.key</invalidProperty></InvalidArgumentFault>"#,
    );
    let f = soap_fault(&body, "ReconfigVM_Task");
    assert_eq!(
        f.fault,
        Fault::Other {
            type_name: "InvalidArgument".into(),
            message: "A specified parameter was not correct: spec.deviceChange.device.key".into()
        }
    );
    assert_eq!(core(f).kind(), Some(ErrorKind::InvalidInput));

    let body = vcenter_fault(
        "A general system error occurred: vix error codes = (1, 0).",
        r#"<SystemErrorFault xmlns="urn:vim25" xsi:type="SystemError"><reason>vix error codes = (1, 0).</reason></SystemErrorFault>"#,
    );
    let f = soap_fault(&body, "PowerOnVM_Task");
    assert!(matches!(&f.fault, Fault::Other { type_name, .. } if type_name == "SystemError"));
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::Other));
    assert_eq!(e.status(), ErrorStatus::Permanent);

    // A fault type this client has never heard of.
    let body = vcenter_fault(
        "Something new.",
        r#"<VsanFutureFault2031Fault xmlns="urn:vim25" xsi:type="VsanFutureFault2031"><whatever><nested>1</nested></whatever></VsanFutureFault2031Fault>"#,
    );
    let f = soap_fault(&body, "Whatever");
    assert_eq!(f.type_name, "VsanFutureFault2031");
    assert_eq!(core(f).kind(), Some(ErrorKind::Other));

    let body = vcenter_fault(
        "Unable to communicate with the remote host, since it is disconnected.",
        r#"<HostNotConnectedFault xmlns="urn:vim25" xsi:type="HostNotConnected"></HostNotConnectedFault>"#,
    );
    let e = core(soap_fault(&body, "PowerOnVM_Task"));
    assert_eq!(e.kind(), Some(ErrorKind::Unavailable));
    assert!(e.is_retryable());
}

#[test]
fn a_detail_without_xsi_type_is_named_by_its_element_and_a_fault_without_detail_by_its_code() {
    let body = vcenter_fault("Login failure", r#"<InvalidLoginFault xmlns="urn:vim25"/>"#);
    assert_eq!(soap_fault(&body, "Login").fault, Fault::InvalidLogin);

    let body = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>Unable to parse the request body</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let f = soap_fault(body, "Login");
    assert_eq!(f.type_name, "Client");
    assert_eq!(
        f.origin,
        FaultOrigin::Soap {
            code: "soapenv:Client".into()
        }
    );
    assert!(matches!(f.fault, Fault::Other { .. }));
}

#[test]
fn a_fault_is_read_whatever_the_prefixes() {
    // Another envelope prefix, the vim25 and XSI namespaces under prefixes of their own,
    // the type's value prefixed too.
    let body = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault><faultcode>S:Server</faultcode><faultstring>Permission to perform this operation was denied.</faultstring><detail><vim:NoPermissionFault xmlns:vim="urn:vim25" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="vim:NoPermission"><vim:object type="Folder">group-d1</vim:object><vim:privilegeId>System.View</vim:privilegeId></vim:NoPermissionFault></detail></S:Fault></S:Body></S:Envelope>"#;
    let f = soap_fault(body, "RetrievePropertiesEx");
    assert_eq!(
        f.fault,
        Fault::NoPermission {
            object: moref("Folder", "group-d1"),
            privilege_id: Some("System.View".into())
        }
    );
}

#[test]
fn a_fault_answers_whatever_the_http_status() {
    // Some proxies turn a 500 into a 200: a fault in the body is a fault.
    let body = include_str!("fixtures/vcsim/login_invalid_login.xml");
    let err = parse_response(body.as_bytes(), "Login", &Limits::default()).unwrap_err();
    assert_eq!(err.fault().unwrap().fault, Fault::InvalidLogin);
}

// --- shape 2: a task's LocalizedMethodFault -----------------------------------------

fn first_object(body: &str) -> failback_vsphere::soap::ObjectContent {
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    RetrieveResult::from_response(r)
        .unwrap()
        .objects
        .into_iter()
        .next()
        .unwrap()
}

#[test]
fn vcsim_task_info_error_is_a_localized_method_fault() {
    let obj = first_object(include_str!(
        "fixtures/vcsim/retrieve_task_info_invalid_power_state.xml"
    ));
    let info = obj.get("info").unwrap().as_object().unwrap();
    assert_eq!(info.type_name, "TaskInfo");
    let node = info.node();
    assert_eq!(node.string("state").unwrap(), "error");
    assert_eq!(
        node.moref("entity").unwrap(),
        ManagedObjectReference::new("VirtualMachine", "vm-57")
    );
    assert!(node.datetime("completeTime").is_ok());
    // The fault's `XMLSchema-instance:` prefix is declared on an ancestor (`val`).
    let f = MethodFault::from_localized(&node.require("error").unwrap(), FaultOrigin::Task);
    assert_eq!(
        f.fault,
        Fault::InvalidPowerState {
            requested_state: Some("poweredOff".into()),
            existing_state: Some("poweredOff".into()),
        }
    );
    assert_eq!(f.message, "*types.InvalidPowerState");
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::Conflict));
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("InvalidPowerState"));
}

#[test]
fn vcsim_task_error_read_directly_as_a_property() {
    let obj = first_object(include_str!(
        "fixtures/vcsim/retrieve_task_error_file_not_found.xml"
    ));
    let error = obj.get("info.error").unwrap().as_object().unwrap();
    assert_eq!(error.type_name, "LocalizedMethodFault");
    let f = MethodFault::from_localized(&error.node(), FaultOrigin::Task);
    assert_eq!(
        f.fault,
        Fault::FileNotFound {
            file: Some("/tmp/govcsim-DC0-LocalDS_0-2783740492/nope/nope.vmdk".into())
        }
    );
    assert_eq!(core(f).kind(), Some(ErrorKind::NotFound));
}

#[test]
fn vcenter_task_error() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Task">task-8841</obj><propSet><name>info</name><val xsi:type="TaskInfo"><key>task-8841</key><task type="Task">task-8841</task><name>PowerOnVM_Task</name><descriptionId>VirtualMachine.powerOn</descriptionId><entity type="VirtualMachine">vm-42</entity><entityName>web-01</entityName><state>error</state><cancelled>false</cancelled><cancelable>false</cancelable><error><fault xsi:type="FileNotFound"><file>[ds-prod-01] web-01/web-01.vmdk</file></fault><localizedMessage>File [ds-prod-01] web-01/web-01.vmdk was not found</localizedMessage></error><reason xsi:type="TaskReasonUser"><userName>VSPHERE.LOCAL\failback</userName></reason><queueTime>2026-05-01T08:00:00.123Z</queueTime><startTime>2026-05-01T08:00:00.130Z</startTime><completeTime>2026-05-01T08:00:01.902Z</completeTime><eventChainId>99120</eventChainId><activationId>a9</activationId></val></propSet></objects></returnval></RetrievePropertiesExResponse>
</soapenv:Body>
</soapenv:Envelope>"#;
    let obj = first_object(body);
    let info = obj.get("info").unwrap().as_object().unwrap().node();
    let f = MethodFault::from_localized(&info.require("error").unwrap(), FaultOrigin::Task);
    assert_eq!(
        f.to_string(),
        "FileNotFound: File [ds-prod-01] web-01/web-01.vmdk was not found (file [ds-prod-01] web-01/web-01.vmdk)"
    );
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::NotFound));
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(
        job.message,
        "File [ds-prod-01] web-01/web-01.vmdk was not found"
    );
}

#[test]
fn vcenter_invalid_device_spec_of_a_reconfigure_is_invalid_input() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Task">task-9102</obj><propSet><name>info</name><val xsi:type="TaskInfo"><key>task-9102</key><task type="Task">task-9102</task><name>ReconfigVM_Task</name><descriptionId>VirtualMachine.reconfigure</descriptionId><entity type="VirtualMachine">vm-77</entity><entityName>mt-01</entityName><state>error</state><cancelled>false</cancelled><cancelable>false</cancelable><error><fault xsi:type="InvalidDeviceSpec"><property>virtualDeviceSpec.device.key</property><deviceIndex>0</deviceIndex></fault><localizedMessage>Invalid configuration for device '0'.</localizedMessage></error><queueTime>2026-05-01T08:10:00.000Z</queueTime><completeTime>2026-05-01T08:10:00.410Z</completeTime></val></propSet></objects></returnval></RetrievePropertiesExResponse>
</soapenv:Body>
</soapenv:Envelope>"#;
    let obj = first_object(body);
    let info = obj.get("info").unwrap().as_object().unwrap().node();
    let f = MethodFault::from_localized(&info.require("error").unwrap(), FaultOrigin::Task);
    assert_eq!(f.type_name, "InvalidDeviceSpec");
    let e = core(f);
    assert_eq!(e.kind(), Some(ErrorKind::InvalidInput), "{e}");
    let job = e.provider_error().unwrap().job_error.clone().unwrap();
    assert_eq!(job.code.as_deref(), Some("InvalidDeviceSpec"));
    assert_eq!(job.message, "Invalid configuration for device '0'.");
}

#[test]
fn a_localized_fault_without_its_fault_is_still_a_fault() {
    let doc = failback_vsphere::soap::parse_document(
        b"<error><localizedMessage>odd</localizedMessage></error>",
        &Limits::default(),
    )
    .unwrap();
    let f = MethodFault::from_localized(&Node::new(&doc, "error"), FaultOrigin::Task);
    assert_eq!(f.type_name, "MethodFault");
    assert_eq!(f.message, "odd");
}

// --- shape 3: property collector missingSet[].fault --------------------------------

#[test]
fn vcsim_missing_set_without_a_session() {
    let obj = first_object(include_str!(
        "fixtures/vcsim/retrieve_missing_not_authenticated.xml"
    ));
    assert!(obj.props.is_empty());
    assert_eq!(obj.missing.len(), 2);
    let f = obj.missing("childEntity").unwrap();
    assert!(f.is_not_authenticated());
    assert_eq!(
        f.origin,
        FaultOrigin::MissingProperty {
            path: "childEntity".into()
        }
    );
    assert_eq!(f.to_string(), "NotAuthenticated [property childEntity]");
}

#[test]
fn vcsim_missing_set_for_an_unknown_property() {
    let obj = first_object(include_str!("fixtures/vcsim/retrieve_vms.xml"));
    let f = obj.missing("noSuchProperty").unwrap();
    assert!(matches!(&f.fault, Fault::Other { type_name, .. } if type_name == "InvalidProperty"));
    assert_eq!(core(f.clone()).kind(), Some(ErrorKind::InvalidInput));
}

#[test]
fn vcenter_missing_set_no_permission() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-42</obj><propSet><name>name</name><val xsi:type="xsd:string">web-01</val></propSet><missingSet><path>config.extraConfig</path><fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-42</object><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet></objects></returnval></RetrievePropertiesExResponse>
</soapenv:Body>
</soapenv:Envelope>"#;
    let obj = first_object(body);
    assert_eq!(obj.get("name").unwrap().as_str(), Some("web-01"));
    let f = obj.missing("config.extraConfig").unwrap();
    assert_eq!(
        f.fault,
        Fault::NoPermission {
            object: moref("VirtualMachine", "vm-42"),
            privilege_id: Some("System.Read".into())
        }
    );
    assert_eq!(core(f.clone()).kind(), Some(ErrorKind::PermissionDenied));
}

// --- responses that are no fault ----------------------------------------------------

#[test]
fn an_http_error_without_a_fault_is_an_http_error() {
    let html = format!(
        "<html><body>503 Service Unavailable{}</body></html>",
        " ".repeat(3000)
    );
    let err = parse_http_response(503, html.as_bytes(), "Login", &Limits::default()).unwrap_err();
    assert!(
        matches!(err, SoapError::Http { status: 503, .. }),
        "{err:?}"
    );
    let e = failback_core::Error::from(err);
    assert_eq!(e.kind(), Some(ErrorKind::Unavailable));
    assert!(e.is_retryable());
    assert!(e.to_string().len() < 400, "{e}");
    let err = parse_http_response(404, b"", "Login", &Limits::default()).unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert_eq!(
        failback_core::Error::from(err).kind(),
        Some(ErrorKind::Other)
    );
}

#[test]
fn a_broken_response_is_an_error_of_kind_other_naming_where() {
    let err = parse_response(
        b"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><LoginResponse><returnval>",
        "Login",
        &Limits::default(),
    )
    .unwrap_err();
    let e = failback_core::Error::from(err);
    assert_eq!(e.kind(), Some(ErrorKind::Other));
    assert!(
        e.to_string()
            .contains("in `Envelope.Body.LoginResponse.returnval`"),
        "{e}"
    );
}

#[test]
fn a_task_info_gives_its_state_and_its_fault() {
    use failback_vsphere::soap::{TaskInfo, TaskState};
    let obj = first_object(include_str!(
        "fixtures/vcsim/retrieve_task_info_invalid_power_state.xml"
    ));
    let info = obj.get("info").unwrap().as_object().unwrap();
    let task = TaskInfo::from_node(&info.node()).unwrap();
    assert_eq!(task.state, TaskState::Error);
    assert!(task.state.is_done());
    assert_eq!(task.entity, moref("VirtualMachine", "vm-57"));
    assert_eq!(task.task, moref("Task", "task-69"));
    let f = task.error.unwrap();
    assert!(matches!(f.fault, Fault::InvalidPowerState { .. }));
    assert_eq!(f.origin, FaultOrigin::Task);
    assert!(task.complete_time.is_some());

    // A successful CreateVM_Task gives its VM; a running one its progress.
    let doc = failback_vsphere::soap::parse_document(
        br#"<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TaskInfo"><key>task-90</key><task type="Task">task-90</task><state>success</state><result xsi:type="ManagedObjectReference" type="VirtualMachine">vm-91</result></val>"#,
        &Limits::default(),
    )
    .unwrap();
    let task = TaskInfo::from_node(&Node::new(&doc, "val")).unwrap();
    assert_eq!(task.state, TaskState::Success);
    assert_eq!(
        task.result.unwrap().as_moref(),
        moref("VirtualMachine", "vm-91").as_ref()
    );
    let doc = failback_vsphere::soap::parse_document(
        b"<val><state>running</state><progress>40</progress></val>",
        &Limits::default(),
    )
    .unwrap();
    let task = TaskInfo::from_node(&Node::new(&doc, "val")).unwrap();
    assert_eq!((task.state.is_done(), task.progress), (false, Some(40)));
    // An error state without its error still gives a fault; no state is an error.
    let doc = failback_vsphere::soap::parse_document(
        b"<val><state>error</state></val>",
        &Limits::default(),
    )
    .unwrap();
    assert!(TaskInfo::from_node(&Node::new(&doc, "val"))
        .unwrap()
        .error
        .is_some());
    let doc = failback_vsphere::soap::parse_document(b"<val/>", &Limits::default()).unwrap();
    assert!(TaskInfo::from_node(&Node::new(&doc, "val")).is_err());
}
