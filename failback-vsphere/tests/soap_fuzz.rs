//! A bad or hostile response gives an error, never a panic: random bytes, every
//! truncation of valid responses, random nesting of vim25-looking elements, mutations of
//! recorded responses, huge attribute values and texts, deep nesting.
//!
//! Each input goes the whole way a client takes it: `parse_http_response`, the
//! property-collector result, every value's typed reads, every element read as a fault
//! of each shape, the conversion into `failback_core::Error` and its message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use failback_vsphere::soap::{
    parse_document, parse_http_response, parse_response, Element, FaultOrigin, Limits, MethodFault,
    Node, RetrieveResult, SoapError, Value, MAX_DEPTH_CEILING,
};
use proptest::prelude::*;

const FIXTURES: [&str; 9] = [
    include_str!("fixtures/vcsim/login_invalid_login.xml"),
    include_str!("fixtures/vcsim/create_container_view_not_authenticated.xml"),
    include_str!("fixtures/vcsim/retrieve_missing_not_authenticated.xml"),
    include_str!("fixtures/vcsim/retrieve_vms.xml"),
    include_str!("fixtures/vcsim/retrieve_task_info_invalid_power_state.xml"),
    include_str!("fixtures/vcsim/retrieve_task_error_file_not_found.xml"),
    include_str!("fixtures/vcsim/power_on_managed_object_not_found.xml"),
    include_str!("fixtures/vcsim/create_folder_duplicate_name.xml"),
    include_str!("fixtures/vcsim/retrieve_service_content.xml"),
];

/// A page in vCenter's shape with non-ASCII names, so truncations cut characters too.
const PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>1</token><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string">café-🚀 &amp; &#x4E2D;</val></propSet><propSet><name>config.extraConfig</name><val xsi:type="ArrayOfOptionValue"><OptionValue xsi:type="OptionValue"><key>disk.EnableUUID</key><value xsi:type="xsd:string">TRUE</value></OptionValue></val></propSet><propSet><name>runtime.bootTime</name><val xsi:type="xsd:dateTime">2026-05-01T08:00:00Z</val></propSet><missingSet><path>config</path><fault><fault xsi:type="NoPermission"><object type="VirtualMachine">vm-1</object><privilegeId>System.Read</privilegeId></fault><localizedMessage>Zugriff verweigert</localizedMessage></fault></missingSet></objects></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"#;

/// Every read a client may make of a value; nothing here may panic.
fn touch_value(v: &Value) {
    let _ = (v.type_name(), v.as_str(), v.as_bool(), v.as_i64());
    let _ = (v.as_datetime(), v.as_moref(), v.morefs(), v.strings());
    if let Some(items) = v.as_array() {
        items.iter().for_each(touch_value);
    }
    if let Some(o) = v.as_object() {
        touch_node(&o.node());
    }
}

/// Every typed read of every element under `node` (iteratively), and each element read
/// as a fault of each shape.
fn touch_node(node: &Node<'_>) {
    let mut stack = vec![node.clone()];
    while let Some(n) = stack.pop() {
        let _ = (
            n.as_bool(),
            n.as_i64(),
            n.as_f64(),
            n.as_datetime(),
            n.as_moref(),
        );
        let _ = (n.xsi_type(), n.attribute("type"), n.text(), n.path());
        if let Ok(v) = n.value() {
            let _ = v.type_name();
        }
        let _ = failback_vsphere::soap::TaskInfo::from_node(&n).map(|t| t.state.is_done());
        let _ = MethodFault::from_soap_fault(&n).to_string();
        let _ = MethodFault::from_localized(&n, FaultOrigin::Task).to_string();
        let f = MethodFault::from_missing(&n);
        let _ = failback_core::Error::from(f).to_string();
        stack.extend(n.elements());
    }
}

