//! Property-collector paging with a token. vcsim ignores `maxObjects` and never pages,
//! so the pages are literal responses in vCenter's shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_vsphere::soap::{
    cancel_retrieve_properties_ex, parse_document, parse_response, Limits, ManagedObjectReference,
    Node, ObjectContent, ObjectSpec, Pages, PropertyFilterSpec, PropertySpec, RetrieveResult,
    SoapError, Value,
};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
"#;
const TAIL: &str = "\n</soapenv:Body>\n</soapenv:Envelope>";

/// A VM's `ObjectContent` as vCenter writes it.
fn vm(n: usize) -> String {
    format!(
        r#"<objects><obj type="VirtualMachine">vm-{n}</obj><propSet><name>config.extraConfig</name><val xsi:type="ArrayOfOptionValue"><OptionValue xsi:type="OptionValue"><key>disk.EnableUUID</key><value xsi:type="xsd:string">FALSE</value></OptionValue><OptionValue xsi:type="OptionValue"><key>disk.EnableUUID</key><value xsi:type="xsd:string">TRUE</value></OptionValue></val></propSet><propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">datastore-11</ManagedObjectReference></val></propSet><propSet><name>name</name><val xsi:type="xsd:string">web-{n:02}</val></propSet><propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOff</val></propSet></objects>"#
    )
}

fn page(method: &str, token: Option<&str>, vms: std::ops::Range<usize>) -> String {
    let token = token.map_or(String::new(), |t| format!("<token>{t}</token>"));
    let objects: String = vms.map(vm).collect();
    format!(
        r#"{HEAD}<{method}Response xmlns="urn:vim25"><returnval>{token}{objects}</returnval></{method}Response>{TAIL}"#
    )
}

fn collector() -> ManagedObjectReference {
    ManagedObjectReference::new("PropertyCollector", "propertyCollector")
}

fn spec() -> PropertyFilterSpec {
    PropertyFilterSpec::new(
        vec![PropertySpec::new(
            "VirtualMachine",
            [
                "name",
                "runtime.powerState",
                "config.extraConfig",
                "datastore",
            ],
        )],
        vec![ObjectSpec::container_view(ManagedObjectReference::new(
            "ContainerView",
            "session[52b30f7c-2f1e-4bb0-9b1e-0b6e1bb4c4d1]52f1e0b2-9d8b-55a2-1a2a-4b5b5c6d7e8f",
        ))],
    )
}

/// The last `extraConfig` value of `key` (a key may repeat: the last wins).
fn extra_config(obj: &ObjectContent, key: &str) -> Option<String> {
    let items = obj.get("config.extraConfig")?.as_array()?;
    items
        .iter()
        .filter_map(Value::as_object)
        .filter(|o| o.node().opt_string("key") == Some(key))
        .filter_map(|o| o.node().opt_string("value").map(str::to_string))
        .next_back()
}

#[test]
fn pages_are_followed_while_a_token_comes_back() {
    let answers = [
        page("RetrievePropertiesEx", Some("1"), 0..3),
        page("ContinueRetrievePropertiesEx", Some("2"), 3..6),
        page("ContinueRetrievePropertiesEx", None, 6..7),
    ];
    let mut pages = Pages::new(collector(), vec![spec()], Some(3));
    let mut sent = Vec::new();
    let mut objects = Vec::new();
    while let Some(request) = pages.next_request() {
        sent.push(request.finish());
        let answer = &answers[sent.len() - 1];
        objects.extend(
            pages
                .read(200, answer.as_bytes(), &Limits::default())
                .unwrap(),
        );
    }
    assert_eq!(pages.pages_read(), 3);
    assert_eq!(pages.token(), None);
    assert_eq!(objects.len(), 7);
    assert_eq!(
        objects[6].obj,
        ManagedObjectReference::new("VirtualMachine", "vm-6")
    );
    assert_eq!(objects[4].get("name").unwrap().as_str(), Some("web-04"));
    assert_eq!(
        objects[4].get("runtime.powerState").unwrap().as_str(),
        Some("poweredOff")
    );
    assert_eq!(
        extra_config(&objects[0], "disk.EnableUUID").as_deref(),
        Some("TRUE")
    );
    assert_eq!(
        objects[0].get("datastore").unwrap().morefs()[0].value,
        "datastore-11"
    );

    // The first request asks for 3 objects a page; the next ones carry the tokens.
    assert!(sent[0].contains("<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet>"));
    assert!(
        sent[0].contains("<options><maxObjects>3</maxObjects></options></RetrievePropertiesEx>")
    );
    assert!(sent[1].contains("<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><token>1</token></ContinueRetrievePropertiesEx>"));
    assert!(sent[2].contains("<token>2</token>"));
}

#[test]
fn a_page_reads_alone_with_its_token() {
    let body = page("RetrievePropertiesEx", Some("0-a1b2"), 0..2);
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    let result = RetrieveResult::from_response(r).unwrap();
    assert_eq!(result.token.as_deref(), Some("0-a1b2"));
    assert_eq!(result.objects.len(), 2);
    assert_eq!(result.objects[1].props.len(), 4);
}

#[test]
fn no_returnval_is_an_empty_last_page() {
    let body = format!(
        r#"{HEAD}<RetrievePropertiesExResponse xmlns="urn:vim25"></RetrievePropertiesExResponse>{TAIL}"#
    );
    let mut pages = Pages::new(collector(), vec![spec()], None);
    let objects = pages
        .read(200, body.as_bytes(), &Limits::default())
        .unwrap();
    assert!(objects.is_empty());
    assert!(pages.next_request().is_none());
    assert!(pages
        .read(200, body.as_bytes(), &Limits::default())
        .is_err());
}

#[test]
fn a_repeated_token_ends_the_walk_with_an_error() {
    let mut pages = Pages::new(collector(), vec![spec()], Some(1));
    let first = page("RetrievePropertiesEx", Some("7"), 0..1);
    pages
        .read(200, first.as_bytes(), &Limits::default())
        .unwrap();
    assert_eq!(pages.token(), Some("7"));
    let again = page("ContinueRetrievePropertiesEx", Some("7"), 1..2);
    let err = pages
        .read(200, again.as_bytes(), &Limits::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected response at `ContinueRetrievePropertiesExResponse.returnval.token`: expected a new token (or none on the last page), found `7`"
    );
    assert!(pages.next_request().is_none());
}

#[test]
fn a_fault_on_a_continued_page_is_a_fault() {
    let mut pages = Pages::new(collector(), vec![spec()], Some(1));
    let first = page("RetrievePropertiesEx", Some("1"), 0..1);
    pages
        .read(200, first.as_bytes(), &Limits::default())
        .unwrap();
    // The token expired with the session.
    let fault = format!(
        r#"{HEAD}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="PropertyCollector">propertyCollector</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault>{TAIL}"#
    );
    let err = pages
        .read(500, fault.as_bytes(), &Limits::default())
        .unwrap_err();
    assert!(err.fault().unwrap().is_not_authenticated());
}

#[test]
fn the_answer_to_another_method_is_refused() {
    let mut pages = Pages::new(collector(), vec![spec()], Some(1));
    let wrong = page("ContinueRetrievePropertiesEx", None, 0..1);
    let err = pages
        .read(200, wrong.as_bytes(), &Limits::default())
        .unwrap_err();
    assert!(
        matches!(&err, SoapError::Unexpected { path, expected, .. }
            if path == "Envelope.Body.ContinueRetrievePropertiesExResponse" && expected == "`RetrievePropertiesExResponse`"),
        "{err:?}"
    );
}

#[test]
fn a_page_of_2000_vms_fits_the_default_limits() {
    let body = page("RetrievePropertiesEx", Some("1"), 0..2000);
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    assert_eq!(
        RetrieveResult::from_response(r).unwrap().objects.len(),
        2000
    );
}

#[test]
fn an_object_without_obj_is_an_error_naming_it() {
    let body = page("RetrievePropertiesEx", None, 0..3)
        .replace(r#"<obj type="VirtualMachine">vm-1</obj>"#, "");
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    let err = RetrieveResult::from_response(r).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected response at `RetrievePropertiesExResponse.returnval.objects[1].obj`: expected an element `obj`, found none"
    );
}

#[test]
fn the_request_envelopes_are_well_formed_and_cancel_carries_the_token() {
    let mut pages = Pages::new(collector(), vec![spec()], Some(500));
    let body = pages.next_request().unwrap().finish();
    let doc = parse_document(body.as_bytes(), &Limits::default()).unwrap();
    let root = Node::new(&doc, "Envelope");
    let call = root
        .require("Body")
        .unwrap()
        .require("RetrievePropertiesEx")
        .unwrap();
    assert_eq!(call.element().namespace(), Some("urn:vim25"));
    let names: Vec<&str> = call.elements().map(|n| n.name()).collect();
    assert_eq!(names, ["_this", "specSet", "options"]);
    let spec = call.require("specSet").unwrap();
    let names: Vec<&str> = spec.elements().map(|n| n.name()).collect();
    assert_eq!(names, ["propSet", "objectSet"]);
    let object_set = spec.require("objectSet").unwrap();
    assert!(object_set.bool("skip").unwrap());
    let select = object_set.require("selectSet").unwrap();
    assert_eq!(select.xsi_type(), Some("TraversalSpec"));
    assert_eq!(select.string("path").unwrap(), "view");
    let first = page("RetrievePropertiesEx", Some("4"), 0..1);
    pages
        .read(200, first.as_bytes(), &Limits::default())
        .unwrap();
    let cancel = cancel_retrieve_properties_ex(&collector(), pages.token().unwrap()).finish();
    assert!(cancel.contains("<CancelRetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><token>4</token></CancelRetrievePropertiesEx>"));
}