/// The whole way a client takes a body.
fn exercise(status: u16, body: &[u8]) {
    for method in ["RetrievePropertiesEx", "Login"] {
        match parse_http_response(status, body, method, &Limits::default()) {
            Ok(response) => {
                touch_node(&response.node());
                match RetrieveResult::from_response(response) {
                    Ok(result) => {
                        for o in &result.objects {
                            for p in &o.props {
                                touch_value(&p.val);
                            }
                            for m in &o.missing {
                                let _ = failback_core::Error::from(m.fault.clone()).to_string();
                            }
                        }
                    }
                    Err(e) => check_error(e),
                }
            }
            Err(e) => check_error(e),
        }
    }
    if let Ok(root) = parse_document(body, &Limits::default()) {
        touch_node(&Node::new(&root, root.name().to_string()));
    }
}

/// An error's message is short, whatever the input.
fn check_error(e: SoapError) {
    let text = e.to_string();
    assert!(text.len() < 2_000, "{} bytes: {}", text.len(), &text[..200]);
    let core = failback_core::Error::from(e).to_string();
    assert!(core.len() < 2_500, "{} bytes", core.len());
}

#[test]
fn every_truncation_of_a_valid_response_is_an_error() {
    for body in FIXTURES.iter().chain([PAGE].iter()) {
        let bytes = body.as_bytes();
        let end = body.trim_end().len();
        assert!(
            parse_response(bytes, "RetrievePropertiesEx", &Limits::default()).is_ok()
                || parse_response(bytes, "RetrievePropertiesEx", &Limits::default())
                    .unwrap_err()
                    .fault()
                    .is_some()
                || parse_document(bytes, &Limits::default()).is_ok()
        );
        for cut in 0..end {
            let prefix = &bytes[..cut];
            assert!(
                parse_document(prefix, &Limits::default()).is_err(),
                "a truncation at {cut} of {} bytes read as a document",
                bytes.len()
            );
            exercise(200, prefix);
        }
    }
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
    let limits = Limits::new().with_max_depth(usize::MAX);
    assert_eq!(limits.max_depth(), MAX_DEPTH_CEILING);
    let err = parse_document(deep.as_bytes(), &limits).unwrap_err();
    assert!(matches!(err, SoapError::TooDeep { max, .. } if max == MAX_DEPTH_CEILING));
    // The message names the path, cut.
    check_error(err);
    // Unclosed, too.
    let err = parse_document("<a>".repeat(200_000).as_bytes(), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, SoapError::TooDeep { max: 128, .. }),
        "{err:?}"
    );
}

#[test]
fn a_tree_at_the_depth_ceiling_is_read_cloned_compared_and_dropped_in_a_quarter_of_a_default_stack()
{
    let n = MAX_DEPTH_CEILING;
    let doc = format!(
        "<val xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"ArrayOfAnyType\">{}{}</val>",
        "<anyType xsi:type=\"ArrayOfAnyType\">".repeat(n - 1),
        "</anyType>".repeat(n - 1)
    );
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let limits = Limits::new().with_max_depth(n);
            let root = parse_document(doc.as_bytes(), &limits).unwrap();
            let copy = root.clone();
            assert_eq!(copy, root);
            let _ = format!("{root:?}").len();
            let v = Value::from_element(root, "val").unwrap();
            touch_value(&v);
            drop(v);
            drop(copy);
        })
        .unwrap();
    worker.join().unwrap();
}

#[test]
fn huge_values_are_read_within_the_size_limit_and_errors_stay_short() {
    let huge = "x".repeat(5 * 1024 * 1024);
    let body = PAGE
        .replace(
            r#"<obj type="VirtualMachine">"#,
            &format!(r#"<obj type="{huge}">"#),
        )
        .replace(">TRUE<", &format!(">{huge}<"));
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    let result = RetrieveResult::from_response(r).unwrap();
    assert_eq!(result.objects[0].obj.mo_type.len(), huge.len());
    // A huge value that is not of its type: a short error.
    let body = PAGE.replace("2026-05-01T08:00:00Z", &huge);
    let r = parse_response(body.as_bytes(), "RetrievePropertiesEx", &Limits::default()).unwrap();
    check_error(RetrieveResult::from_response(r).unwrap_err());
    // A huge element name in an error path, a huge unknown entity, a huge fault message.
    let name = "n".repeat(1024 * 1024);
    check_error(parse_document(format!("<{name}>").as_bytes(), &Limits::default()).unwrap_err());
    check_error(
        parse_document(format!("<a>&{name};</a>").as_bytes(), &Limits::default()).unwrap_err(),
    );
    let fault = FIXTURES[0].replace("Login failure", &huge);
    let err = parse_response(fault.as_bytes(), "Login", &Limits::default()).unwrap_err();
    assert!(err.fault().unwrap().message.len() < 2_000);
    check_error(err);
    // Over the size limit.
    let err = parse_response(
        body.as_bytes(),
        "RetrievePropertiesEx",
        &Limits::new().with_max_bytes(1 << 20),
    )
    .unwrap_err();
    assert!(
        matches!(err, SoapError::TooLarge { max: 1_048_576, .. }),
        "{err:?}"
    );
}

#[test]
fn many_small_elements_hit_the_element_limit() {
    let body = format!("<a>{}</a>", "<b/>".repeat(3_000_000));
    let err = parse_document(body.as_bytes(), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, SoapError::TooManyElements { max: 2_000_000, .. }),
        "{err:?}"
    );
}

/// A random element of vim25-looking names, types and texts, `depth` levels at most.
fn element(depth: u32) -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "objects",
        "obj",
        "propSet",
        "name",
        "val",
        "missingSet",
        "path",
        "fault",
        "localizedMessage",
        "token",
        "returnval",
        "string",
        "ManagedObjectReference",
        "detail",
        "faultcode",
        "faultstring",
        "OptionValue",
        "key",
        "value",
        "anyType",
        "x:odd",
    ]);
    let xsi = prop::sample::select(vec![
        "",
        "xsd:string",
        "xsd:int",
        "xsd:long",
        "xsd:boolean",
        "xsd:dateTime",
        "xsd:double",
        "ManagedObjectReference",
        "ArrayOfString",
        "ArrayOfManagedObjectReference",
        "ArrayOfInt",
        "ArrayOfAnyType",
        "ArrayOfOptionValue",
        "LocalizedMethodFault",
        "NoPermission",
        "InvalidPowerState",
        "FutureType",
        ":",
        "a:b:c",
    ]);
    let text = prop::sample::select(vec![
        "",
        "42",
        "-1",
        "true",
        "0",
        "2026-05-01T08:00:00Z",
        "vm-1",
        "é",
        " ",
        "&amp;",
        "&#0;",
        "&#x10FFFF;",
        "&lt;",
        "9999999999999999999999",
        "NaN",
        "<![CDATA[x]]>",
        "&bogus;",
    ]);
    let attr = prop::sample::select(vec![
        "",
        r#" type="VirtualMachine""#,
        r#" type="""#,
        r#" xsi:nil="true""#,
        r#" type="a" type="b""#,
        r#" q:type="x""#,
        r#" xmlns:xsi="urn:other""#,
    ]);
    let leaf = (name.clone(), xsi.clone(), attr.clone(), text).prop_map(|(n, t, a, x)| {
        let t = if t.is_empty() {
            String::new()
        } else {
            format!(r#" xsi:type="{t}""#)
        };
        format!("<{n}{t}{a}>{x}</{n}>")
    });
    leaf.prop_recursive(depth, 64, 6, move |inner| {
        (
            name.clone(),
            xsi.clone(),
            attr.clone(),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(n, t, a, children)| {
                let t = if t.is_empty() {
                    String::new()
                } else {
                    format!(r#" xsi:type="{t}""#)
                };
                format!("<{n}{t}{a}>{}</{n}>", children.concat())
            })
    })
}

fn envelope(content: &str, method: &str) -> String {
    format!(
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><{method} xmlns="urn:vim25">{content}</{method}></soapenv:Body></soapenv:Envelope>"#
    )
}

/// Pieces of XML to splice into a valid response.
fn splice() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "<",
            ">",
            "</",
            "/>",
            "&",
            "\"",
            "'",
            "=",
            ":",
            "xsi:type=\"ArrayOfInt\"",
            "<val>",
            "</val>",
            "&#0;",
            "&#x110000;",
            "]]>",
            "<![CDATA[",
            "<!DOCTYPE x>",
            "<?pi?>",
            "<!--",
            "-->",
            "xmlns:p=\"\"",
            "\u{FEFF}",
            "\u{0}",
            "é",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_give_a_result(body in prop::collection::vec(any::<u8>(), 0..2048), status in prop::sample::select(vec![200u16, 500, 503])) {
        exercise(status, &body);
    }

    #[test]
    fn random_text_gives_a_result(body in "[<>/a-z: =\"&;#x0-9\\[\\]!?-]{0,400}") {
        exercise(200, body.as_bytes());
        exercise(500, envelope(&body, "RetrievePropertiesExResponse").as_bytes());
    }

    #[test]
    fn random_nesting_gives_a_result(content in prop::collection::vec(element(6), 0..4)) {
        let content = content.concat();
        exercise(200, envelope(&format!("<returnval>{content}</returnval>"), "RetrievePropertiesExResponse").as_bytes());
        exercise(200, envelope(&format!("<returnval><objects><obj type=\"VirtualMachine\">vm-1</obj>{content}</objects></returnval>"), "RetrievePropertiesExResponse").as_bytes());
        exercise(500, format!(r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>f</faultstring><detail>{content}</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#).as_bytes());
    }

    #[test]
    fn mutated_responses_give_a_result(
        which in 0..FIXTURES.len() + 1,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..3, 0usize..16, splice()), 1..8),
    ) {
        let mut body = FIXTURES.get(which).copied().unwrap_or(PAGE).as_bytes().to_vec();
        for (at, kind, len, piece) in edits {
            let i = at.index(body.len() + 1);
            match kind {
                0 => { body.splice(i..i, piece); }
                1 => { let end = (i + len).min(body.len()); body.drain(i..end); }
                _ => { let end = (i + piece.len()).min(body.len()); body.splice(i..end, piece); }
            }
        }
        exercise(200, &body);
        exercise(500, &body);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn huge_attribute_values_and_texts_give_a_result(
        len in 64 * 1024usize..2 * 1024 * 1024,
        fill in prop::sample::select(vec!["x", "é", "&amp;", "&#9;", "\"", "<", " "]),
        place in 0usize..3,
    ) {
        let value = fill.repeat(len / fill.len());
        let body = match place {
            0 => PAGE.replace(r#"type="VirtualMachine""#, &format!(r#"type="{value}""#)),
            1 => PAGE.replace(r#"xsi:type="xsd:string""#, &format!(r#"xsi:type="{value}""#)),
            _ => PAGE.replace("disk.EnableUUID", &value),
        };
        exercise(200, body.as_bytes());
        let small = Limits::new().with_max_bytes(64 * 1024);
        let err = parse_response(body.as_bytes(), "RetrievePropertiesEx", &small).unwrap_err();
        let too_large = matches!(err, SoapError::TooLarge { .. });
        prop_assert!(too_large, "{:?}", err);
    }
}

#[test]
fn a_built_tree_reads_like_a_parsed_one() {
    let e = Element::new("val")
        .with_xsi_type("ManagedObjectReference")
        .with_attribute("type", "Datastore")
        .with_text("datastore-1");
    let v = Value::from_element(e, "val").unwrap();
    assert_eq!(v.as_moref().unwrap().value, "datastore-1");
    let e = Element::new("error").with_child(
        Element::new("fault")
            .with_xsi_type("TaskInProgress")
            .with_child(
                Element::new("task")
                    .with_attribute("type", "Task")
                    .with_text("task-9"),
            ),
    );
    let f = MethodFault::from_localized(&Node::new(&e, "error"), FaultOrigin::Task);
    assert_eq!(f.to_string(), "TaskInProgress (held by Task:task-9)");
}
